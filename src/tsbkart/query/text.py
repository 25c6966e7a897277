"""Free-text matching of names that handles Norwegian: case, æøå, their ASCII spellings and partial words.

Both the names and the query are normalised the same way (Unicode NFKC, then casefold) and split into word
tokens. æ, ø and å stay letters, and each token also gets its ASCII transliteration (æ -> ae, ø -> o,
å -> a), so "tromso" finds "Tromsø" and "ostmarka" finds "Østmarka"::

    tokens("Rusakutt Østfold")           # ('rusakutt', 'østfold')
    name_keys(["Rusakutt Østfold"])      # ('rusakutt', 'østfold', 'ostfold')
    matches(query_tokens("øst rus"), name_keys(["Rusakutt Østfold"]))   # True

A query matches a record when *every* query token is a prefix of one of the record's name tokens or, failing
that, a substring of the record's joined names (so "akutt" finds "Rusakuttmottaket").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# Letters and digits are word characters; everything else (space, dash, slash, parentheses) separates.
_WORD = re.compile(r"\w+", re.UNICODE)
# The common ASCII spellings when æøå are not at hand. "aa" for å is old orthography and also accepted.
_ASCII = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "ä": "ae", "ö": "o", "é": "e", "ü": "u"})
_ASCII_OLD = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa"})


def normalise(text: str) -> str:
    """NFKC + casefold, so "ÅSGÅRD" and "åsgård" compare equal (ligatures and full-width forms too)."""
    return unicodedata.normalize("NFKC", text).casefold()


def tokens(text: str) -> tuple[str, ...]:
    """Normalised word tokens of ``text``; æøå are kept as letters."""
    return tuple(_WORD.findall(normalise(text)))


def query_tokens(query: str) -> tuple[str, ...]:
    """The tokens a query must all match (duplicates removed, order kept)."""
    return tuple(dict.fromkeys(tokens(query)))


def name_keys(names: Iterable[str | None]) -> tuple[str, ...]:
    """Every token of ``names`` plus its ASCII transliterations, for prefix matching."""
    keys: dict[str, None] = {}
    for name in names:
        for token in tokens(name or ""):
            keys[token] = None
            keys[token.translate(_ASCII)] = None
            keys[token.translate(_ASCII_OLD)] = None
    return tuple(keys)


def haystack(keys: Iterable[str]) -> str:
    """All keys joined by a separator no token contains, for substring matching."""
    return "\x1f".join(keys)


def matches(query: tuple[str, ...], keys: tuple[str, ...], joined: str | None = None) -> bool:
    """True when every query token is a prefix of some key, or a substring of the joined keys."""
    text = haystack(keys) if joined is None else joined
    return all(token in text for token in query)
