"""Optional second factor: TOTP (RFC 6238, 30 s steps, 6 digits) with pyotp, for administrators and reviewers.

The secret is kept encrypted with a key derived from the server secret (``Keys.fernet``); a code from the
step before or after the current one is accepted, to allow for clock drift. A code is good once: the step it
belongs to is remembered (``users.totp_last_step``) and no code of that step or an earlier one is accepted
again (RFC 6238 section 5.2), so a code seen over someone's shoulder cannot be replayed within its window.
"""

from __future__ import annotations

import hmac
from datetime import datetime

import pyotp
from sqlalchemy.orm import Session

from tsbkart.db.stewardship import UserRow
from tsbkart.domain.messages import Message
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
        raise AccountError(Message("No user is called {username}.", username=repr(username)))
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


# Steps either side of the current one that are accepted (clock drift).
DRIFT_STEPS = 1


def check_code(user: UserRow, keys: Keys, code: str, now: datetime) -> bool:
    """True once for a right code: the step it belongs to is then used up (``user.totp_last_step``)."""
    secret = secret_of(user, keys)
    code = "".join(code.split())
    if secret is None or not code.isdigit():
        return False
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            if user.totp_last_step is not None and step <= user.totp_last_step:
                return False  # replayed (or older than a code already used)
            user.totp_last_step = step
            return True
    return False
