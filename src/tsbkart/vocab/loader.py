"""Load and validate the vocabulary YAML files.

A file looks like::

    vocabulary: service_types
    version: 1
    source: "https://..."
    terms:
      - code: akutt
        label: {nb: Akuttbehandling, en: Acute care}
        level: 4            # any further keys become Term.attributes
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

LANGUAGES = ("nb", "en")
_CODE = re.compile(r"^[a-z][a-z0-9_]*$")


class VocabularyError(ValueError):
    """A vocabulary file is malformed; the message names the file and the term."""


@dataclass(frozen=True, slots=True)
class Term:
    code: str
    label: Mapping[str, str]
    attributes: Mapping[str, Any] = field(default_factory=dict)

    def label_in(self, language: str) -> str:
        return self.label.get(language) or self.label["nb"]

    def get(self, key: str, default: Any = None) -> Any:
        return self.attributes.get(key, default)


@dataclass(frozen=True, slots=True)
class Vocabulary:
    name: str
    version: int
    source: str
    terms: tuple[Term, ...]

    def __iter__(self) -> Iterator[Term]:
        return iter(self.terms)

    def __contains__(self, code: object) -> bool:
        return any(t.code == code for t in self.terms)

    def __getitem__(self, code: str) -> Term:
        for term in self.terms:
            if term.code == code:
                return term
        raise KeyError(f"{code!r} is not a code in vocabulary {self.name!r}")

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(t.code for t in self.terms)

    def label(self, code: str, language: str = "nb") -> str:
        return self[code].label_in(language)


@dataclass(frozen=True, slots=True)
class Vocabularies:
    """All vocabularies by name, e.g. ``vocabs["service_types"]["akutt"].label_in("en")``."""

    by_name: Mapping[str, Vocabulary]

    def __getitem__(self, name: str) -> Vocabulary:
        return self.by_name[name]

    def __iter__(self) -> Iterator[Vocabulary]:
        return iter(self.by_name.values())


def parse_vocabulary(document: Any, origin: str) -> Vocabulary:
    """Validate one parsed YAML document; ``origin`` names the file in error messages."""
    if not isinstance(document, dict):
        raise VocabularyError(f"{origin}: expected a mapping at the top level")
    for key in ("vocabulary", "version", "terms"):
        if key not in document:
            raise VocabularyError(f"{origin}: missing key {key!r}")
    terms: list[Term] = []
    seen: set[str] = set()
    for index, raw in enumerate(document["terms"], start=1):
        where = f"{origin}: term {index}"
        if not isinstance(raw, dict):
            raise VocabularyError(f"{where}: expected a mapping")
        code = raw.get("code")
        if not isinstance(code, str) or not _CODE.match(code):
            raise VocabularyError(f"{where}: code {code!r} must match {_CODE.pattern}")
        if code in seen:
            raise VocabularyError(f"{where}: duplicate code {code!r}")
        seen.add(code)
        label = raw.get("label")
        if not isinstance(label, dict) or any(not label.get(lang) for lang in LANGUAGES):
            raise VocabularyError(f"{where} ({code}): label needs non-empty {' and '.join(LANGUAGES)}")
        if set(label) != set(LANGUAGES):
            # An unquoted comma in a YAML flow mapping splits a label into extra keys: catch it here.
            raise VocabularyError(
                f"{where} ({code}): label has keys {sorted(label)}; quote labels with commas"
            )
        extra = {k: v for k, v in raw.items() if k not in ("code", "label")}
        terms.append(Term(code=code, label=dict(label), attributes=extra))
    return Vocabulary(
        name=str(document["vocabulary"]),
        version=int(document["version"]),
        source=str(document.get("source", "")),
        terms=tuple(terms),
    )


def load_directory(directory: Path) -> Vocabularies:
    by_name: dict[str, Vocabulary] = {}
    for path in sorted(directory.glob("*.yaml")):
        with path.open(encoding="utf-8") as handle:
            vocabulary = parse_vocabulary(yaml.safe_load(handle), path.name)
        if vocabulary.name != path.stem:
            raise VocabularyError(
                f"{path.name}: vocabulary name {vocabulary.name!r} must equal the file name"
            )
        by_name[vocabulary.name] = vocabulary
    return Vocabularies(by_name=by_name)


@cache
def load_vocabularies() -> Vocabularies:
    """The bundled vocabularies, loaded and validated once per process."""
    return load_directory(Path(str(resources.files("tsbkart.vocab") / "data")))
