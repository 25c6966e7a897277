"""OpenID Connect sign-in (HelseID, ID-porten, any issuer): authorization code flow with PKCE (S256), state
and nonce, client authentication by ``private_key_jwt`` (what HelseID requires) or by client secret
(``client_secret_basic``), and an ID token checked for signature (the issuer's JWKS), issuer, audience, expiry,
nonce and, when configured, an accepted ``acr`` (assurance level).

authlib does the OAuth 2 client (``requests_client.OAuth2Session``, ``rfc7523.PrivateKeyJWT``); joserfc checks
the ID token. The transaction (state, nonce, code verifier, where to go next) travels in a signed, short-lived
cookie set by the web layer; nothing about it is stored server-side.

A sign-in maps to an account by (issuer, ``sub``); an account made for OpenID Connect without a subject yet is
linked on first sign-in when the provider vouches for the e-mail address (``email_verified``).
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7523 import PrivateKeyJWT, private_key_jwt_sign
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, import_key
from sqlalchemy import select
from sqlalchemy.orm import Session

from tsbkart.db.stewardship import UserRow
from tsbkart.settings import Settings
from tsbkart.stewardship.audit import AuditEvent, append
from tsbkart.stewardship.roles import ANONYMOUS, ActorRef

TIMEOUT_SECONDS = 10
# HelseID accepts a client assertion whose exp is at most 60 s ahead; each carries a fresh jti.
ASSERTION_SECONDS = 60
ID_TOKEN_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"]


class OidcError(Exception):
    """Sign-in through the provider failed; ``reason`` is a short code for the audit log and the message."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class OidcConfig:
    issuer: str
    client_id: str
    redirect_uri: str
    scopes: str = "openid profile email"
    client_secret: str | None = None
    private_key: dict[str, Any] | None = None  # a JWK with its private part
    acr_values: tuple[str, ...] = ()

    @classmethod
    def from_settings(cls, settings: Settings) -> OidcConfig | None:
        if not settings.oidc_issuer or not settings.oidc_client_id:
            return None
        key = _read_private_key(settings.oidc_private_key_file) if settings.oidc_private_key_file else None
        secret = settings.oidc_client_secret.get_secret_value() if settings.oidc_client_secret else None
        return cls(
            issuer=settings.oidc_issuer.rstrip("/"),
            client_id=settings.oidc_client_id,
            redirect_uri=settings.public_base_url.rstrip("/") + "/logg-inn/oidc/svar",
            scopes=settings.oidc_scopes,
            client_secret=secret,
            private_key=key,
            acr_values=tuple((settings.oidc_acr_values or "").split()),
        )

    @property
    def auth_method(self) -> str:
        return "private_key_jwt" if self.private_key is not None else "client_secret_basic"


def _read_private_key(path: Path) -> dict[str, Any]:
    """A PEM file or a JWK (JSON) file; the key id (``kid``) is kept so the provider can pick the right key."""
    text = path.read_text(encoding="utf-8")
    if text.lstrip().startswith("{"):
        jwk: dict[str, Any] = json.loads(text)
        return jwk
    key = import_key(text, "RSA" if "RSA" in text or "BEGIN PRIVATE KEY" in text else "EC")
    return dict(key.as_dict(private=True))


@dataclass(frozen=True)
class Transaction:
    """What the callback needs to check the answer: ``{"state": ..., "nonce": ..., "verifier": ..., "next": "/"}``."""

    state: str
    nonce: str
    verifier: str
    next: str

    def as_dict(self) -> dict[str, str]:
        return {"state": self.state, "nonce": self.nonce, "verifier": self.verifier, "next": self.next}


class ShortLivedPrivateKeyJWT(PrivateKeyJWT):  # type: ignore[misc]
    """authlib's private_key_jwt with a 60-second assertion, any key type (RSA, EC) and the key's ``kid``."""

    def sign(self, auth: Any, token_endpoint: str) -> bytes:
        key = import_key(auth.client_secret)
        alg = auth.client_secret.get("alg") or ("ES256" if key.key_type == "EC" else "RS256")
        header = {"kid": auth.client_secret["kid"]} if auth.client_secret.get("kid") else None
        signed: bytes = private_key_jwt_sign(
            key,
            client_id=auth.client_id,
            token_endpoint=token_endpoint,
            header=header,
            alg=alg,
            expires_in=ASSERTION_SECONDS,
        )
        return signed


class OidcClient:
    def __init__(self, config: OidcConfig, http: requests.Session | None = None) -> None:
        self.config = config
        self.http = http or requests.Session()

    @cached_property
    def metadata(self) -> dict[str, Any]:
        """The provider's discovery document (fetched once per process)."""
        url = f"{self.config.issuer}/.well-known/openid-configuration"
        document: dict[str, Any] = self._get_json(url)
        if document.get("issuer", "").rstrip("/") != self.config.issuer:
            raise OidcError("issuer_mismatch")
        return document

    def _get_json(self, url: str) -> dict[str, Any]:
        try:
            response = self.http.get(url, timeout=TIMEOUT_SECONDS)
            response.raise_for_status()
            body: dict[str, Any] = response.json()
        except (requests.RequestException, ValueError):
            raise OidcError("provider_unreachable") from None
        return body

    def _session(self, state: str | None = None) -> OAuth2Session:
        config = self.config
        session = OAuth2Session(
            config.client_id,
            config.private_key if config.private_key is not None else config.client_secret,
            scope=config.scopes,
            redirect_uri=config.redirect_uri,
            state=state,
            code_challenge_method="S256",
            token_endpoint_auth_method=config.auth_method,
        )
        if config.private_key is not None:
            session.register_client_auth_method(ShortLivedPrivateKeyJWT(self.metadata["token_endpoint"]))
        return session

    def begin(self, next_url: str) -> tuple[str, Transaction]:
        """The provider's authorization URL to send the browser to, and the transaction to keep in a cookie."""
        verifier = secrets.token_urlsafe(48)
        nonce = secrets.token_urlsafe(24)
        extra: dict[str, str] = {"nonce": nonce}
        if self.config.acr_values:
            extra["acr_values"] = " ".join(self.config.acr_values)
        url, state = self._session().create_authorization_url(
            self.metadata["authorization_endpoint"], code_verifier=verifier, **extra
        )
        return url, Transaction(state, nonce, verifier, next_url)

    def finish(self, query: dict[str, str], transaction: Transaction, now: datetime) -> dict[str, Any]:
        """Exchange the code, check the ID token; returns its claims. Raises OidcError with a reason."""
        if "error" in query:
            raise OidcError("provider_refused")
        if not query.get("code") or not secrets.compare_digest(query.get("state", ""), transaction.state):
            raise OidcError("state_mismatch")
        try:
            token = self._session(transaction.state).fetch_token(
                self.metadata["token_endpoint"],
                grant_type="authorization_code",
                code=query["code"],
                code_verifier=transaction.verifier,
                timeout=TIMEOUT_SECONDS,
            )
        except Exception:  # authlib raises its OAuthError, requests its own; both mean "no token"
            raise OidcError("token_exchange_failed") from None
        if "id_token" not in token:
            raise OidcError("no_id_token")
        return self.check_id_token(token["id_token"], transaction.nonce, now)

    def check_id_token(self, id_token: str, nonce: str, now: datetime) -> dict[str, Any]:
        keys = KeySet.import_key_set(self._get_json(self.metadata["jwks_uri"]))  # type: ignore[arg-type]
        try:
            decoded = jwt.decode(id_token, keys, algorithms=ID_TOKEN_ALGORITHMS)
            jwt.JWTClaimsRegistry(
                now=int(now.timestamp()),
                leeway=60,
                iss={"essential": True, "value": self.config.issuer},
                aud={"essential": True, "value": self.config.client_id},
                sub={"essential": True},
                exp={"essential": True},
                nonce={"essential": True, "value": nonce},
            ).validate(decoded.claims)
        except (JoseError, ValueError):
            raise OidcError("invalid_id_token") from None
        claims: dict[str, Any] = dict(decoded.claims)
        if self.config.acr_values and claims.get("acr") not in self.config.acr_values:
            raise OidcError("acr_too_low")
        return claims


def account_for(
    session: Session, issuer: str, claims: dict[str, Any], *, now: datetime, source: str | None
) -> UserRow | None:
    """The enabled account for these claims, linking it on first use by verified e-mail; None (audited) if
    there is none."""
    subject = str(claims["sub"])
    user = session.execute(
        select(UserRow).where(UserRow.oidc_issuer == issuer, UserRow.oidc_subject == subject)
    ).scalar_one_or_none()
    email = claims.get("email")
    if user is None and email and claims.get("email_verified") is True:
        user = session.execute(
            select(UserRow).where(
                UserRow.email == str(email), UserRow.oidc_subject.is_(None), UserRow.password_hash.is_(None)
            )
        ).scalar_one_or_none()
        if user is not None:
            user.oidc_issuer, user.oidc_subject = issuer, subject
    if user is None or user.disabled_at is not None:
        reason = "no_account" if user is None else "disabled"
        detail = {"reason": reason, "method": "oidc", "issuer": issuer}
        target = f"user:{user.username}" if user else None
        append(session, AuditEvent("sign_in_failed", ANONYMOUS, "failed", target, source, detail), now)
        return None
    return user


def failed(session: Session, reason: str, issuer: str, *, now: datetime, source: str | None) -> None:
    detail = {"reason": reason, "method": "oidc", "issuer": issuer}
    append(
        session,
        AuditEvent(
            "sign_in_failed", ActorRef("anonymous", None, "anonymous"), "failed", None, source, detail
        ),
        now,
    )
