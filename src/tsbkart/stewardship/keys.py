"""The server's secret key and what is derived from it: cookie signers, CSRF tokens, the TOTP cipher.

The key comes from ``TSBKART_SECRET_KEY``, else from ``secret_key_file`` (made with 32 random bytes, mode
0600, on first use). Each use gets its own subkey (HKDF with a purpose label), so a CSRF token can never be
replayed as a cookie signature.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from itsdangerous import BadSignature, Signer, URLSafeTimedSerializer

from tsbkart.settings import Settings


def load_secret(settings: Settings) -> bytes:
    if settings.secret_key is not None:
        value = settings.secret_key.get_secret_value().encode()
        if len(value) < 32:
            raise ValueError("TSBKART_SECRET_KEY must have at least 32 characters")
        return value
    path = Path(settings.secret_key_file)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(32))
    return path.read_text().strip().encode()


def token_hash(token: str) -> str:
    """How a bearer secret (session token, API token) is stored: SHA-256 hex (the token has 256 random bits)."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class Keys:
    secret: bytes

    @classmethod
    def from_settings(cls, settings: Settings) -> Keys:
        return cls(load_secret(settings))

    def subkey(self, purpose: str) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode()).derive(
            self.secret
        )

    def cookie_signer(self) -> Signer:
        return Signer(self.subkey("session-cookie"), salt="tsbkart-session")

    def serializer(self, purpose: str) -> URLSafeTimedSerializer:
        """Signed, timestamped values (the sign-in transaction, the OIDC state)."""
        return URLSafeTimedSerializer(self.subkey(purpose), salt=purpose)

    def csrf_token(self, binding: str) -> str:
        """The synchroniser token for a session (or sign-in nonce) ``binding``."""
        return hmac.new(self.subkey("csrf"), binding.encode(), hashlib.sha256).hexdigest()

    def csrf_ok(self, binding: str, token: str | None) -> bool:
        return token is not None and hmac.compare_digest(self.csrf_token(binding), token)

    def fernet(self) -> Fernet:
        return Fernet(base64.urlsafe_b64encode(self.subkey("totp-secret")))


def unsign(signer: Signer, value: str) -> str | None:
    try:
        return signer.unsign(value).decode()
    except BadSignature:
        return None
