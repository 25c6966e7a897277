"""A real OpenID Connect provider on 127.0.0.1 for tests, built on authlib's own server (Flask integration).

Authorization code flow only, PKCE required (S256), client authentication by ``client_secret_basic`` or
``private_key_jwt`` (RFC 7523, single-use ``jti``), RS256 ID tokens with the configured ``acr`` and claims.
The authorization endpoint signs in the configured user at once (no login form): the tests are about the
relying party, tsbkart.

    with run_provider(clients=[...], user=ProviderUser("sub-1", {"email": ...}, acr="...")) as provider:
        provider.issuer  # "http://127.0.0.1:PORT"
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import ClientMixin, grants
from authlib.oauth2.rfc7523 import JWTBearerClientAssertion
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import OpenIDCode
from flask import Flask, jsonify, request
from joserfc.jwk import KeySet, RSAKey
from werkzeug.serving import make_server


@dataclass
class RegisteredClient(ClientMixin):  # type: ignore[misc]
    client_id: str
    redirect_uri: str
    secret: str | None = None
    public_jwk: dict[str, Any] | None = None

    @property
    def auth_method(self) -> str:
        return "private_key_jwt" if self.public_jwk else "client_secret_basic"

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_allowed_scope(self, scope: str) -> str:
        return " ".join(s for s in scope.split() if s in ("openid", "profile", "email"))

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri == self.redirect_uri

    def check_client_secret(self, client_secret: str) -> bool:
        return self.secret is not None and secrets.compare_digest(self.secret, client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        # authlib's RFC 7523 authenticator asks under its own name for private_key_jwt.
        names = {"private_key_jwt", "client_assertion_jwt"} if self.public_jwk else {self.auth_method}
        return endpoint != "token" or method in names

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass
class ProviderUser:
    sub: str
    claims: dict[str, Any] = field(default_factory=dict)
    acr: str | None = None


@dataclass
class Code:
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    acr: str | None
    user: ProviderUser

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return int(time.time())

    def get_acr(self) -> str | None:
        return self.acr

    def get_amr(self) -> None:
        return None


@dataclass
class Provider:
    issuer: str
    key: RSAKey
    clients: dict[str, RegisteredClient]
    user: ProviderUser
    codes: dict[str, Code] = field(default_factory=dict)
    used_jti: set[str] = field(default_factory=set)
    token_requests: list[dict[str, str]] = field(default_factory=list)


def build_app(provider: Provider) -> Flask:
    app = Flask("test-oidc-provider")
    server = AuthorizationServer(app, query_client=provider.clients.get, save_token=lambda token, req: None)

    class CodeGrant(grants.AuthorizationCodeGrant):  # type: ignore[misc]
        TOKEN_ENDPOINT_AUTH_METHODS = ("client_secret_basic", "private_key_jwt")

        def save_authorization_code(self, code: str, req: Any) -> None:
            payload = req.payload
            provider.codes[code] = Code(
                code,
                req.client.client_id,
                payload.redirect_uri,
                payload.scope,
                payload.data.get("nonce"),
                payload.data.get("code_challenge"),
                payload.data.get("code_challenge_method"),
                provider.user.acr,
                req.user,
            )

        def query_authorization_code(self, code: str, client: RegisteredClient) -> Code | None:
            found = provider.codes.get(code)
            return found if found and found.client_id == client.client_id else None

        def delete_authorization_code(self, code: Code) -> None:
            provider.codes.pop(code.code, None)

        def authenticate_user(self, code: Code) -> ProviderUser:
            return code.user

    class IdToken(OpenIDCode):  # type: ignore[misc]
        def exists_nonce(self, nonce: str, req: Any) -> bool:
            return False

        def resolve_client_private_key(self, client: RegisteredClient) -> dict[str, Any]:
            return dict(provider.key.as_dict(private=True))

        def get_client_algorithm(self, client: RegisteredClient) -> str:
            return "RS256"

        def get_client_claims(self, client: RegisteredClient) -> dict[str, Any]:
            return {"iss": provider.issuer, "aud": [client.client_id], "exp": int(time.time()) + 300}

        def get_encode_header(self, client: RegisteredClient) -> dict[str, str]:
            return {"alg": "RS256", "kid": str(provider.key.kid)}

        def generate_user_info(self, user: ProviderUser, scope: str) -> dict[str, Any]:
            return {"sub": user.sub, **user.claims}

    class ClientAssertion(JWTBearerClientAssertion):  # type: ignore[misc]
        def get_audiences(self) -> list[str]:
            return [f"{provider.issuer}/token", provider.issuer]

        def validate_jti(self, claims: Any, jti: str) -> bool:
            if jti in provider.used_jti:
                return False
            provider.used_jti.add(jti)
            return True

        def resolve_client_public_key(self, client: RegisteredClient) -> Any:
            return KeySet.import_key_set({"keys": [client.public_jwk]})

    server.register_grant(CodeGrant, [IdToken(require_nonce=True), CodeChallenge(required=True)])
    server.register_client_auth_method("private_key_jwt", ClientAssertion())

    @app.get("/.well-known/openid-configuration")
    def discovery() -> Any:
        return jsonify(
            issuer=provider.issuer,
            authorization_endpoint=f"{provider.issuer}/authorize",
            token_endpoint=f"{provider.issuer}/token",
            jwks_uri=f"{provider.issuer}/jwks",
            response_types_supported=["code"],
            code_challenge_methods_supported=["S256"],
            token_endpoint_auth_methods_supported=["client_secret_basic", "private_key_jwt"],
            id_token_signing_alg_values_supported=["RS256"],
            subject_types_supported=["public"],
        )

    @app.get("/jwks")
    def jwks() -> Any:
        return jsonify(keys=[provider.key.as_dict(private=False)])

    @app.get("/authorize")
    def authorize() -> Any:
        try:
            grant = server.get_consent_grant(end_user=provider.user)
        except OAuth2Error as error:
            return server.handle_error_response(None, error)
        return server.create_authorization_response(grant_user=provider.user, grant=grant)

    @app.post("/token")
    def token() -> Any:
        provider.token_requests.append(dict(request.form))
        return server.create_token_response()

    return app


@contextmanager
def run_provider(clients: list[RegisteredClient], user: ProviderUser) -> Iterator[Provider]:
    """The provider listening on a free port of 127.0.0.1 until the block ends."""
    key = RSAKey.generate_key(2048, parameters={"kid": "test-key-1", "use": "sig", "alg": "RS256"})
    provider = Provider("", key, {c.client_id: c for c in clients}, user)
    apps: list[Flask] = []
    # The app needs the issuer URL, which needs the port: bind first, build the app after.
    server = make_server("127.0.0.1", 0, lambda environ, start: apps[0](environ, start), threaded=True)
    provider.issuer = f"http://127.0.0.1:{server.server_port}"
    apps.append(build_app(provider))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        thread.join(5)
