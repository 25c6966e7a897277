"""The steward's pages through the real app: the dashboard, the edit form derived from the schema, saving into
a draft, the preview through ``snapshot.with_changes``, submission (waiting time published at once, the address
to review), "confirm unchanged", the import's messages in bokmål, and 403 (audited) for another organisation."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from tests.registry.factories import offer
from tests.stewardship.helpers import CLI, add_user, migrated_with_two_organisations
from tests.web.api_client import TestClient, app_for
from tests.web.test_signin import form_token, sign_in
from tsbkart.db.stewardship import AuditEventRow
from tsbkart.domain.calendar import today
from tsbkart.registry.store import Registry, Upsert
from tsbkart.stewardship import changesets

SECRET = "editing-secret-key-long-enough-0123456789abc"


pytestmark = pytest.mark.usefixtures("fast_hashes")


@pytest.fixture
def world(sqlite_engine: Engine) -> Iterator[tuple[Engine, TestClient, Registry]]:
    migrated_with_two_organisations(sqlite_engine)
    Registry(sqlite_engine).commit(
        [Upsert(offer("unit-a", waiting_weeks=4.0, waiting_as_of=date(2026, 1, 15)))],
        actor=CLI,
        reason="test",
    )
    add_user(sqlite_engine, "kari", "steward", "organisation", "org-a")
    app, _ = app_for(sqlite_engine, secret_key=SECRET)
    client = TestClient(app)
    sign_in(client, "kari")
    yield sqlite_engine, client, app.state.tsbkart.registry


def _form(html: str) -> dict[str, str | list[str]]:
    """The edit form's fields as the browser would send them untouched."""
    data: dict[str, str | list[str]] = {}
    html = html[
        html.index('<form class="edit-form"') : html.index("</form>", html.index('<form class="edit-form"'))
    ]
    for tag in re.finditer(r"<(input|select|textarea)\b([^>]*)>(.*?)(?=</select>|</textarea>|<)", html, re.S):
        kind, attrs = tag.group(1), tag.group(2)
        name = re.search(r'name="([^"]+)"', attrs)
        if not name or 'type="submit"' in attrs:
            continue
        value = re.search(r'value="([^"]*)"', attrs)
        if 'type="checkbox"' in attrs or 'type="radio"' in attrs:
            if " checked" in attrs:
                if 'type="checkbox"' in attrs:
                    data.setdefault(name.group(1), [])
                    data[name.group(1)].append(value.group(1) if value else "")  # type: ignore[union-attr]
                else:
                    data[name.group(1)] = value.group(1) if value else ""
            continue
        if kind == "select":
            body = html[tag.end() : html.index("</select>", tag.end())]
            chosen = re.search(r'<option value="([^"]*)" selected', body)
            data[name.group(1)] = chosen.group(1) if chosen else ""
        elif kind == "textarea":
            data[name.group(1)] = tag.group(3)
        else:
            data.setdefault(name.group(1), value.group(1) if value else "")
    for key in [k for k, v in data.items() if isinstance(v, list) and not v]:
        del data[key]
    return data


def _events(engine: Engine, action: str) -> list[AuditEventRow]:
    with Session(engine) as s:
        return list(s.execute(select(AuditEventRow).where(AuditEventRow.action == action)).scalars())


def test_the_dashboard_lists_the_stewards_records_with_freshness(
    world: tuple[Engine, TestClient, Registry],
) -> None:
    _, client, _ = world
    page = client.get("/forvalt")
    assert page.status_code == 200
    assert "Organisasjon org-a" in page.text and "Enhet unit-a" in page.text
    assert "Organisasjon org-b" not in page.text and "Enhet unit-b" not in page.text
    assert "/forvalt/enheter/unit-a" in page.text and "/forvalt/tilbud/unit-a/poliklinikk" in page.text
    assert "Bekreft uendret" in page.text and "badge-red" in page.text  # verified 2026-01-15: overdue


def test_the_form_is_derived_from_the_schema(world: tuple[Engine, TestClient, Registry]) -> None:
    _, client, _ = world
    html = client.get("/forvalt/tilbud/unit-a/poliklinikk").text
    assert 'name="waiting_weeks"' in html and 'name="target_groups" value="adults"' in html  # checkboxes
    assert 'name="open_24_7" value="yes"' in html and 'name="open_24_7" value="" checked' in html  # tri-state
    assert '<select id="f-intake_status"' in html and 'name="waiting_as_of" value="2026-01-15"' in html
    assert 'name="unit_id"' not in html and 'name="id"' not in html  # not editable
    assert "publiseres straks" in html  # waiting time needs no review
    assert '<select id="f-assessment_team_id"' in html  # a reference is a select of the referenced records
    assert "Målgrupper, skilt med semikolon" not in html  # the import's how-to-type help is not shown
    unit = client.get("/forvalt/enheter/unit-a").text
    assert '<option value="unn" selected>UNN – Universitetssykehuset Nord-Norge HF</option>' in unit
    assert '<option value="5501" selected>Tromsø (5501)</option>' in unit


def test_save_preview_and_submit_publish_the_waiting_time_and_send_the_address_to_review(
    world: tuple[Engine, TestClient, Registry],
) -> None:
    engine, client, registry = world
    form = _form(client.get("/forvalt/enheter/unit-a").text)
    form |= {"street_address": "Sykehusveien 38", "change_source": "https://unn.example/adresse"}
    saved = client.post("/forvalt/enheter/unit-a", data=form, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    preview_url = saved.headers["location"]
    form = _form(client.get("/forvalt/tilbud/unit-a/poliklinikk").text)
    assert "legges i utkastet ditt" in client.get("/forvalt/tilbud/unit-a/poliklinikk").text
    form |= {
        "waiting_weeks": "2,5",
        "waiting_as_of": today().isoformat(),
        "change_source": "Telefon med avdelingen",
    }
    again = client.post("/forvalt/tilbud/unit-a/poliklinikk", data=form, follow_redirects=False)
    assert again.headers["location"] == preview_url  # one draft per organisation
    preview = client.get(preview_url).text
    assert "Forhåndsvisning" in preview and "Sykehusveien 38" in preview and "2.5" in preview
    assert "trenger godkjenning" in preview and "publiseres straks" in preview
    assert registry.snapshot().units["unit-a"].street_address is None  # nothing published yet
    token = form_token(preview)
    done = client.post(
        preview_url.replace("forhandsvis", "send-inn"), data={"csrf_token": token}, follow_redirects=False
    )
    assert done.status_code == 303 and "ok=submitted" in done.headers["location"]
    snapshot = registry.snapshot()
    assert snapshot.offers["unit-a/poliklinikk"].waiting_weeks == 2.5  # published at once
    assert snapshot.offers["unit-a/poliklinikk"].field_provenance["waiting_weeks"].steward == "Kari"
    assert snapshot.units["unit-a"].street_address is None  # waits for the reviewer
    assert "<td>2,5</td>" in client.get("/enhet/unit-a").text  # in bokmål with a decimal comma (was "2.5")
    [change_set] = changesets.for_organisations(engine, ["org-a"], statuses=("submitted",))
    assert [c.record.id for c in change_set.changes] == ["unit-a"]  # type: ignore[union-attr]
    assert "Sendt til godkjenning" in client.get(done.headers["location"]).text


def test_bad_values_get_the_imports_messages_in_bokmal_naming_the_field(
    world: tuple[Engine, TestClient, Registry],
) -> None:
    _, client, _ = world
    form = _form(client.get("/forvalt/tilbud/unit-a/poliklinikk").text)
    form |= {"waiting_weeks": "fire", "age_min": "-3", "change_source": ""}
    answer = client.post("/forvalt/tilbud/unit-a/poliklinikk", data=form)
    assert answer.status_code == 422
    assert "forventet et tall" in answer.text and "Ventetid (uker)" in answer.text
    assert "Ingenting ble lagret" in answer.text and 'value="fire"' in answer.text
    form |= {"waiting_weeks": "3"}
    answer = client.post("/forvalt/tilbud/unit-a/poliklinikk", data=form)
    assert answer.status_code == 422 and "Oppgi kilden" in answer.text


def test_confirm_unchanged_reverifies_in_one_click(world: tuple[Engine, TestClient, Registry]) -> None:
    engine, client, registry = world
    token = form_token(client.get("/forvalt").text)
    answer = client.post(
        "/forvalt/enheter/unit-a", data={"csrf_token": token, "action": "confirm"}, follow_redirects=False
    )
    assert answer.status_code == 303 and "ok=confirmed" in answer.headers["location"]
    assert registry.snapshot().units["unit-a"].provenance.verified == today()
    [published] = _events(engine, "changes_published")
    assert published.actor_name == "Kari"


def test_another_organisations_record_is_refused_and_audited(
    world: tuple[Engine, TestClient, Registry],
) -> None:
    engine, client, _ = world
    assert client.get("/forvalt/enheter/unit-b").status_code == 403
    token = form_token(client.get("/forvalt").text)
    posted = client.post("/forvalt/enheter/unit-b", data={"csrf_token": token, "action": "confirm"})
    assert posted.status_code == 403
    targets = [e.target for e in _events(engine, "permission_refused")]
    assert targets == ["unit:unit-b", "unit:unit-b"]
    assert client.get("/forvalt/enheter/nowhere").status_code == 404
    assert client.get("/forvalt/noe/unit-a").status_code == 404


def test_every_message_of_the_stewardship_templates_has_a_bokmal_translation() -> None:
    from importlib import resources

    from tsbkart.web.i18n import catalogue

    folder = resources.files("tsbkart.web") / "templates" / "stewardship"
    pattern = re.compile(r"""(?<![A-Za-z])_\(\s*(?:"([^"]+)"|'([^']+)')\s*\)""")
    nb = catalogue("nb")
    same_in_both = {"For", "Status"}
    untranslated = [
        (entry.name, message)
        for entry in folder.iterdir()
        if entry.name.endswith(".html")
        for match in pattern.finditer(entry.read_text(encoding="utf-8"))
        if nb.gettext(message := match.group(1) or match.group(2)) == message and message not in same_in_both
    ]
    assert untranslated == []


def test_the_english_pages_have_no_message_ids(world: tuple[Engine, TestClient, Registry]) -> None:
    _, client, _ = world
    for path in ("/forvalt?lang=en", "/forvalt/tilbud/unit-a/poliklinikk?lang=en"):
        html = client.get(path).text
        assert "changeset:" not in html and "Confirm unchanged" in html and "Bekreft" not in html


def test_a_rejected_change_set_shows_the_reviewers_reason_on_the_dashboard(
    world: tuple[Engine, TestClient, Registry],
) -> None:
    from tsbkart.stewardship.roles import Grant, Principal

    engine, client, registry = world
    form = _form(client.get("/forvalt/enheter/unit-a").text)
    form |= {"street_address": "Feil vei 1", "change_source": "https://unn.example/adresse"}
    preview = client.post("/forvalt/enheter/unit-a", data=form).text
    [draft] = changesets.for_organisations(engine, ["org-a"], statuses=("draft",))
    token = form_token(preview)
    client.post(f"/forvalt/endringer/{draft.id}/send-inn", data={"csrf_token": token})
    rita = Principal(99, "rita", "Rita", (Grant("reviewer", "catchment", "unn"),))
    changesets.reject(engine, draft.id, rita, "Adressen <b>stemmer ikke</b>", snapshot=registry.snapshot())
    board = client.get("/forvalt").text
    assert "avvist" in board and "Godkjennerens begrunnelse" in board and "(Rita)" in board
    assert "Adressen &lt;b&gt;stemmer ikke&lt;/b&gt;" in board  # escaped
