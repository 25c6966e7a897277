"""The whole stewardship loop in a real browser (issue #10's acceptance): an administrator creates a steward and a
reviewer at /admin/brukere; the steward signs in, edits a unit's address and its offer's waiting time, previews
and submits; the waiting time is published at once (review.yaml) while the address waits; the reviewer sees the
diff and approves; the public page shows the new values with the steward as their keeper; `tsbkart history`
names steward and approver; another organisation's unit is 403 and audited. Also: the dashboard and the edit
form at 360 and 1280 px (screenshots, no sideways scrolling) and axe on the new pages."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests.registry.factories import offer
from tests.stewardship.cheap_hashing import cheap_argon2
from tests.stewardship.helpers import CLI, PASSWORD, add_user, two_organisations
from tests.stewardship.oidc_provider import ProviderUser, RegisteredClient, run_provider
from tsbkart.db.engine import make_engine
from tsbkart.db.migrate import upgrade
from tsbkart.db.stewardship import AuditEventRow
from tsbkart.domain.calendar import today
from tsbkart.reference.build import write_geography
from tsbkart.reference.geography import load_geography
from tsbkart.registry.store import Registry, Upsert
from tsbkart.settings import Settings
from tsbkart.web import local_server
from tsbkart.web.app import create_app
from tsbkart.web.local_server import LocalServer, free_port

pytestmark = pytest.mark.browser
AXE = Path(str(resources.files("tsbkart.web") / "static" / "vendor" / "axe-core" / "axe.min.js"))
KARI_PASSWORD = "kari har et langt passord i dag"
RITA_PASSWORD = "rita godkjenner endringer i nord"
# Screenshots to look at by eye, outside the repository (TSBKART_SCREENSHOTS to choose the folder).
OLA = ProviderUser("sub-ola-1", {"email": "ola@hf.example", "email_verified": True, "name": "Ola"})
SHOTS = Path(os.environ.get("TSBKART_SCREENSHOTS", tempfile.gettempdir())) / "tsbkart-screenshots"


@dataclass
class World:
    url: str
    engine: Engine
    database_url: str


def _engine(tmp_path_factory: pytest.TempPathFactory, name: str) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp(name) / 's.sqlite'}")
    upgrade(engine)
    with Session(engine) as session, session.begin():
        write_geography(session, load_geography())
    with cheap_argon2():
        registry = two_organisations(engine)
        registry.commit(
            [Upsert(offer("unit-a", waiting_weeks=6.0, waiting_as_of=date(2026, 1, 15)))],
            actor=CLI,
            reason="synthetic test data",
        )
        add_user(engine, "admin", "administrator")
    return engine


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    engine = _engine(tmp_path_factory, "stewardship")
    settings = Settings(database_url=str(engine.url), secret_key="s" * 40)  # type: ignore[call-arg]
    with cheap_argon2(), LocalServer(create_app(settings, Registry(engine))) as running:
        yield World(running.url, engine, str(engine.url))


@pytest.fixture(scope="module")
def oidc_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The same, with OpenID Connect sign-in against the provider on 127.0.0.1 (tests/stewardship)."""
    engine = _engine(tmp_path_factory, "stewardship-oidc")
    port = free_port()  # the redirect URI names the server's port, so it is chosen before the app is built
    base = f"http://127.0.0.1:{port}"
    entry = RegisteredClient("tsbkart", base + "/logg-inn/oidc/svar", secret="browser-secret-1")
    with cheap_argon2(), run_provider([entry], OLA) as provider, pytest.MonkeyPatch.context() as patch:
        settings = Settings(  # type: ignore[call-arg]
            database_url=str(engine.url),
            secret_key="o" * 40,
            public_base_url=base,
            oidc_issuer=provider.issuer,
            oidc_client_id="tsbkart",
            oidc_client_secret="browser-secret-1",
        )
        patch.setattr(local_server, "free_port", lambda: port)
        with LocalServer(create_app(settings, Registry(engine))) as running:
            yield World(running.url, engine, str(engine.url))


def _context(browser: Browser, width: int = 1280) -> BrowserContext:
    return browser.new_context(viewport={"width": width, "height": 900}, locale="nb-NO")


def _sign_in(page: Page, url: str, username: str, password: str) -> None:
    page.goto(url + "/logg-inn")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("main button[type=submit]")
    expect(page.locator(".account-name")).to_be_visible()


def _create(
    page: Page, username: str, name: str, password: str, role: str, scope: str, email: str = ""
) -> None:
    page.fill("#new-username", username)
    page.fill("#new-name", name)
    page.fill("#new-email", email)
    page.fill("#new-password", password)
    page.select_option("#new-role", role)
    page.select_option("#new-scope", scope)
    page.get_by_role("button", name="Opprett konto").click()
    expect(page.locator(".form-ok")).to_have_text(f"Kontoen {username} er opprettet.")


def _refusals(engine: Engine, target: str) -> int:
    with Session(engine) as s:
        rows = s.execute(
            select(AuditEventRow).where(
                AuditEventRow.action == "permission_refused", AuditEventRow.target == target
            )
        ).scalars()
        return len(list(rows))


def test_the_whole_loop(browser: Browser, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    admin = _context(browser)
    page = admin.new_page()
    _sign_in(page, world.url, "admin", PASSWORD)
    page.goto(world.url + "/admin/brukere")
    _create(page, "kari", "Kari Nordmann", KARI_PASSWORD, "steward", "organisation:org-a")
    _create(page, "rita", "Rita Reviewer", RITA_PASSWORD, "reviewer", "catchment:unn")
    admin.close()
    steward = _context(browser)
    page = steward.new_page()
    _sign_in(page, world.url, "kari", KARI_PASSWORD)
    _loop(browser, world, page, "Kari Nordmann", monkeypatch)
    steward.close()


def test_the_whole_loop_with_openid_connect(
    browser: Browser, oidc_world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The steward's account has no password: the administrator names their e-mail, the first sign-in
    through the provider links it (verified e-mail), and the same loop follows."""
    world = oidc_world
    admin = _context(browser)
    page = admin.new_page()
    _sign_in(page, world.url, "admin", PASSWORD)
    page.goto(world.url + "/admin/brukere")
    _create(page, "ola", "Ola Nordmann", "", "steward", "organisation:org-a", email="ola@hf.example")
    _create(page, "rita", "Rita Reviewer", RITA_PASSWORD, "reviewer", "catchment:unn")
    admin.close()
    steward = _context(browser)
    page = steward.new_page()
    page.goto(world.url + "/logg-inn?next=/")
    page.click("text=Logg inn med virksomhetens innlogging")
    expect(page.locator(".account-name")).to_contain_text("Ola Nordmann")
    _loop(browser, world, page, "Ola Nordmann", monkeypatch)
    steward.close()
    with Session(world.engine) as s:
        signed_in = s.execute(select(AuditEventRow).where(AuditEventRow.action == "sign_in")).scalars()
        methods = [e.detail.get("method") for e in signed_in if e.actor_name == "Ola Nordmann"]
    assert methods == ["oidc"]


def _loop(
    browser: Browser, world: World, page: Page, steward_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From the signed-in steward's page: edit, preview, submit; review; the public page; history; 403."""
    url = world.url
    page.click("text=Mine oppføringer")
    expect(page.locator("h1")).to_have_text("Mine oppføringer")
    page.click('a[href="/forvalt/enheter/unit-a"]')
    page.fill("#f-street_address", "Sykehusveien 38")
    page.fill("#f-change_source", "https://unn.example/adresse")
    page.get_by_role("button", name="Lagre og forhåndsvis").click()
    expect(page.locator(".preview-banner")).to_contain_text("Forhåndsvisning")
    page.click('a[href="/forvalt/tilbud/unit-a/poliklinikk"]')
    expect(page.locator(".sticky-note").first).to_contain_text("utkastet ditt")
    page.fill("#f-waiting_weeks", "2,5")
    page.fill("#f-waiting_as_of", today().isoformat())
    page.fill("#f-change_source", "Telefon med avdelingen")
    page.get_by_role("button", name="Lagre og forhåndsvis").click()
    diff = page.locator(".diff-table")
    expect(diff).to_contain_text("Sykehusveien 38")
    expect(diff.locator("tr", has_text="Gateadresse").first).to_contain_text("trenger godkjenning")
    expect(diff.locator("tr", has_text="Ventetid (uker)").first).to_contain_text("publiseres straks")
    expect(page.locator(".preview-frame")).to_contain_text("Sykehusveien 38")  # the real unit page
    change_set = int(page.url.split("/endringer/")[1].split("/")[0])
    page.get_by_role("button", name="Send inn").click()
    expect(page.locator(".form-ok")).to_contain_text("Sendt til godkjenning")

    public = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nb-NO").new_page()
    public.goto(url + "/enhet/unit-a")
    expect(public.locator("main")).to_contain_text("2,5")  # published at once
    expect(public.locator("main")).not_to_contain_text("Sykehusveien 38")  # waits for review

    reviewer = _context(browser)
    review = reviewer.new_page()
    _sign_in(review, url, "rita", RITA_PASSWORD)
    review.goto(url + "/forvalt/gjennomgang")
    review.click(f'a[href="/forvalt/endringer/{change_set}"]')
    expect(review.locator("main")).to_contain_text("Sykehusveien 38")
    review.get_by_role("button", name="Godkjenn og publiser").click()
    reviewer.close()

    public.goto(url + "/enhet/unit-a")
    facts = public.locator("main")
    expect(facts).to_contain_text("Sykehusveien 38")
    expect(public.locator("tr", has_text="Gateadresse").first).to_contain_text(f"forvaltet av {steward_name}")
    expect(public.locator("tr", has_text="Ventetid (uker)").first).to_contain_text(
        f"forvaltet av {steward_name}"
    )

    monkeypatch.setenv("TSBKART_DATABASE_URL", world.database_url)
    from tsbkart.cli import context
    from tsbkart.cli.main import app as cli

    context.settings.cache_clear()
    context.engine.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["history", "unit-a"])
    finally:
        context.settings.cache_clear()
        context.engine.cache_clear()
    assert result.exit_code == 0, result.output
    assert (
        steward_name in result.output and "approved by" in result.output and "Rita Reviewer" in result.output
    )

    before = _refusals(world.engine, "unit:unit-b")
    answer = page.goto(url + "/forvalt/enheter/unit-b")
    assert answer is not None and answer.status == 403
    expect(page.locator("h1")).to_have_text("Ingen tilgang")
    assert _refusals(world.engine, "unit:unit-b") == before + 1


@pytest.mark.parametrize("width", [360, 1280])
def test_dashboard_and_form_fit_the_screen(browser: Browser, world: World, width: int) -> None:
    context = _context(browser, width)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        _sign_in(page, world.url, "admin", PASSWORD)
        SHOTS.mkdir(parents=True, exist_ok=True)
        for name, path in (
            ("dashboard", "/forvalt"),
            ("edit-unit", "/forvalt/enheter/unit-a"),
            ("edit-offer", "/forvalt/tilbud/unit-a/poliklinikk"),
            ("users", "/admin/brukere"),
        ):
            page.goto(world.url + path)
            page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
            assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{path} scrolls sideways"
            assert "role:" not in page.content() and "changeset:" not in page.content()
    finally:
        context.close()
    assert errors == []


@pytest.mark.parametrize("path", ["/forvalt", "/forvalt/tilbud/unit-a/poliklinikk", "/admin/brukere"])
def test_the_new_pages_have_no_serious_accessibility_violations(
    browser: Browser, world: World, path: str
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    try:
        _sign_in(page, world.url, "admin", PASSWORD)
        page.goto(world.url + path)
        page.add_script_tag(path=str(AXE))
        result: dict[str, Any] = page.evaluate("axe.run()")
    finally:
        context.close()
    serious = [v["id"] for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], serious
