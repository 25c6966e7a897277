"""Optional second factor: TOTP (RFC 6238, 30 s steps, 6 digits) with pyotp, for administrators and reviewers.

The secret is kept encrypted with a key derived from the server secret (``Keys.fernet``); a code from the
step before or after the current one is accepted, to allow for clock drift.
"""

from __future__ import annotations

from datetime import datetime

import pyotp
from sqlalchemy.orm import Session

from tsbkart.db.stewardship import UserRow
from tsbkart.stewardship.accounts import AccountError, find_user, grants_of
from tsbkart.stewardship.audit import AuditEvent, append
from tsbkart.stewardship.keys import Keys
from tsbkart.stewardship.roles import ActorRef

ISSUER = "tsbkart"
SECOND_FACTOR_ROLES = frozenset({"administrator", "reviewer"})


def enrol(session: Session, username: str, keys: Keys, *, by: ActorRef, now: datetime) -> str:
    """Give ``username`` a new TOTP secret; returns the otpauth:// URI to load into an authenticator app."""
    user = find_user(session, username)
    if user is None:
        raise AccountError(f"No user is called {username!r}.")
    if not {g.role for g in grants_of(session, user.id)} & SECOND_FACTOR_ROLES:
        raise AccountError("A second factor is for administrators and reviewers.")
    secret = pyotp.random_base32()
    user.totp_secret = keys.fernet().encrypt(secret.encode()).decode()
    append(session, AuditEvent("second_factor_enrolled", by, target=f"user:{user.username}"), now)
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=ISSUER)


def secret_of(user: UserRow, keys: Keys) -> str | None:
    if user.totp_secret is None:
        return None
    return keys.fernet().decrypt(user.totp_secret.encode()).decode()


def check_code(user: UserRow, keys: Keys, code: str, now: datetime) -> bool:
    secret = secret_of(user, keys)
    code = "".join(code.split())
    if secret is None or not code.isdigit():
        return False
    return pyotp.TOTP(secret).verify(code, for_time=now, valid_window=1)
