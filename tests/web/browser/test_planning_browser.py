"""The planning pages in a real browser: charts drawn at 360 and 1280 px, no console errors, axe passes."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser

AXE = Path(str(resources.files("tsbkart.web") / "static" / "vendor" / "axe-core" / "axe.min.js"))
PAGES = ["/plan", "/plan/befolkning", "/plan/kapasitet", "/plan/gylden-regel", "/plan/utvikling"]
CHARTS = {
    "/plan": 0,
    "/plan/befolkning": 2,
    "/plan/kapasitet": 3,
    "/plan/gylden-regel": 1,
    "/plan/utvikling": 2,
}
# Set TSBKART_SCREENSHOTS to a folder to keep a full-page screenshot of each page and width (to look at them).
SHOTS = os.environ.get("TSBKART_SCREENSHOTS")
# The first visit projects the population and starts the chart engine: allow for a loaded 2-core machine.
TIMEOUT_MS = 180_000


@pytest.mark.browser
@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("path", PAGES)
def test_planning_pages_draw_their_charts_without_errors(
    browser: Browser, live_server: str, path: str, width: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="nb-NO")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(live_server + path + "?lang=nb", timeout=TIMEOUT_MS)
        charts = page.locator("figure.plan-chart svg[role=img]")
        assert charts.count() == CHARTS[path]
        for k in range(charts.count()):
            box = charts.nth(k).bounding_box()
            assert box is not None and 0 < box["width"] <= width and box["height"] > 50
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        if SHOTS:
            name = (path.strip("/").replace("/", "-") or "plan") + f"-{width}.png"
            page.screenshot(path=str(Path(SHOTS) / name), full_page=True)
    finally:
        context.close()
    assert errors == [], errors


@pytest.mark.browser
@pytest.mark.parametrize("path", PAGES)
def test_planning_pages_pass_axe(browser: Browser, live_server: str, path: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    try:
        page.goto(live_server + path + "?lang=nb", timeout=TIMEOUT_MS)
        page.add_script_tag(path=str(AXE))
        result: dict[str, Any] = page.evaluate("axe.run()")
    finally:
        context.close()
    violations = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert violations == [], [(v["id"], [n["target"] for n in v["nodes"][:3]]) for v in violations]
