"""Local passwords: NIST SP 800-63B rules and argon2id hashes.

Rules (800-63B §3.1.1.2): at least 12 characters and at most 256, any characters, no composition rules, no
forced rotation; refused when on the bundled list of common passwords (``data/common-passwords.txt.gz``,
see its ``.source.md``) or when built from the username or the service's name. Messages are English message
ids that the web layer translates through the catalogues.
"""

from __future__ import annotations

import gzip
import unicodedata
from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 12
MAX_LENGTH = 256
SERVICE_WORDS = ("tsbkart",)

# argon2-cffi's defaults are RFC 9106's second recommended profile (argon2id, t=3, m=64 MiB, p=4).
_HASHER = PasswordHasher()
# Verified against when the username is unknown, so an unknown name costs the same time as a wrong password.
_DUMMY_HASH = _HASHER.hash("not a password anyone has: the dummy for unknown usernames")


class PasswordRejected(ValueError):
    """A new password breaks a rule; ``str(error)`` is the English message id."""


@cache
def common_passwords() -> frozenset[str]:
    path = resources.files("tsbkart.stewardship") / "data" / "common-passwords.txt.gz"
    text = gzip.decompress(path.read_bytes()).decode("utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip())


def _normalised(password: str) -> str:
    # NFKC so that look-alike forms of the same characters hash and compare the same (800-63B §5.1.1.2).
    return unicodedata.normalize("NFKC", password)


def _letters_and_digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isalnum())


def check_new_password(password: str, username: str = "") -> None:
    """Raise PasswordRejected when ``password`` may not be chosen (by ``username``)."""
    password = _normalised(password)
    if len(password) < MIN_LENGTH:
        raise PasswordRejected("The password must have at least 12 characters.")
    if len(password) > MAX_LENGTH:
        raise PasswordRejected("The password may have at most 256 characters.")
    lowered = password.lower()
    if lowered in common_passwords():
        raise PasswordRejected("This password is on a list of common passwords. Choose another.")
    squeezed = _letters_and_digits(lowered)
    for word in map(_letters_and_digits, (username.lower(), *SERVICE_WORDS)):
        # The name plus a few characters is guessable; the name inside a long phrase is not.
        if len(word) >= 3 and word in squeezed and len(squeezed.replace(word, "")) < 8:
            raise PasswordRejected("The password may not be built from your username or the service's name.")


def hash_password(password: str) -> str:
    return _HASHER.hash(_normalised(password))


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; an absent hash (OIDC-only account) costs a dummy check and fails."""
    try:
        return _HASHER.verify(stored_hash or _DUMMY_HASH, _normalised(password)) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _HASHER.check_needs_rehash(stored_hash)
