"""Sign-in, sessions and CSRF through the real app (TestClient): cookie flags, CSRF refusals, lockout,
who-am-I on every page, and anonymous public pages that stay cacheable and set no cookie."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from tests.stewardship.helpers import CLI, NOW, PASSWORD
from tests.web.api_client import TestClient, client_for
from tsbkart.db.stewardship import AuditEventRow
from tsbkart.stewardship.accounts import disable_user

SECRET = "test-secret-key-that-is-long-enough-0123456789"


pytestmark = pytest.mark.usefixtures("fast_hashes")


def _client(engine: Engine, **settings: object) -> TestClient:
    return client_for(engine, secret_key=SECRET, **settings)


def form_token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def sign_in(client: TestClient, username: str = "kari", password: str = PASSWORD, next: str = "/") -> object:
    token = form_token(client.get("/logg-inn").text)
    return client.post(
        "/logg-inn",
        data={"username": username, "password": password, "csrf_token": token, "next": next},
        follow_redirects=False,
    )


def _actions(engine: Engine) -> list[str]:
    with Session(engine) as s:
        return list(s.execute(select(AuditEventRow.action).order_by(AuditEventRow.id)).scalars())


@pytest.mark.parametrize("path", ["/", "/enhet/unit-a", "/finn", "/atlas", "/api/v1/units"])
def test_anonymous_public_pages_set_no_cookie_and_stay_cacheable(stewards: Engine, path: str) -> None:
    response = _client(stewards).get(path)
    assert response.status_code == 200
    assert "set-cookie" not in response.headers
    assert "no-store" not in response.headers.get("cache-control", "") or path == "/finn"


def test_signed_in_user_sees_their_name_on_every_page_and_it_is_not_cached(stewards: Engine) -> None:
    client = _client(stewards)
    assert sign_in(client).status_code == 303  # type: ignore[attr-defined]
    for path in ("/", "/enhet/unit-a", "/finn", "/atlas", "/omrade/hf/unn"):
        response = client.get(path)
        assert "Kari" in response.text and "Logg ut" in response.text, path
        assert response.headers["cache-control"] == "private, no-store"


def test_session_cookie_flags_local_and_behind_tls(stewards: Engine) -> None:
    local = sign_in(_client(stewards)).headers["set-cookie"]  # type: ignore[attr-defined]
    assert local.startswith("tsbkart_session=")
    assert "HttpOnly" in local and "SameSite=strict" in local and "Secure" not in local
    assert "Max-Age" not in local.split("tsbkart_signin")[0]  # a browser-session cookie
    tls = _client(stewards, behind_tls=True, public_base_url="https://testserver")
    tls.base_url = "https://testserver"  # type: ignore[assignment]
    cookie = sign_in(tls).headers["set-cookie"]  # type: ignore[attr-defined]
    assert cookie.startswith("__Host-tsbkart_session=")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie


def test_csrf_refused_without_the_token_or_with_another_sessions_token(stewards: Engine) -> None:
    client = _client(stewards)
    client.get("/logg-inn")
    no_token = client.post(
        "/logg-inn", data={"username": "kari", "password": PASSWORD}, follow_redirects=False
    )
    assert no_token.status_code == 403 and "set-cookie" not in no_token.headers
    sign_in(client)
    assert client.post("/logg-ut", follow_redirects=False).status_code == 403
    other = _client(stewards)
    sign_in(other, "admin")
    stolen = form_token(other.get("/").text)
    assert client.post("/logg-ut", data={"csrf_token": stolen}, follow_redirects=False).status_code == 403
    assert "Kari" in client.get("/").text  # still signed in: nothing happened
    assert _actions(stewards).count("permission_refused") == 3


def test_sign_out_revokes_the_session_server_side(stewards: Engine) -> None:
    client = _client(stewards)
    sign_in(client)
    cookie = client.cookies.get("tsbkart_session")
    response = client.post(
        "/logg-ut", data={"csrf_token": form_token(client.get("/").text)}, follow_redirects=False
    )
    assert response.status_code == 303
    replay = _client(stewards)
    replay.cookies.set("tsbkart_session", cookie or "")
    page = replay.get("/")
    assert "Kari" not in page.text and 'tsbkart_session=""' in page.headers.get("set-cookie", "")
    assert "sign_out" in _actions(stewards)


def test_disabling_an_account_ends_its_session_at_once(stewards: Engine) -> None:
    client = _client(stewards)
    sign_in(client)
    assert "Kari" in client.get("/").text
    with Session(stewards) as s, s.begin():
        disable_user(s, "kari", by=CLI, now=NOW)
    assert "Kari" not in client.get("/").text


def test_lockout_after_repeated_failures_through_the_form(stewards: Engine) -> None:
    client = _client(stewards)
    statuses = [sign_in(client, password="not the password").status_code for _ in range(5)]  # type: ignore[attr-defined]
    assert statuses == [401] * 5
    locked = sign_in(client)
    assert locked.status_code == 429  # type: ignore[attr-defined]
    assert "For mange mislykkede forsøk" in locked.text  # type: ignore[attr-defined]
    assert "set-cookie" not in locked.headers or "tsbkart_session" not in locked.headers["set-cookie"]  # type: ignore[attr-defined]


def test_wrong_password_message_in_both_languages_and_no_open_redirect(stewards: Engine) -> None:
    client = _client(stewards)
    assert "Feil brukernavn eller passord" in sign_in(client, password="wrong password x").text  # type: ignore[attr-defined]
    client.get("/?lang=en")
    assert "Wrong username or password" in sign_in(client, password="wrong password x").text  # type: ignore[attr-defined]
    assert sign_in(client, next="https://evil.example/").headers["location"] == "/"  # type: ignore[attr-defined]
    assert sign_in(client, next="//evil.example/").headers["location"] == "/"  # type: ignore[attr-defined]


def test_audit_page_for_administrators_only(stewards: Engine) -> None:
    anonymous = _client(stewards).get("/admin/logg", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/logg-inn?next=")
    steward = _client(stewards)
    sign_in(steward)
    assert steward.get("/admin/logg").status_code == 403
    admin = _client(stewards)
    sign_in(admin, "admin")
    page = admin.get("/admin/logg?outcome=refused")
    assert page.status_code == 200 and "tilgang avvist" in page.text and "Kari" in page.text
    assert admin.get("/admin/logg?from=not-a-date").status_code == 400
    assert admin.get("/admin/logg?action=sign_in&side=99").status_code == 200


def test_second_factor_is_asked_after_the_password_and_wrong_codes_refused(stewards: Engine) -> None:
    import pyotp

    from tsbkart.settings import Settings
    from tsbkart.stewardship.keys import Keys
    from tsbkart.stewardship.totp import enrol

    with Session(stewards) as s, s.begin():
        uri = enrol(s, "admin", Keys.from_settings(Settings(secret_key=SECRET)), by=CLI, now=NOW)  # type: ignore[arg-type]
    totp = pyotp.parse_uri(uri)
    client = _client(stewards)
    first = sign_in(client, "admin", next="/admin/logg")
    assert first.headers["location"] == "/logg-inn/kode?next=/admin/logg"  # type: ignore[attr-defined]
    assert "Ada" not in client.get("/").text and "Admin" not in client.get("/").text  # not signed in yet
    assert client.get("/admin/logg", follow_redirects=False).status_code == 303
    page = client.get("/logg-inn/kode?next=/admin/logg")
    token = form_token(page.text)
    wrong = client.post("/logg-inn/kode", data={"code": "000000", "csrf_token": token, "next": "/admin/logg"})
    assert wrong.status_code == 401 and "Koden var feil" in wrong.text
    done_code = totp.now()
    done = client.post(
        "/logg-inn/kode",
        data={"code": done_code, "csrf_token": token, "next": "/admin/logg"},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == "/admin/logg"
    assert client.get("/admin/logg").status_code == 200
    assert "sign_in" in _actions(stewards) and "second_factor_enrolled" in _actions(stewards)
    # The same code once more, from another browser that has the password: refused (no replay).
    other = _client(stewards)
    sign_in(other, "admin", next="/admin/logg")
    token = form_token(other.get("/logg-inn/kode?next=/admin/logg").text)
    replay = other.post("/logg-inn/kode", data={"code": done_code, "csrf_token": token, "next": "/"})
    assert replay.status_code == 401


def test_the_account_keeps_the_language_it_signs_in_with(stewards: Engine) -> None:
    from tsbkart.db.stewardship import UserRow

    def stored() -> str | None:
        with Session(stewards) as s:
            return s.execute(select(UserRow.language).where(UserRow.username == "kari")).scalar_one()

    assert stored() is None  # never signed in: e-mail to the account is in the default language
    english = _client(stewards)
    english.cookies.set("lang", "en")
    assert sign_in(english).status_code == 303  # type: ignore[attr-defined]
    assert stored() == "en"
    assert sign_in(_client(stewards)).status_code == 303  # type: ignore[attr-defined]
    assert stored() == "nb"
