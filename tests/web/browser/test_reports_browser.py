"""Error reports in a real browser at 360 and 1280 px: from a unit page to the form, filed, the reference and
status page; the steward signs in, finds it on the dashboard's link, answers it; the status page shows the
answer. axe on the form, the status page, the stewards' list and the API tokens page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy.orm import Session

from tests.stewardship.cheap_hashing import cheap_argon2
from tests.stewardship.helpers import PASSWORD, add_user, two_organisations
from tsbkart.db.engine import make_engine
from tsbkart.db.migrate import upgrade
from tsbkart.reference.build import write_geography
from tsbkart.reference.geography import load_geography
from tsbkart.registry.store import Registry
from tsbkart.settings import Settings
from tsbkart.web.app import create_app
from tsbkart.web.local_server import LocalServer

pytestmark = pytest.mark.browser
AXE = Path(str(resources.files("tsbkart.web") / "static" / "vendor" / "axe-core" / "axe.min.js"))


STATUS_REFERENCE = "AXE0REP0RT"


def _report_with_reference(engine: Any, reference: str) -> None:
    from datetime import UTC, datetime

    from sqlalchemy import update

    from tsbkart.db.stewardship import ErrorReportRow
    from tsbkart.stewardship.reports import answer_report, file_report

    snapshot = Registry(engine).snapshot()
    filed = file_report(
        engine, snapshot, "unit", "unit-a", "Feil adresse", None, "nb", now=datetime.now(UTC), source=None
    )
    with Session(engine) as s, s.begin():
        s.execute(
            update(ErrorReportRow)
            .where(ErrorReportRow.reference == filed.reference)
            .values(reference=reference)
        )
    from tests.stewardship.helpers import CLI

    answer_report(engine, reference, CLI, "Rettet.", now=datetime.now(UTC))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('reports') / 'r.sqlite'}")
    upgrade(engine)
    with Session(engine) as session, session.begin():
        write_geography(session, load_geography())
    with cheap_argon2():
        two_organisations(engine)
        add_user(engine, "kari", "steward", "organisation", "org-a")
        _report_with_reference(engine, STATUS_REFERENCE)
        app = create_app(Settings(database_url=str(engine.url), secret_key="r" * 40), Registry(engine))  # type: ignore[arg-type]
        with LocalServer(app) as running:
            yield running.url


def _sign_in(page: Page, server: str) -> None:
    page.goto(server + "/logg-inn")
    page.fill("#username", "kari")
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    expect(page.locator(".account-name")).to_contain_text("Kari")


@pytest.mark.parametrize("width", [360, 1280])
def test_a_report_reaches_the_steward_and_its_answer_the_status_page(
    browser: Browser, server: str, width: int
) -> None:
    public = browser.new_context(viewport={"width": width, "height": 800}, locale="nb-NO")
    steward = browser.new_context(viewport={"width": width, "height": 800}, locale="nb-NO")
    errors: list[str] = []
    try:
        page = public.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(server + "/enhet/unit-a")
        page.click("text=Meld feil på denne siden")
        expect(page.locator("h1")).to_have_text("Meld feil")
        page.fill("#report-text", f"Telefonnummeret er feil ({width} px)")
        page.click("main button[type=submit]")
        expect(page.locator(".notice")).to_contain_text("Takk")
        reference = re.search(r"/meldinger/([0-9A-Z]{10})", page.url)
        assert reference and page.evaluate("document.documentElement.scrollWidth") <= width
        assert public.cookies() == []  # the public never gets a cookie
        desk = steward.new_page()
        _sign_in(desk, server)
        desk.goto(server + "/forvalt")
        desk.click("text=Feilmeldinger fra publikum")
        section = desk.locator(f"#r-{reference.group(1)}")
        expect(section).to_contain_text(f"({width} px)")
        section.locator("summary").click()
        section.locator("textarea[name=answer]").fill("Rettet, takk!")
        section.locator("form[action$='/svar'] button").click()
        assert desk.evaluate("document.documentElement.scrollWidth") <= width
        page.reload()
        expect(page.locator("main")).to_contain_text("Rettet, takk!")
        expect(page.locator(".report-status")).to_have_text("besvart")
    finally:
        public.close()
        steward.close()
    assert errors == []


@pytest.mark.parametrize(
    "path",
    ["/enhet/unit-a/meld-feil", f"/meldinger/{STATUS_REFERENCE}", "/forvalt/meldinger", "/forvalt/nokler"],
)
def test_the_new_pages_have_no_serious_accessibility_violations(
    browser: Browser, server: str, path: str
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True, locale="nb-NO")
    page = context.new_page()
    try:
        if path.startswith("/forvalt"):
            _sign_in(page, server)
        page.goto(server + path)
        page.add_script_tag(path=str(AXE))
        result: dict[str, Any] = page.evaluate("axe.run()")
    finally:
        context.close()
    serious = [
        (v["id"], [n["target"] for n in v["nodes"]])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []
