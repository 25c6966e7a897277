"""What text a registry record may hold: safe ids, no hidden characters, web addresses that are web addresses.

Imported text ends up in pages, exports, terminals and other systems. A character a person cannot see (a
zero-width space, a right-to-left override that reverses what is shown, a terminal escape, a line break in a
name) makes two equal-looking values differ or makes a value look like something it is not, so:

- **ids** match ``ID_PATTERN`` (lower-case ASCII letters and digits in groups joined by one ``-``, ``_``, ``.``
  or ``/``, e.g. ``helse-bergen-rusmedisin/dogn_kort``) and are at most ``ID_MAX_LENGTH`` characters: they go
  into URLs and file names;
- **single-line text** (names, codes, references, phone numbers, sources: every text field not in
  ``MULTILINE_FIELDS``) holds no control character, line break, tab, or invisible formatting character
  (Unicode categories Cc, Cf, Zl, Zp; also U+FFFD, the mark of text decoded wrongly);
- **multi-line text** (descriptions, notes, addresses) may hold line breaks and tabs, nothing else of those;
- **web addresses** (the fields the schema declares as links, ``website``) are absolute ``http``/``https`` URLs with a host: never ``javascript:``.

::

    bad_character("Rus\u200bakutt")          # (3, "U+200B ZERO WIDTH SPACE")
    bad_character("Linje 1\\nLinje 2", multiline=True)   # None
    is_web_url("javascript:alert(1)")         # False
"""

from __future__ import annotations

import re
import string
import unicodedata
from urllib.parse import urlsplit

ID_PATTERN = re.compile(r"[a-z0-9]+(?:[-_./][a-z0-9]+)*")
ID_MAX_LENGTH = 120  # the bundled teams' ids are cut at 120 (reference/seed.py)
MULTILINE_FIELDS = frozenset({"description", "referral_note", "status_note", "scope_note", "note", "address"})

# Cc (controls), Cf (format), Zl/Zp (line and paragraph separators) as of Unicode 14, surrogates and U+FFFD.
# A test checks this against unicodedata, so a newer Unicode cannot silently let one through.
_FORMAT = (
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064"
    "\u2066-\u206f\ufeff\ufff9-\ufffb\ufffd\ud800-\udfff\U000110bd\U000110cd\U00013430-\U00013438"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
)
_SINGLE_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f{_FORMAT}]")
_MULTI_LINE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_FORMAT}]")
_CONTROL_NAMES = {"\n": "LINE FEED", "\r": "CARRIAGE RETURN", "\t": "TAB", "\x1b": "ESC", "\x07": "BEL"}


def bad_character(text: str, multiline: bool = False) -> tuple[int, str] | None:
    """The position and name of the first character ``text`` must not hold, or None."""
    found = (_MULTI_LINE if multiline else _SINGLE_LINE).search(text)
    if found is None:
        return None
    char = found.group()
    return found.start(), f"U+{ord(char):04X} {_CONTROL_NAMES.get(char) or unicodedata.name(char, 'control')}"


def finds_bad_character(text: str, multiline: bool = False) -> bool:
    """Whether ``text`` (often many values joined with spaces, to check a whole column at once) has one.

    ``str.isprintable`` runs in C and is False for every character refused here (and for a few allowed ones,
    such as a no-break space), so the regular expression only runs on text that is not plainly printable.
    """
    plain = text.replace("\n", " ").replace("\t", " ") if multiline else text
    if plain.isprintable() and "\ufffd" not in plain:
        return False
    return (_MULTI_LINE if multiline else _SINGLE_LINE).search(text) is not None


# The shape of ids joined by single spaces and wrapped in spaces: each letter or digit "a", each separator and
# space "-", anything else left as it is. The ids are all safe when the shape is only "a" and "-" and has no
# "--" (two separators side by side, or a separator at an id's end). Two C passes, not a regex per id.
_ID_SHAPE = str.maketrans(
    {**dict.fromkeys(string.ascii_lowercase + string.digits, "a"), **dict.fromkeys("-_./ ", "-")}
)


def all_safe_ids(ids: list[str]) -> bool:
    """Whether every one of ``ids`` is safe (what ``is_safe_id`` says of each), in one pass over them all."""
    if not ids:
        return True
    if max(map(len, ids)) > ID_MAX_LENGTH:
        return False
    shape = f" {' '.join(ids)} ".translate(_ID_SHAPE)
    return "--" not in shape and not shape.replace("a", "").replace("-", "")


def is_safe_id(value: str) -> bool:
    return len(value) <= ID_MAX_LENGTH and ID_PATTERN.fullmatch(value) is not None


def is_web_url(value: object) -> bool:
    """An absolute http(s) URL with a host and no whitespace or hidden characters."""
    if not isinstance(value, str) or _SINGLE_LINE.search(value) or " " in value:
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
