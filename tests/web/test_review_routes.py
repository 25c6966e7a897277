"""The review pages through the real app: the queue per reviewer's area, the field-level diff, approve,
reject with a reason the steward sees, the conflict (409) and its rebase, self-approval (403, audited), a
reviewer of another area (403, audited), every status of a change set, CSRF and escaping."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from importlib import resources

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from tests.stewardship.helpers import CLI, add_user, migrated_with_two_organisations
from tests.web.api_client import TestClient, app_for
from tsbkart.db.models import RevisionRow
from tsbkart.db.stewardship import AuditEventRow, UserRow
from tsbkart.domain.actors import Actor
from tsbkart.registry.changes import Upsert
from tsbkart.registry.store import Registry
from tsbkart.stewardship import changesets as cs
from tsbkart.stewardship.accounts import grant_role, parse_grant
from tsbkart.stewardship.sessions import SessionPolicy, start_session
from tsbkart.web.i18n import catalogue

SECRET = "review-secret-key-long-enough-0123456789abcdef"


@dataclass
class World:
    engine: Engine
    registry: Registry
    actors: dict[str, Actor]


pytestmark = pytest.mark.usefixtures("fast_hashes")


@pytest.fixture
def world(sqlite_engine: Engine) -> World:
    engine = sqlite_engine
    registry = migrated_with_two_organisations(engine)
    people = {
        "kari": ("steward", "organisation", "org-a"),
        "per": ("steward", "organisation", "org-a"),
        "berit": ("steward", "organisation", "org-b"),
        "rita": ("reviewer", "catchment", "unn"),
        "sonja": ("reviewer", "region", "helse-sor-ost"),
        "admin": ("administrator", None, None),
    }
    actors = {}
    for name, (role, scope, code) in people.items():
        user_id = add_user(engine, name, role, scope, code)
        actors[name] = Actor("user", str(user_id), name.title())
    with Session(engine) as session, session.begin():
        grant_role(
            session, "admin", parse_grant("steward", "organisation", "org-a"), by=CLI, now=datetime.now(UTC)
        )
    return World(engine, registry, actors)


def _client(app: FastAPI, engine: Engine, username: str) -> TestClient:
    client = TestClient(app)
    with Session(engine) as s, s.begin():
        user = s.execute(select(UserRow).where(UserRow.username == username)).scalar_one()
        token = start_session(
            s, user, method="password", policy=SessionPolicy(), now=datetime.now(UTC), source="t"
        )
    client.cookies.set(app.state.auth.session_cookie, app.state.auth.signer.sign(token).decode())
    return client


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found
    return found.group(1)


def _edit(world: World, **fields: object) -> Upsert:
    snap = world.registry.snapshot()
    return Upsert(replace(snap.units["unit-a"], **fields), based_on=snap.version("unit", "unit-a"))  # type: ignore[arg-type]


def _submitted(world: World, author: str = "kari", note: str = "", **fields: object) -> cs.ChangeSet:
    draft = cs.create_draft(world.engine, world.actors[author], "org-a", [_edit(world, **fields)], note)
    return cs.submit(world.engine, draft.id, world.actors[author])


def _refusals(engine: Engine, action: str = "permission_refused") -> int:
    with Session(engine) as s:
        query = select(func.count()).select_from(AuditEventRow).where(AuditEventRow.action == action)
        return s.execute(query).scalar_one()


def _post(client: TestClient, path: str, **data: str) -> object:
    token = _csrf(client.get("/").text)
    return client.post(path, data={"csrf_token": token, **data}, follow_redirects=False)


def test_the_queue_shows_the_reviewers_area_only(world: World) -> None:
    submitted = _submitted(world, street_address="Storgata 1")
    app, _ = app_for(world.engine, secret_key=SECRET)
    page = _client(app, world.engine, "rita").get("/forvalt/gjennomgang")
    assert page.status_code == 200
    assert f'href="/forvalt/endringer/{submitted.id}"' in page.text and "Organisasjon org-a" in page.text
    assert (
        f'href="/forvalt/endringer/{submitted.id}"'
        in _client(app, world.engine, "admin").get("/forvalt/gjennomgang").text
    )
    other = _client(app, world.engine, "sonja").get("/forvalt/gjennomgang")
    assert other.status_code == 200 and "Ingen endringer venter på gjennomgang" in other.text
    before = _refusals(world.engine)
    assert _client(app, world.engine, "kari").get("/forvalt/gjennomgang").status_code == 403
    assert _refusals(world.engine) == before + 1


def test_the_change_set_page_shows_the_field_level_diff_with_schema_labels(world: World) -> None:
    submitted = _submitted(world, street_address="Storgata 1", note="Ny adresse fra nettsiden")
    app, _ = app_for(world.engine, secret_key=SECRET)
    html = _client(app, world.engine, "rita").get(f"/forvalt/endringer/{submitted.id}").text
    row = re.search(
        r"<th scope=\"row\">Gateadresse</th>\s*<td class=\"published\">(.*?)</td>\s*<td class=\"proposed\">(.*?)</td>",
        html,
    )
    assert row and "ukjent" in row.group(1) and row.group(2) == "Storgata 1"
    assert "Ny adresse fra nettsiden" in html and "sendt til gjennomgang" in html
    assert f'action="/forvalt/endringer/{submitted.id}/godkjenn"' in html
    assert f'action="/forvalt/endringer/{submitted.id}/avvis"' in html
    assert html.count('name="csrf_token"') >= 3  # sign-out, approve, reject


def test_approve_publishes_one_revision_with_steward_and_approver(world: World) -> None:
    submitted = _submitted(world, street_address="Storgata 1")
    app, registry = app_for(world.engine, secret_key=SECRET)
    rita = _client(app, world.engine, "rita")
    answer = _post(rita, f"/forvalt/endringer/{submitted.id}/godkjenn")
    assert answer.status_code == 303  # type: ignore[attr-defined]
    page = rita.get(f"/forvalt/endringer/{submitted.id}").text
    assert "godkjent og publisert" in page and "Godkjent av" in page
    assert registry.snapshot().units["unit-a"].street_address == "Storgata 1"
    approved = cs.get(world.engine, submitted.id)
    with Session(world.engine) as s:
        revision = s.get(RevisionRow, approved.revision_id)
        assert revision is not None
        assert (revision.actor_name, revision.approved_by_name) == ("Kari", "Rita")
    public = TestClient(app).get("/enhet/unit-a")
    assert "Storgata 1" in public.text


def test_a_conflict_answers_409_until_the_steward_rebases(world: World) -> None:
    first = _submitted(world, "kari", name="Nytt navn")
    second = _submitted(world, "per", street_address="Storgata 1")
    app, registry = app_for(world.engine, secret_key=SECRET)
    rita = _client(app, world.engine, "rita")
    before = rita.get(f"/forvalt/endringer/{first.id}").text
    assert "Andre endringssett for de samme oppføringene" in before
    assert f'href="/forvalt/endringer/{second.id}"' in before
    assert _post(rita, f"/forvalt/endringer/{first.id}/godkjenn").status_code == 303  # type: ignore[attr-defined]
    page = rita.get(f"/forvalt/endringer/{second.id}").text
    assert "Konflikt: kan ikke godkjennes før endringene er oppdatert" in page
    name_row = re.search(r'<th scope="row">Navn</th>(.*?)</tr>', page, re.S)
    assert name_row and "Endret av noen andre siden" in name_row.group(1)
    assert f"/forvalt/endringer/{second.id}/godkjenn" not in page  # no approve button while it conflicts
    refused = _post(rita, f"/forvalt/endringer/{second.id}/godkjenn")
    assert refused.status_code == 409  # type: ignore[attr-defined]
    assert "kan ikke godkjennes før forvalteren har oppdatert" in refused.text  # type: ignore[attr-defined]
    per = _client(app, world.engine, "per")
    assert "Oppdater til gjeldende versjon" in per.get(f"/forvalt/endringer/{second.id}").text
    assert _post(rita, f"/forvalt/endringer/{second.id}/oppdater").status_code == 403  # type: ignore[attr-defined]
    assert _post(per, f"/forvalt/endringer/{second.id}/oppdater").status_code == 303  # type: ignore[attr-defined]
    rebased = per.get(f"/forvalt/endringer/{second.id}").text
    assert "Endret av andre i mellomtiden" in rebased and "Nytt navn" in rebased
    assert _post(rita, f"/forvalt/endringer/{second.id}/godkjenn").status_code == 303  # type: ignore[attr-defined]
    final = registry.snapshot().units["unit-a"]
    assert (final.name, final.street_address) == ("Nytt navn", "Storgata 1")


def test_reject_needs_a_reason_and_the_steward_sees_it(world: World) -> None:
    submitted = _submitted(world, street_address="Storgata 1")
    app, _ = app_for(world.engine, secret_key=SECRET)
    rita = _client(app, world.engine, "rita")
    empty = _post(rita, f"/forvalt/endringer/{submitted.id}/avvis", reason="  ")
    assert empty.status_code == 422 and "Skriv hvorfor endringssettet avvises" in empty.text  # type: ignore[attr-defined]
    reason = "Adressen stemmer ikke med <script>alert(1)</script> nettsiden"
    assert _post(rita, f"/forvalt/endringer/{submitted.id}/avvis", reason=reason).status_code == 303  # type: ignore[attr-defined]
    page = _client(app, world.engine, "kari").get(f"/forvalt/endringer/{submitted.id}")
    assert page.status_code == 200 and "Hvorfor endringene ble avvist" in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text and "<script>alert(1)" not in page.text
    assert "avvist" in page.text
    again = _post(rita, f"/forvalt/endringer/{submitted.id}/godkjenn")
    assert again.status_code == 409  # type: ignore[attr-defined]


def test_rejecting_ones_own_change_set_is_refused_in_the_users_language(world: World) -> None:
    own = _submitted(world, "admin", street_address="Storgata 1")
    app, _ = app_for(world.engine, secret_key=SECRET, admin_self_approval=True)
    admin = _client(app, world.engine, "admin")
    refused = _post(admin, f"/forvalt/endringer/{own.id}/avvis", reason="angrer")
    assert refused.status_code == 403  # type: ignore[attr-defined]
    assert "Du kan ikke avvise ditt eget endringssett. Trekk det tilbake i stedet." in refused.text  # type: ignore[attr-defined]
    assert _refusals(world.engine) == 1
    assert cs.get(world.engine, own.id).status == "submitted"


def test_self_approval_is_refused_and_audited_unless_the_setting_allows_administrators(world: World) -> None:
    own = _submitted(world, "admin", street_address="Storgata 1")
    app, _ = app_for(world.engine, secret_key=SECRET)
    admin = _client(app, world.engine, "admin")
    assert "så en annen kontrollør må godkjenne det" in admin.get(f"/forvalt/endringer/{own.id}").text
    refused = _post(admin, f"/forvalt/endringer/{own.id}/godkjenn")
    assert refused.status_code == 403  # type: ignore[attr-defined]
    assert _refusals(world.engine, "self_approval") == 1
    allowed_app, _ = app_for(world.engine, secret_key=SECRET, admin_self_approval=True)
    allowed = _post(_client(allowed_app, world.engine, "admin"), f"/forvalt/endringer/{own.id}/godkjenn")
    assert allowed.status_code == 303  # type: ignore[attr-defined]
    assert _refusals(world.engine, "self_approval") == 2  # the refusal, then the allowed approval
    assert cs.get(world.engine, own.id).status == "approved"


@pytest.mark.parametrize("who", ["sonja", "berit"])
def test_a_reviewer_of_another_area_or_another_organisations_steward_is_refused(
    world: World, who: str
) -> None:
    submitted = _submitted(world, street_address="Storgata 1")
    app, _ = app_for(world.engine, secret_key=SECRET)
    client = _client(app, world.engine, who)
    before = _refusals(world.engine)
    assert client.get(f"/forvalt/endringer/{submitted.id}").status_code == 403
    assert _refusals(world.engine) == before + 1
    path = (
        f"/forvalt/endringer/{submitted.id}/godkjenn"
        if who == "sonja"
        else f"/forvalt/endringer/{submitted.id}/trekk-tilbake"
    )
    assert _post(client, path).status_code == 403  # type: ignore[attr-defined]
    assert _refusals(world.engine) == before + 2
    assert cs.get(world.engine, submitted.id).status == "submitted"


def test_every_status_renders_for_the_author(world: World) -> None:
    app, _ = app_for(world.engine, secret_key=SECRET)
    kari = _client(app, world.engine, "kari")
    draft = cs.create_draft(world.engine, world.actors["kari"], "org-a", [_edit(world, town="Tromsø")])
    withdrawn = _submitted(world, town="Harstad")
    cs.withdraw(world.engine, withdrawn.id, world.actors["kari"])
    nb = catalogue("nb").gettext
    for change_set, status in ((draft, "draft"), (withdrawn, "withdrawn")):
        page = kari.get(f"/forvalt/endringer/{change_set.id}")
        assert page.status_code == 200 and nb(f"status:{status}") in page.text
        assert "/godkjenn" not in page.text
    assert "Trekk tilbake endringssettet" in kari.get(f"/forvalt/endringer/{draft.id}").text
    assert _post(kari, f"/forvalt/endringer/{draft.id}/trekk-tilbake").status_code == 303  # type: ignore[attr-defined]
    assert _post(kari, f"/forvalt/endringer/{draft.id}/trekk-tilbake").status_code == 409  # type: ignore[attr-defined]


@pytest.mark.parametrize("number", ["999", "abc", "99999999999"])
def test_an_unknown_change_set_is_404_in_bokmal(world: World, number: str) -> None:
    app, _ = app_for(world.engine, secret_key=SECRET)
    page = _client(app, world.engine, "rita").get(f"/forvalt/endringer/{number}")
    assert page.status_code == 404 and "Ingen endringssett har dette nummeret." in page.text


def test_approve_without_the_csrf_token_is_refused(world: World) -> None:
    submitted = _submitted(world, street_address="Storgata 1")
    app, _ = app_for(world.engine, secret_key=SECRET)
    answer = _client(app, world.engine, "rita").post(
        f"/forvalt/endringer/{submitted.id}/godkjenn", follow_redirects=False
    )
    assert answer.status_code == 403
    assert cs.get(world.engine, submitted.id).status == "submitted"


def test_the_english_page_is_english(world: World) -> None:
    submitted = _submitted(world, street_address="Storgata 1")
    app, _ = app_for(world.engine, secret_key=SECRET)
    html = _client(app, world.engine, "rita").get(f"/forvalt/endringer/{submitted.id}?lang=en").text
    assert "Street address" in html and "Approve and publish" in html and "submitted for review" in html
    assert "Godkjenn" not in html


def test_every_review_template_message_has_a_bokmal_translation() -> None:
    folder = resources.files("tsbkart.web") / "templates" / "stewardship"
    pattern = re.compile(r"""(?<![A-Za-z])_\(\s*(?:"([^"]+)"|'([^']+)')\s*\)""")
    nb = catalogue("nb").gettext
    names = ("_value.html", "review_queue.html", "change_set.html")
    found = [
        m.group(1) or m.group(2) for n in names for m in pattern.finditer((folder / n).read_text("utf-8"))
    ]
    dynamic = [f"status:{s}" for s in cs.STATUSES] + [f"op:{o}" for o in ("create", "update", "delete")]
    from tsbkart.web.stewardship.review import MESSAGES

    untranslated = [m for m in [*found, *dynamic, *MESSAGES.values()] if nb(m) == m]
    assert untranslated == []
