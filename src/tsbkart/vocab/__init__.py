"""Controlled vocabularies (service types, target groups, legal basis, ...) loaded from YAML data files.

The files in ``vocab/data/`` are the single source of the codes; code never lists them. A domain expert can
add a term by editing YAML; loading validates every file.
"""

from tsbkart.vocab.loader import Term, Vocabularies, Vocabulary, VocabularyError, load_vocabularies

__all__ = ["Term", "Vocabularies", "Vocabulary", "VocabularyError", "load_vocabularies"]
