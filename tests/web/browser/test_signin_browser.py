"""Sign-in in a real browser at 360 and 1280 px: wrong password message, the signed-in header on the map, the
audit page for the administrator (no sideways scrolling of the page), sign-out, and axe on the sign-in page."""

from __future__ import annotations

from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect
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


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('signin') / 's.sqlite'}")
    upgrade(engine)
    with Session(engine) as session, session.begin():
        write_geography(session, load_geography())
    with cheap_argon2():
        two_organisations(engine)
        add_user(engine, "admin", "administrator")
        app = create_app(Settings(database_url=str(engine.url), secret_key="b" * 40), Registry(engine))  # type: ignore[arg-type]
        with LocalServer(app) as running:
            yield running.url


@pytest.mark.parametrize("width", [360, 1280])
def test_sign_in_see_who_you_are_and_sign_out(browser: Browser, server: str, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 800}, locale="nb-NO")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(server + "/logg-inn")
        page.fill("#username", "admin")
        page.fill("#password", "not the password")
        page.click("main button[type=submit]")
        expect(page.locator(".form-error")).to_have_text("Feil brukernavn eller passord.")
        page.fill("#username", "admin")
        page.fill("#password", PASSWORD)
        page.click("main button[type=submit]")
        expect(page.locator(".account-name")).to_contain_text("Admin")
        page.goto(server + "/admin/logg")
        expect(page.locator("h1")).to_have_text("Revisjonslogg")
        expect(page.locator(".audit-table tbody tr").first).to_contain_text("innlogging")
        assert (
            page.evaluate("document.documentElement.scrollWidth") <= width
        )  # the table scrolls, not the page
        page.click(".sign-out button")
        expect(page.locator(".sign-in-link")).to_be_visible()
        assert page.goto(server + "/admin/logg").url.startswith(server + "/logg-inn?next=")  # type: ignore[union-attr]
    finally:
        context.close()
    assert errors == []


def test_the_sign_in_page_has_no_serious_accessibility_violations(browser: Browser, server: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    try:
        page.goto(server + "/logg-inn")
        page.add_script_tag(path=str(AXE))
        result: dict[str, Any] = page.evaluate("axe.run()")
    finally:
        context.close()
    serious = [v["id"] for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == []
