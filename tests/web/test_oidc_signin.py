"""OpenID Connect sign-in against a real provider on 127.0.0.1 (authlib's server, tests/stewardship/oidc_provider.py):
PKCE, state and nonce, client_secret_basic and private_key_jwt, the acr check, account linking, audit."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from joserfc.jwk import RSAKey
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from tests.stewardship.cheap_hashing import cheap_argon2
from tests.stewardship.helpers import add_user, migrated_with_two_organisations
from tests.stewardship.oidc_provider import Provider, ProviderUser, run_provider
from tests.stewardship.oidc_provider import RegisteredClient as OidcClientEntry
from tests.web.api_client import TestClient, client_for
from tsbkart.db.stewardship import AuditEventRow, UserRow

SECRET = "oidc-test-secret-key-long-enough-0123456789"
CALLBACK = "http://testserver/logg-inn/oidc/svar"
KARI = ProviderUser(
    "sub-kari-1",
    {"email": "kari@hf.example", "email_verified": True, "name": "Kari"},
    acr="idporten-loa-high",
)


@pytest.fixture
def world(sqlite_engine: Engine) -> Iterator[Engine]:
    with cheap_argon2():
        migrated_with_two_organisations(sqlite_engine)
        add_user(
            sqlite_engine, "kari", "steward", "organisation", "org-a", password=None, email="kari@hf.example"
        )
        yield sqlite_engine


def _client(engine: Engine, provider: Provider, **settings: object) -> TestClient:
    return client_for(
        engine,
        secret_key=SECRET,
        public_base_url="http://testserver",
        oidc_issuer=provider.issuer,
        oidc_client_id="tsbkart",
        **settings,
    )


def _round_trip(client: TestClient, next_url: str = "/enhet/unit-a") -> tuple[str, object]:
    """Start at tsbkart, let the provider answer, come back; returns (the provider URL, tsbkart's answer)."""
    start = client.get(f"/logg-inn/oidc?next={next_url}", follow_redirects=False)
    assert start.status_code == 303
    location = start.headers["location"]
    answer = requests.get(location, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["location"])
    assert f"{back.scheme}://{back.netloc}{back.path}" == CALLBACK
    return location, client.get(f"{back.path}?{back.query}", follow_redirects=False)


def _events(engine: Engine) -> list[tuple[str, dict[str, object]]]:
    with Session(engine) as s:
        return [
            (e.action, e.detail)
            for e in s.execute(select(AuditEventRow).order_by(AuditEventRow.id)).scalars()
        ]


def test_sign_in_with_client_secret_pkce_and_acr(world: Engine) -> None:
    entry = OidcClientEntry("tsbkart", CALLBACK, secret="client-secret-1")
    with run_provider([entry], KARI) as provider:
        client = _client(
            world, provider, oidc_client_secret="client-secret-1", oidc_acr_values="idporten-loa-high"
        )
        location, back = _round_trip(client)
        query = parse_qs(urlsplit(location).query)
        assert query["code_challenge_method"] == ["S256"] and query["nonce"] and query["state"]
        assert query["acr_values"] == ["idporten-loa-high"]
        assert back.status_code == 200  # type: ignore[attr-defined]
        assert 'content="0; url=/enhet/unit-a"' in back.text  # type: ignore[attr-defined]
        assert "Kari" in client.get("/enhet/unit-a").text
        assert provider.token_requests[-1]["code_verifier"]
    with Session(world) as s:
        kari = s.execute(select(UserRow).where(UserRow.username == "kari")).scalar_one()
    assert (kari.oidc_issuer, kari.oidc_subject) == (provider.issuer, "sub-kari-1")  # linked on first use
    assert kari.language == "nb"  # the page's language: e-mail to kari is in bokmål
    assert ("sign_in", {"method": "oidc", "session": 1}) in _events(world)


def test_sign_in_with_private_key_jwt(world: Engine, tmp_path: Path) -> None:
    key = RSAKey.generate_key(2048, parameters={"kid": "tsbkart-1"})
    key_file = tmp_path / "client.jwk"
    key_file.write_text(json.dumps(key.as_dict(private=True)))
    entry = OidcClientEntry("tsbkart", CALLBACK, public_jwk=key.as_dict(private=False))
    with run_provider([entry], KARI) as provider:
        client = _client(world, provider, oidc_private_key_file=str(key_file))
        _, back = _round_trip(client)
        assert back.status_code == 200, back.text  # type: ignore[attr-defined]
        sent = provider.token_requests[-1]
        assert sent["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
        assert "client_secret" not in sent and sent["client_assertion"].count(".") == 2
    assert "Kari" in client.get("/").text


def test_a_too_low_assurance_level_is_refused_and_audited(world: Engine) -> None:
    low = ProviderUser(KARI.sub, KARI.claims, acr="idporten-loa-substantial")
    with run_provider([OidcClientEntry("tsbkart", CALLBACK, secret="s-1")], low) as provider:
        client = _client(world, provider, oidc_client_secret="s-1", oidc_acr_values="idporten-loa-high")
        _, back = _round_trip(client)
    assert back.status_code == 401 and "sikkerhetsnivået" in back.text  # type: ignore[attr-defined]
    assert "tsbkart_session" not in back.headers.get("set-cookie", "")  # type: ignore[attr-defined]
    assert (
        "sign_in_failed",
        {"reason": "acr_too_low", "method": "oidc", "issuer": provider.issuer},
    ) in _events(world)


def test_a_wrong_client_secret_and_a_forged_state_fail(world: Engine) -> None:
    with run_provider([OidcClientEntry("tsbkart", CALLBACK, secret="right")], KARI) as provider:
        wrong = _client(world, provider, oidc_client_secret="wrong")
        _, back = _round_trip(wrong)
        assert back.status_code == 401  # type: ignore[attr-defined]
        client = _client(world, provider, oidc_client_secret="right")
        start = client.get("/logg-inn/oidc", follow_redirects=False)
        answer = requests.get(start.headers["location"], allow_redirects=False, timeout=10)
        code = parse_qs(urlsplit(answer.headers["location"]).query)["code"][0]
        forged = client.get(f"/logg-inn/oidc/svar?code={code}&state=forged")
        assert forged.status_code == 401
        no_cookie = _client(world, provider, oidc_client_secret="right").get(
            f"/logg-inn/oidc/svar?code={code}&state=x"
        )
        assert no_cookie.status_code == 400
    reasons = [d.get("reason") for a, d in _events(world) if a == "sign_in_failed"]
    assert reasons == ["token_exchange_failed", "state_mismatch", "no_transaction"]


def test_an_unknown_subject_gets_no_session(world: Engine) -> None:
    stranger = ProviderUser("sub-nobody", {"email": "nobody@example.org", "email_verified": True})
    with run_provider([OidcClientEntry("tsbkart", CALLBACK, secret="s")], stranger) as provider:
        _, back = _round_trip(_client(world, provider, oidc_client_secret="s"))
    assert back.status_code == 403 and "Ingen konto" in back.text  # type: ignore[attr-defined]


def test_without_an_issuer_the_oidc_pages_are_not_found(world: Engine) -> None:
    client = client_for(world, secret_key=SECRET)
    assert client.get("/logg-inn/oidc").status_code == 404
    assert "HelseID" not in client.get("/logg-inn").text


def test_the_client_assertion_lives_at_most_60_seconds_and_names_the_key(
    world: Engine, tmp_path: Path
) -> None:
    from joserfc import jwt as jose_jwt

    key = RSAKey.generate_key(2048, parameters={"kid": "tsbkart-2"})
    key_file = tmp_path / "client.jwk"
    key_file.write_text(json.dumps(key.as_dict(private=True)))
    entry = OidcClientEntry("tsbkart", CALLBACK, public_jwk=key.as_dict(private=False))
    with run_provider([entry], KARI) as provider:
        _round_trip(_client(world, provider, oidc_private_key_file=str(key_file)))
        assertion = jose_jwt.decode(provider.token_requests[-1]["client_assertion"], key)
    claims = assertion.claims
    assert assertion.header["kid"] == "tsbkart-2"
    assert claims["iss"] == claims["sub"] == "tsbkart" and claims["aud"] == f"{provider.issuer}/token"
    assert 0 < claims["exp"] - claims["iat"] <= 60 and len(claims["jti"]) >= 32
