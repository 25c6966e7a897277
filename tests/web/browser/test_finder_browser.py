"""The /finn form in a real browser: htmx posts the profile in the body and swaps in results, at phone width,
with no script or CSP error and no serious accessibility violation."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

pytestmark = pytest.mark.browser
AXE = Path(str(resources.files("tsbkart.web") / "static" / "vendor" / "axe-core" / "axe.min.js"))


def _fill(page: Page) -> None:
    page.select_option("#home_area", "5501")
    page.fill("#age", "35")
    page.check("input[name=substances][value=alcohol]")
    page.check("input[name=detox]")


def test_form_posts_in_the_body_and_swaps_results(page: Page, live_server: str) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(live_server + "/finn")
    _fill(page)
    requests: list[tuple[str, str, str | None]] = []
    page.on("request", lambda r: requests.append((r.method, r.url, r.post_data)))
    page.click("button[type=submit]")
    expect(page.locator("#results .result").first).to_be_visible(timeout=15000)
    assert page.url.endswith("/finn")  # no profile in the address bar
    post = next(r for r in requests if "/finn/results" in r[1])
    assert post[0] == "POST" and "?" not in post[1] and post[2] and "home_area=5501" in post[2]
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    expect(page.locator("#results h3").first).to_contain_text("Avrusning")


def test_no_serious_accessibility_violations_on_results(browser: Browser, live_server: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    try:
        page.goto(live_server + "/finn")
        _fill(page)
        page.click("button[type=submit]")
        page.wait_for_selector("#results .result", timeout=15000)
        page.add_script_tag(path=str(AXE))
        result: dict[str, Any] = page.evaluate("axe.run()")
    finally:
        context.close()
    serious = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], [(v["id"], [n["target"] for n in v["nodes"][:3]]) for v in serious]
