"""Free-text matching of names that handles Norwegian: case, æøå, their ASCII spellings and partial words.

Both the names and the query are normalised the same way (Unicode NFKC, then casefold) and split into word
tokens. æ, ø and å stay letters, and each token also gets its ASCII transliteration (æ -> ae, ø -> o,
å -> a), so "tromso" finds "Tromsø" and "ostmarka" finds "Østmarka"::

    tokens("Rusakutt Østfold")           # ('rusakutt', 'østfold')
    name_keys(["Rusakutt Østfold"])      # ('rusakutt', 'østfold', 'ostfold')
    matches(query_tokens("øst rus"), name_keys(["Rusakutt Østfold"]))   # True
    TextColumn(["rusakutt\x1fostfold", "lar\x1foslo"]).matching(("rus",))   # array([ True, False])

A query matches a record when *every* query token is a prefix of one of the record's name tokens or, failing
that, a substring of the record's joined names (so "akutt" finds "Rusakuttmottaket").
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt

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


# Separates one record's haystack from the next in a TextColumn; no token (\w+) contains it.
_RECORD = "\x1e"


class TextColumn:
    """The haystacks of many records in one string, so a query scans it with ``str.find`` (C speed) and
    visits only the records that match, instead of a Python loop over every record."""

    def __init__(self, texts: Sequence[str]) -> None:
        self._size = len(texts)
        self._blob = _RECORD.join(texts) + _RECORD
        starts = [0]
        for text in texts:
            starts.append(starts[-1] + len(text) + 1)
        self._starts = starts  # starts[i]: where record i begins; starts[n]: the end

    def containing(self, token: str) -> npt.NDArray[np.bool_]:
        """Records whose haystack contains ``token``; after a hit the scan jumps to the next record."""
        found = np.zeros(self._size, dtype=np.bool_)
        blob, starts = self._blob, self._starts
        position = blob.find(token)
        while position != -1:
            row = bisect_right(starts, position) - 1
            found[row] = True
            position = blob.find(token, starts[row + 1])
        return found

    def matching(self, query: tuple[str, ...]) -> npt.NDArray[np.bool_]:
        """Records that ``matches(query, ...)`` accepts: every token is in the record's haystack."""
        found = np.ones(self._size, dtype=np.bool_)
        for token in query:
            found &= self.containing(token)
        return found
