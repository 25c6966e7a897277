"""Error reports through the app: the public form (no cookie, its own token, honeypot, rate limit), the
status page, the stewards' list with answer and dismiss, exports, and escaping of every free-text field."""

from __future__ import annotations

import csv as csv_module
import io
import re
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from tests.web.api_client import TestClient, app_for
from tests.web.test_signin import SECRET, sign_in
from tsbkart.db.stewardship import AuditEventRow, ErrorReportRow

FORM = "/enhet/unit-a/meld-feil"
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
FORMULA = '=HYPERLINK("http://evil.example","klikk")'


pytestmark = pytest.mark.usefixtures("fast_hashes")


def _client(engine: Engine, **settings: object) -> TestClient:
    app, _ = app_for(engine, secret_key=SECRET, **settings)
    return TestClient(app)


def _form_fields(html: str) -> dict[str, str]:
    return dict(re.findall(r'name="(form_issued|form_token)" value="([^"]+)"', html))


def _file(client: TestClient, text: str = "Feil telefonnummer", contact: str = "", **extra: str) -> object:
    fields = _form_fields(client.get(FORM).text)
    return client.post(
        FORM, data={**fields, "text": text, "contact": contact, **extra}, follow_redirects=False
    )


def _reports(engine: Engine) -> list[ErrorReportRow]:
    with Session(engine) as s:
        return list(s.execute(select(ErrorReportRow).order_by(ErrorReportRow.id)).scalars())


def _refusals(engine: Engine) -> int:
    with Session(engine) as s:
        query = (
            select(func.count())
            .select_from(AuditEventRow)
            .where(AuditEventRow.action == "permission_refused")
        )
        return s.execute(query).scalar_one()


def test_every_unit_page_links_the_form_which_sets_no_cookie(stewards: Engine) -> None:
    client = _client(stewards)
    unit = client.get("/enhet/unit-a")
    assert 'href="/enhet/unit-a/meld-feil"' in unit.text and "Meld feil" in unit.text
    form = client.get(FORM)
    assert form.status_code == 200 and "set-cookie" not in form.headers
    assert "no-store" not in form.headers.get("cache-control", "")
    assert "pasienter" in form.text and 'name="website"' in form.text
    assert set(_form_fields(form.text)) == {"form_issued", "form_token"}
    assert client.get("/enhet/nope/meld-feil").status_code == 404


def test_filing_gives_a_reference_and_a_status_page(stewards: Engine) -> None:
    client = _client(stewards)
    sent = _file(client, "Adressen er flyttet.\nNy adresse: Storgata 1", "kari@example.org")
    assert sent.status_code == 303 and "set-cookie" not in sent.headers  # type: ignore[attr-defined]
    location = sent.headers["location"]  # type: ignore[attr-defined]
    reference = re.fullmatch(r"/meldinger/([0-9A-Z]{10})\?ny=1", location)
    assert reference, location
    status = client.get(location)
    assert status.status_code == 200 and "set-cookie" not in status.headers
    assert reference.group(1) in status.text and "Takk" in status.text and "åpen" in status.text
    assert "Storgata 1" in status.text and status.headers["x-robots-tag"] == "noindex"
    assert "kari@example.org" not in status.text  # the contact address is for the stewards only
    row = _reports(stewards)[0]
    assert row.contact == "kari@example.org" and row.organisation_id == "org-a"
    assert "no-cache" in status.headers["cache-control"] and "private" in status.headers["cache-control"]
    assert client.get("/meldinger/ZZZZZZZZZZ").status_code == 404
    english = client.get(f"/meldinger/{reference.group(1)}?lang=en")
    assert "open" in english.text


def test_the_form_needs_its_own_token_and_refuses_cross_site_posts(stewards: Engine) -> None:
    client = _client(stewards)
    fields = _form_fields(client.get(FORM).text)
    data = {"text": "Feil"}
    before = _refusals(stewards)
    assert client.post(FORM, data=data).status_code == 403
    assert client.post(FORM, data={**data, **fields, "form_token": "0" * 64}).status_code == 403
    other = _form_fields(client.get("/enhet/unit-b/meld-feil").text)
    assert client.post(FORM, data={**data, **other}).status_code == 403  # bound to the form's own path
    stale = str(int(fields["form_issued"]) - 31)
    runtime = client.app.state.auth  # type: ignore[attr-defined]
    old = runtime.keys.csrf_token(f"public-form:{FORM}:{stale}")
    assert client.post(FORM, data={**data, "form_issued": stale, "form_token": old}).status_code == 403
    cross = client.post(FORM, data={**data, **fields}, headers={"sec-fetch-site": "cross-site"})
    assert cross.status_code == 403
    assert _refusals(stewards) == before + 5
    assert _reports(stewards) == []
    assert client.post(FORM, data={**data, **fields}, follow_redirects=False).status_code == 303


def test_the_honeypot_and_bad_input_store_nothing(stewards: Engine) -> None:
    client = _client(stewards)
    bot = _file(client, website="http://spam.example")
    assert bot.status_code == 422 and "Skjemaet kunne ikke sendes" in bot.text  # type: ignore[attr-defined]
    empty = _file(client, "   ")
    assert empty.status_code == 422 and "Skriv hva som er feil" in empty.text  # type: ignore[attr-defined]
    address = _file(client, "Feil", "ikke en adresse")
    assert address.status_code == 422 and "e-postadresse" in address.text  # type: ignore[attr-defined]
    assert "ikke en adresse" in address.text  # type: ignore[attr-defined]  # what was typed is kept
    assert _reports(stewards) == []


def test_reports_are_rate_limited_per_address(stewards: Engine) -> None:
    client = _client(stewards, rate_limits=True, rate_limit_error_report="2/hour")
    assert _file(client).status_code == 303  # type: ignore[attr-defined]
    assert _file(client).status_code == 303  # type: ignore[attr-defined]
    limited = _file(client)
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) > 0  # type: ignore[attr-defined]
    assert len(_reports(stewards)) == 2
    assert client.get(FORM).status_code == 200  # reading is not limited


def _signed_in(engine: Engine, username: str) -> tuple[TestClient, str]:
    client = _client(engine)
    sign_in(client, username)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").text)
    assert token
    return client, token.group(1)


def test_the_stewards_of_the_organisation_and_its_reviewers_answer(stewards: Engine) -> None:
    public = _client(stewards)
    location = _file(public, "Telefonen svarer ikke").headers["location"]  # type: ignore[attr-defined]
    reference = location.split("/")[2].split("?")[0]
    kari, kari_csrf = _signed_in(stewards, "kari")
    berit, berit_csrf = _signed_in(stewards, "berit")
    rolf, _ = _signed_in(stewards, "rolf")
    assert 'href="/forvalt/meldinger"' in kari.get("/forvalt").text  # linked from the dashboard
    assert reference in kari.get("/forvalt/meldinger").text
    assert reference in rolf.get("/forvalt/meldinger").text
    assert reference not in berit.get("/forvalt/meldinger").text
    assert public.get("/forvalt/meldinger", follow_redirects=False).status_code == 303
    before = _refusals(stewards)
    refused = berit.post(
        f"/forvalt/meldinger/{reference}/svar", data={"answer": "x", "csrf_token": berit_csrf}
    )
    assert refused.status_code == 403 and _refusals(stewards) == before + 1
    empty = kari.post(f"/forvalt/meldinger/{reference}/svar", data={"answer": "", "csrf_token": kari_csrf})
    assert empty.status_code == 422
    answered = kari.post(
        f"/forvalt/meldinger/{reference}/svar",
        data={"answer": "Nummeret er rettet.", "csrf_token": kari_csrf},
        follow_redirects=False,
    )
    assert answered.status_code == 303
    page = public.get(f"/meldinger/{reference}")
    assert "Nummeret er rettet." in page.text and "besvart" in page.text
    dismissed = kari.post(
        f"/forvalt/meldinger/{reference}/avvis",
        data={"reason": "Gjelder en annen enhet.", "csrf_token": kari_csrf},
        follow_redirects=False,
    )
    assert dismissed.status_code == 303
    assert "Gjelder en annen enhet." in public.get(f"/meldinger/{reference}").text
    assert kari.post(f"/forvalt/meldinger/{reference}/svar", data={"answer": "x"}).status_code == 403  # CSRF
    assert (
        kari.post(
            "/forvalt/meldinger/ZZZZZZZZZZ/svar", data={"answer": "x", "csrf_token": kari_csrf}
        ).status_code
        == 404
    )


def test_public_text_is_escaped_on_every_page_and_guarded_in_every_export(stewards: Engine) -> None:
    public = _client(stewards)
    location = _file(public, f"{XSS}\n{FORMULA}", f"{FORMULA.replace(' ', '')}@x.no").headers["location"]  # type: ignore[attr-defined]
    reference = location.split("/")[2].split("?")[0]
    kari, csrf = _signed_in(stewards, "kari")
    kari.post(f"/forvalt/meldinger/{reference}/svar", data={"answer": f"{XSS} {FORMULA}", "csrf_token": csrf})
    pages = [public.get(f"/meldinger/{reference}"), kari.get("/forvalt/meldinger?status=all")]
    kari.post(f"/forvalt/meldinger/{reference}/avvis", data={"reason": f"{XSS}{FORMULA}", "csrf_token": csrf})
    pages += [public.get(f"/meldinger/{reference}"), kari.get("/forvalt/meldinger?status=all")]
    # An invalid submission shows what was typed back: escaped too.
    pages.append(public.post(FORM, data={**_form_fields(public.get(FORM).text), "text": XSS, "contact": XSS}))
    for page in pages:
        assert "<script>" not in page.text and "<img src=x" not in page.text, page.url
        assert "&lt;script&gt;" in page.text, page.url
    csv = kari.get("/forvalt/meldinger/eksport?status=all&format=csv")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    rows = list(csv_module.reader(io.StringIO(csv.text)))
    cells = [cell for row in rows[1:] for cell in row]
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert any(c.startswith("'=HYPERLINK") for c in cells)  # the contact and the answer
    xlsx = kari.get("/forvalt/meldinger/eksport?status=all&format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    texts = [c for row in sheet.iter_rows(min_row=2) for c in row if isinstance(c.value, str)]
    assert any(c.value.startswith("=HYPERLINK") for c in texts)  # type: ignore[union-attr]
    assert all(c.data_type != "f" for c in texts)  # stored as text, never as a formula


def test_the_text_is_not_logged(stewards: Engine, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG")
    _file(_client(stewards), "HEMMELIG-TEKST-123")
    assert "HEMMELIG-TEKST-123" not in caplog.text
    with Session(stewards) as s:
        details = [repr(e.detail) for e in s.execute(select(AuditEventRow)).scalars()]
    assert not any("HEMMELIG" in d for d in details)


def test_a_form_kept_by_the_page_cache_all_day_still_works(stewards: Engine) -> None:
    client = _client(stewards)
    runtime = client.app.state.auth  # type: ignore[attr-defined]
    hour = int((datetime.now(UTC) - timedelta(hours=25)).timestamp()) // 3600
    token = runtime.keys.csrf_token(f"public-form:{FORM}:{hour}")
    sent = client.post(
        FORM, data={"text": "Feil", "form_issued": str(hour), "form_token": token}, follow_redirects=False
    )
    assert sent.status_code == 303


@pytest.fixture
def with_addresses(sqlite_engine: Engine, fast_hashes: None) -> Engine:
    """The stewards world, with e-mail addresses: kari (steward of org-a) and rolf (reviewer of unn)."""
    from tests.stewardship.helpers import add_user, migrated_with_two_organisations

    migrated_with_two_organisations(sqlite_engine)
    add_user(sqlite_engine, "kari", "steward", "organisation", "org-a", email="kari@a.example")
    add_user(sqlite_engine, "berit", "steward", "organisation", "org-b", email="berit@b.example")
    add_user(sqlite_engine, "rolf", "reviewer", "catchment", "unn", email="rolf@nord.example")
    return sqlite_engine


def _events(engine: Engine, action: str) -> list[AuditEventRow]:
    with Session(engine) as s:
        return list(s.scalars(select(AuditEventRow).where(AuditEventRow.action == action)))


def test_a_new_report_is_e_mailed_to_the_stewards_and_reviewers_it_is_routed_to(
    with_addresses: Engine,
) -> None:
    from tests.stewardship.smtp_server import smtp_server

    with smtp_server() as inbox:
        client = _client(with_addresses, smtp_port=inbox.port, public_base_url="https://tsbkart.example")
        sent = _file(client, "Feil telefonnummer, ring meg", "melder@example.org")
        assert sent.status_code == 303  # type: ignore[attr-defined]
    reference = sent.headers["location"].split("/")[2].split("?")[0]  # type: ignore[attr-defined]
    assert sorted(m["To"] for m in inbox.messages) == ["kari@a.example", "rolf@nord.example"]
    for mail in inbox.messages:
        assert mail["Subject"] == f"tsbkart: ny feilmelding {reference}"
        assert "https://tsbkart.example/forvalt/meldinger" in mail.get_content()
        assert "ring meg" not in mail.as_string() and "melder@example.org" not in mail.as_string()
    assert len(_events(with_addresses, "report_notice_sent")) == 2


def test_an_unreachable_mail_server_never_fails_the_public_post(with_addresses: Engine) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = int(probe.getsockname()[1])
    sent = _file(_client(with_addresses, smtp_port=closed))
    assert sent.status_code == 303  # type: ignore[attr-defined]
    assert len(_reports(with_addresses)) == 1
    failed = _events(with_addresses, "report_notice_failed")
    assert sorted(e.target for e in failed) == ["user:kari", "user:rolf"]
    assert all(e.outcome == "failed" and e.source == "web" for e in failed)
