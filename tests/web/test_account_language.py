"""A signed-in account's language follows the page header's language switch (``?lang=`` that sets the ``lang``
cookie): stored and audited once per change, nothing written when unchanged, for anonymous visitors or for API
calls, and the next notice and reminder are in the new language (a real SMTP server on 127.0.0.1)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, event, select, update
from sqlalchemy.orm import Session

from tests.stewardship.smtp_server import smtp_server
from tests.stewardship.test_reminders import DUE_SOON, POLICY
from tests.web.api_client import TestClient, app_for
from tests.web.test_reports import _file
from tests.web.test_signin import SECRET, sign_in
from tsbkart.db.stewardship import AuditEventRow, UserRow
from tsbkart.registry.store import Registry
from tsbkart.settings import Settings
from tsbkart.stewardship.reminders import send_reminders, smtp_sender
from tsbkart.web.i18n import catalogue

pytestmark = pytest.mark.usefixtures("fast_hashes")


def _client(engine: Engine, **settings: object) -> TestClient:
    app, _ = app_for(engine, secret_key=SECRET, **settings)
    return TestClient(app)


def _language(engine: Engine, username: str = "kari") -> str | None:
    with Session(engine) as s:
        return s.execute(select(UserRow.language).where(UserRow.username == username)).scalar_one()


def _changes(engine: Engine) -> list[AuditEventRow]:
    with Session(engine) as s:
        query = select(AuditEventRow).where(AuditEventRow.action == "language_changed")
        return list(s.scalars(query.order_by(AuditEventRow.id)))


def _event_count(engine: Engine) -> int:
    with Session(engine) as s:
        return len(s.scalars(select(AuditEventRow.id)).all())


@contextmanager
def _statements(engine: Engine) -> Iterator[list[str]]:
    """Every SQL statement the engine runs meanwhile (the app and the test share the engine)."""
    seen: list[str] = []

    def keep(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", keep)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", keep)


def _signed_in(engine: Engine, **settings: object) -> TestClient:
    client = _client(engine, **settings)
    assert sign_in(client).status_code == 303  # type: ignore[attr-defined]
    assert _language(engine) == "nb"  # signed in on a bokmål page
    return client


def test_a_switch_while_signed_in_changes_the_account_language_with_one_audit_event(stewards: Engine) -> None:
    client = _signed_in(stewards)
    page = client.get("/?lang=en")
    assert page.status_code == 200 and 'lang="en"' in page.text
    assert "lang=en" in page.headers["set-cookie"]  # the switch is remembered in the cookie, as for anyone
    assert _language(stewards) == "en"
    (changed,) = _changes(stewards)
    assert (changed.actor_kind, changed.actor_name, changed.target) == ("user", "Kari", "user:kari")
    assert changed.outcome == "ok" and changed.detail == {"from": "nb", "to": "en"}
    assert changed.source == "testclient"
    client.get("/enhet/unit-a")  # the cookie holds en now: no switch, nothing written
    client.get("/finn?lang=en")
    assert len(_changes(stewards)) == 1
    client.get("/atlas?lang=nb")  # back again: one more event
    assert _language(stewards) == "nb"
    assert [e.detail for e in _changes(stewards)] == [{"from": "nb", "to": "en"}, {"from": "en", "to": "nb"}]


def test_only_the_signed_in_account_changes(stewards: Engine) -> None:
    kari = _signed_in(stewards)
    berit = _client(stewards)
    sign_in(berit, "berit")
    kari.get("/?lang=en")
    assert (_language(stewards, "kari"), _language(stewards, "berit")) == ("en", "nb")
    assert [e.target for e in _changes(stewards)] == ["user:kari"]


def test_a_switch_to_the_language_the_account_has_writes_nothing_and_costs_no_query(stewards: Engine) -> None:
    client = _signed_in(stewards)  # account nb, and no lang cookie: ?lang=nb is a switch of the cookie
    before = _event_count(stewards)
    with _statements(stewards) as plain:
        client.get("/")
    with _statements(stewards) as switched:
        page = client.get("/?lang=nb")
    assert "lang=nb" in page.headers["set-cookie"]
    assert _event_count(stewards) == before and _changes(stewards) == []
    assert not [s for s in switched if s.startswith(("UPDATE users", "INSERT INTO audit"))]
    assert len(switched) == len(plain)  # the account row is read to resolve the session anyway


def test_an_anonymous_switch_writes_nothing(stewards: Engine) -> None:
    before = _event_count(stewards)
    with _statements(stewards) as seen:
        page = _client(stewards).get("/?lang=en")
    assert page.status_code == 200 and "lang=en" in page.headers["set-cookie"]
    assert _event_count(stewards) == before
    assert not [s for s in seen if "users" in s or "audit" in s]  # no session: the accounts are not read
    assert _language(stewards) is None  # kari never signed in


def test_an_api_call_or_a_post_with_lang_is_no_switch(stewards: Engine) -> None:
    client = _signed_in(stewards)
    assert client.get("/api/v1/units?lang=en").status_code == 200
    client.post("/logg-ut?lang=en")  # refused without a CSRF token, and no switch either
    assert _language(stewards) == "nb" and _changes(stewards) == []


def test_a_session_waiting_for_its_second_factor_does_not_switch(stewards: Engine) -> None:
    from tests.stewardship.helpers import CLI, NOW
    from tsbkart.stewardship.keys import Keys
    from tsbkart.stewardship.totp import enrol

    with Session(stewards) as s, s.begin():
        enrol(s, "rolf", Keys.from_settings(Settings(secret_key=SECRET)), by=CLI, now=NOW)  # type: ignore[arg-type]
    client = _client(stewards)
    assert sign_in(client, "rolf").headers["location"].startswith("/logg-inn/kode")  # type: ignore[attr-defined]
    assert client.get("/logg-inn/kode?lang=en").status_code == 200
    assert _language(stewards, "rolf") == "nb" and _changes(stewards) == []


def test_the_dashboard_says_which_language_e_mail_is_in_and_that_the_switch_changes_it(
    stewards: Engine,
) -> None:
    client = _signed_in(stewards)
    bokmal = client.get("/forvalt").text
    assert "E-post til deg" in bokmal and "på e-post på bokmål." in bokmal
    assert "Bytter du språk øverst på siden mens du er logget inn, endres også dette." in bokmal
    english = client.get("/forvalt?lang=en").text  # the switch on this very page: it shows the new language
    assert "E-mail to you" in english and "e-mailed to you in English." in english
    assert "Switching the language at the top of the page while signed in changes it as well." in english


@pytest.mark.parametrize("language", ["nb", "en"])
def test_every_language_has_its_name_in_both_catalogues(language: str) -> None:
    from tsbkart.web.i18n import LANGUAGES

    gettext = catalogue(language).gettext
    assert [code for code in LANGUAGES if gettext(f"language:{code}") == f"language:{code}"] == []


@pytest.fixture
def kari_with_address(stewards: Engine) -> Engine:
    with Session(stewards) as s, s.begin():
        s.execute(update(UserRow).where(UserRow.username == "kari").values(email="kari@a.example"))
    return stewards


def test_the_next_notice_and_reminder_come_in_the_language_switched_to(kari_with_address: Engine) -> None:
    engine = kari_with_address
    with smtp_server() as inbox:
        settings = {"smtp_port": inbox.port, "public_base_url": "https://tsbkart.example"}
        kari = _signed_in(engine, **settings)
        _file(_client(engine, **settings), "Feil telefonnummer")  # the notice before the switch: bokmål
        kari.get("/?lang=en")
        sent = _file(_client(engine, **settings), "Feil adresse")  # the notice after it: English
        with smtp_sender(Settings(smtp_host="127.0.0.1", smtp_port=inbox.port)) as send:
            send_reminders(
                engine,
                Registry(engine).snapshot(),
                today=DUE_SOON,
                now=datetime.combine(DUE_SOON, datetime.min.time(), UTC),
                send=send,
                gettext=catalogue("nb").gettext,  # as `tsbkart remind`: the run's language for the rest
                gettext_for=lambda language: catalogue(language).gettext,
                base_url="https://tsbkart.example",
                sender="tsbkart@example.org",
                policy=POLICY,
            )
    reference = sent.headers["location"].split("/")[2].split("?")[0]  # type: ignore[attr-defined]
    first, notice, digest = inbox.to("kari@a.example")
    assert first["Subject"].startswith("tsbkart: ny feilmelding ")
    assert notice["Subject"] == f"tsbkart: new error report {reference}"
    assert digest["Subject"].endswith("facts to verify") and digest.get_content().startswith("Hello Kari,")
