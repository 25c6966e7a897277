"""The review pages in a real browser at 360 and 1280 px: a reviewer signs in, opens the queue, reads the
field-level diff (the page never scrolls sideways), approves; the other steward's change set then shows the
conflict. axe finds no serious violations on the queue, the diff and the conflict."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy.orm import Session

from tests.stewardship.cheap_hashing import cheap_argon2
from tests.stewardship.helpers import PASSWORD, add_user, two_organisations
from tsbkart.db.engine import make_engine
from tsbkart.db.migrate import upgrade
from tsbkart.domain.actors import Actor
from tsbkart.reference.build import write_geography
from tsbkart.reference.geography import load_geography
from tsbkart.registry.changes import Upsert
from tsbkart.registry.store import Registry
from tsbkart.settings import Settings
from tsbkart.stewardship import changesets
from tsbkart.web.app import create_app
from tsbkart.web.local_server import LocalServer

pytestmark = pytest.mark.browser
AXE = Path(str(resources.files("tsbkart.web") / "static" / "vendor" / "axe-core" / "axe.min.js"))


@dataclass
class Server:
    url: str
    waiting: dict[str, int]  # change set numbers: "address" (kari), "name" (per), one per width


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('review') / 'r.sqlite'}")
    upgrade(engine)
    with Session(engine) as session, session.begin():
        write_geography(session, load_geography())
    with cheap_argon2():
        registry = two_organisations(engine)
        authors = {
            name: Actor("user", str(add_user(engine, name, "steward", "organisation", "org-a")), name.title())
            for name in ("kari", "per")
        }
        add_user(engine, "rita", "reviewer", "catchment", "unn")
        snapshot = registry.snapshot()
        version = snapshot.version("unit", "unit-a")
        waiting = {}
        for key, author, fields in (
            ("address", "kari", {"street_address": "Storgata 1", "postal_code": "9008"}),
            ("name", "per", {"name": "Rusakutten Tromsø"}),
        ):
            edited = replace(snapshot.units["unit-a"], **fields)  # type: ignore[arg-type]
            draft = changesets.create_draft(
                engine, authors[author], "org-a", [Upsert(edited, based_on=version)], "Fra nettsiden"
            )
            waiting[key] = changesets.submit(engine, draft.id, authors[author]).id
        app = create_app(Settings(database_url=str(engine.url), secret_key="r" * 40), Registry(engine))  # type: ignore[arg-type]
        with LocalServer(app) as running:
            yield Server(running.url, waiting)


def _signed_in(
    browser: Browser, server: Server, width: int, *, axe: bool = False
) -> tuple[BrowserContext, Page]:
    context = browser.new_context(viewport={"width": width, "height": 800}, locale="nb-NO", bypass_csp=axe)
    page = context.new_page()
    page.goto(server.url + "/logg-inn")
    page.fill("#username", "rita")
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.get_by_role("link", name="Til gjennomgang").click()  # every page links a reviewer to the queue
    expect(page.locator("h1")).to_have_text("Endringer til gjennomgang")
    return context, page


def _serious(page: Page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result: dict[str, Any] = page.evaluate("axe.run()")
    return [v["id"] for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("width", [360, 1280])
def test_the_queue_and_the_diff_at_each_width(browser: Browser, server: Server, width: int) -> None:
    context, page = _signed_in(browser, server, width)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        expect(page.locator(".review-table tbody tr")).to_have_count(2)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.click(f'a[href="/forvalt/endringer/{server.waiting["address"]}"]')
        expect(page.locator("h1")).to_contain_text(f"Endringssett {server.waiting['address']}")
        row = page.locator(".diff-table tbody tr", has_text="Gateadresse")
        expect(row.locator("td.published")).to_have_text("ukjent")
        expect(row.locator("td.proposed")).to_have_text("Storgata 1")
        expect(
            page.locator(".diff-table tbody tr", has_text="Postnummer").locator("td.proposed")
        ).to_have_text("9008")
        expect(page.get_by_role("button", name="Godkjenn og publiser")).to_be_visible()
        expect(page.get_by_label("Begrunnelse for avvisning (forvalteren ser den)")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # tables scroll, not the page
    finally:
        context.close()
    assert errors == []


def test_approve_then_the_other_change_set_shows_the_conflict(browser: Browser, server: Server) -> None:
    context, page = _signed_in(browser, server, 1280)
    try:
        page.goto(f"{server.url}/forvalt/endringer/{server.waiting['address']}")
        page.get_by_role("button", name="Godkjenn og publiser").click()
        expect(page.locator("h1 .badge")).to_have_text("godkjent og publisert")
        page.goto(f"{server.url}/forvalt/endringer/{server.waiting['name']}")
        expect(page.locator(".notice-conflict h2")).to_have_text(
            "Konflikt: kan ikke godkjennes før endringene er oppdatert"
        )
        expect(page.get_by_role("button", name="Godkjenn og publiser")).to_have_count(0)
        page.goto(server.url + "/enhet/unit-a")
        expect(page.locator("main")).to_contain_text("Storgata 1")
    finally:
        context.close()


def test_the_review_pages_have_no_serious_accessibility_violations(browser: Browser, server: Server) -> None:
    context, page = _signed_in(browser, server, 1280, axe=True)
    try:
        found = {"queue": _serious(page)}
        for key, number in server.waiting.items():
            page.goto(f"{server.url}/forvalt/endringer/{number}")
            found[key] = _serious(page)
    finally:
        context.close()
    assert found == {key: [] for key in found}
