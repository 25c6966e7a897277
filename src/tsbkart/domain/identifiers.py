"""Norwegian identifiers used for health organisations, and language codes.

- organisasjonsnummer: 9 digits, the last a mod-11 check digit over weights 3 2 7 6 5 4 3 2
  (Brønnøysundregistrene). A remainder that would give check digit 10 makes the number invalid.
- RESH-id: the health register's (Register for enheter i spesialisthelsetjenesten) numeric id; no check digit
  is published, so we accept 1 to 9 digits.
- HER-id: the address register's (Adresseregisteret, Norsk helsenett) numeric id for electronic messages;
  no check digit, 1 to 9 digits.
"""

from __future__ import annotations

import re

ORGNR_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)
_DIGITS_1_TO_9 = re.compile(r"^[0-9]{1,9}$")


def orgnr_check_digit(first_eight: str) -> int | None:
    """Check digit for the first eight digits, or None when no valid number can end them."""
    total = sum(int(d) * w for d, w in zip(first_eight, ORGNR_WEIGHTS, strict=True))
    remainder = total % 11
    if remainder == 0:
        return 0
    digit = 11 - remainder
    return None if digit == 10 else digit


def normalise_orgnr(value: str) -> str:
    """Strip spaces and the optional 'MVA'/'NO' decorations people type: 'NO 983 971 768 MVA' -> '983971768'."""
    cleaned = value.upper().replace("MVA", "").replace("NO", "", 1) if value else ""
    return re.sub(r"[\s.]", "", cleaned)


def is_valid_orgnr(value: str) -> bool:
    number = normalise_orgnr(value)
    if not re.fullmatch(r"[0-9]{9}", number):
        return False
    return orgnr_check_digit(number[:8]) == int(number[8])


def validate_orgnr(value: str) -> str:
    """The normalised number, or ValueError with the reason."""
    number = normalise_orgnr(value)
    if not re.fullmatch(r"[0-9]{9}", number):
        raise ValueError(f"organisasjonsnummer must be 9 digits, got {value!r}")
    expected = orgnr_check_digit(number[:8])
    if expected is None or expected != int(number[8]):
        raise ValueError(f"organisasjonsnummer {value!r} fails the mod-11 check digit")
    return number


def validate_resh_id(value: str) -> str:
    text = str(value).strip()
    if not _DIGITS_1_TO_9.match(text):
        raise ValueError(f"RESH-id must be 1 to 9 digits, got {value!r}")
    return text


def validate_her_id(value: str) -> str:
    text = str(value).strip()
    if not _DIGITS_1_TO_9.match(text):
        raise ValueError(f"HER-id must be 1 to 9 digits, got {value!r}")
    return text


LANGUAGE_CODE = re.compile(r"^[a-z]{2}$")  # ISO 639-1


def validate_language_code(value: str) -> str:
    """An ISO 639-1 language code (two lower-case letters, e.g. "nb", "se"), or ValueError."""
    if not LANGUAGE_CODE.match(value):
        raise ValueError(f"{value!r} is not an ISO 639-1 language code (two lower-case letters)")
    return value
