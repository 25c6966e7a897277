"""Browser-test fixtures: a real uvicorn server in a thread and Debian's chromium driven by Playwright.

The server serves the app over a SQLite database built from the bundled reference data (``reference_engine``);
chromium is the system one (/usr/bin/chromium): Playwright never downloads a browser here.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy import Engine

from tsbkart.registry.store import Registry
from tsbkart.settings import Settings
from tsbkart.web.app import create_app
from tsbkart.web.local_server import CHROMIUM, CHROMIUM_ARGS, LocalServer


@pytest.fixture(scope="session")
def live_server(reference_engine: Engine) -> Iterator[str]:
    app = create_app(Settings(database_url=str(reference_engine.url)), Registry(reference_engine))
    with LocalServer(app) as server:
        yield server.url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not shutil.which(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nb-NO")
    tab = context.new_page()
    errors: list[str] = []
    tab.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    tab.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield tab
    finally:
        context.close()
    # A CSP violation or a script error is a failure even when the page looked right.
    assert errors == [], errors
