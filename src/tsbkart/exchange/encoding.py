"""How the bytes of a CSV file become text: UTF-8 unless told otherwise or certain otherwise, never a guess.

- UTF-8, with or without a byte-order mark, is always accepted.
- A UTF-16 byte-order mark (Excel's "Unicode text") is certain, so such a file is read as UTF-16.
- Windows-1252 (what Excel on Norwegian Windows saves as "CSV") is accepted without being asked for only when
  that is certain: the file is not UTF-8, holds not one valid UTF-8 multi-byte sequence, and every byte
  outside ASCII is a letter or common punctuation in Windows-1252. A file that mixes UTF-8 with other bytes is
  refused rather than turned into mojibake ("døgn" read as "dÃ¸gn").
- Otherwise the encoding is what ``--encoding`` names, and every byte must decode in it.

A file that does not decode raises ``Undecodable`` with the offset of the first bad byte::

    decode(b"id\\nd\\xf8gn\\n")            # ("id\\ndøgn\\n", "cp1252")   certain: only Norwegian letters
    decode(b"d\\xc3\\xb8gn \\xf8\\n")     # raises Undecodable(offset=7, encoding="utf-8")   mixed
"""

from __future__ import annotations

import codecs
import re

UTF8 = "utf-8"
CP1252 = "cp1252"
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
# One complete, valid UTF-8 sequence of two to four bytes (RFC 3629, no overlong forms or surrogates).
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
_NON_ASCII = re.compile(rb"[\x80-\xff]")
# Non-letters a Norwegian Windows-1252 file plausibly holds; anything else makes the guess uncertain.
_CP1252_PUNCTUATION = frozenset("\u00a0–—‘’‚“”„«»§°·•…€£±×÷½¼¾©®™´¨²³")


class Undecodable(ValueError):
    """The bytes do not decode: ``offset`` is the first bad byte, ``encoding`` the one tried."""

    def __init__(self, offset: int, byte: int, encoding: str) -> None:
        super().__init__(f"byte 0x{byte:02X} at offset {offset} is not valid {encoding}")
        self.offset, self.byte, self.encoding = offset, byte, encoding


def known_encoding(name: str) -> str | None:
    """The codec's canonical name for ``--encoding``, or None when Python knows no such text encoding."""
    try:
        info = codecs.lookup(name)
    except LookupError:
        return None
    return info.name if getattr(info, "_is_text_encoding", True) else None


def decode(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """The text of ``data`` and the encoding it was read in; raises ``Undecodable``."""
    if encoding is not None:
        return _strict(data, known_encoding(encoding) or encoding), known_encoding(encoding) or encoding
    if data.startswith(_UTF16_BOMS):
        return _strict(data, "utf-16"), "utf-16"
    try:
        return data.decode("utf-8-sig"), UTF8
    except UnicodeDecodeError as error:
        if certainly_cp1252(data):
            return data.decode(CP1252), CP1252
        raise Undecodable(error.start, data[error.start], UTF8) from None


def _strict(data: bytes, encoding: str) -> str:
    try:
        # utf-8-sig drops a byte-order mark and is otherwise UTF-8.
        return data.decode("utf-8-sig" if encoding == UTF8 else encoding)
    except UnicodeDecodeError as error:
        raise Undecodable(error.start, data[error.start], encoding) from None


def certainly_cp1252(data: bytes) -> bool:
    """True when ``data`` can only sensibly be Windows-1252 text (see the module docstring)."""
    if data.startswith(codecs.BOM_UTF8) or _UTF8_MULTIBYTE.search(data):
        return False
    for byte in set(_NON_ASCII.findall(data)):
        try:
            char = byte.decode(CP1252)
        except UnicodeDecodeError:
            return False  # 0x81, 0x8d, 0x8f, 0x90, 0x9d are unassigned in Windows-1252
        if not (char.isalpha() or char in _CP1252_PUNCTUATION):
            return False
    return True


def surrogate_text(data: bytes, encoding: str) -> str | None:
    """``data`` decoded with every undecodable byte as a lone surrogate (U+DC80..U+DCFF), to locate it;
    None when the encoding cannot do that (multi-byte codecs such as UTF-16)."""
    try:
        return data.decode("utf-8-sig" if encoding == UTF8 else encoding, errors="surrogateescape")
    except UnicodeDecodeError:
        return None


FIRST_SURROGATE = re.compile("[\udc80-\udcff]")
