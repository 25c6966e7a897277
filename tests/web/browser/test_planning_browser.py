"""The planning pages in a real browser: charts drawn at 360 and 1280 px, readable on a phone (no text under
10 px, small multiples one to a row, no horizontal scroll), no console errors, axe passes."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser

AXE = Path(str(resources.files("tsbkart.web") / "static" / "vendor" / "axe-core" / "axe.min.js"))
PAGES = ["/plan", "/plan/befolkning", "/plan/kapasitet", "/plan/gylden-regel", "/plan/utvikling"]
# Charts per page: small multiples are one chart per area (4 regions; the golden rule's series also name the
# regions before 2007) or measure (4), beside the charts standing alone.
CHARTS = {
    "/plan": 0,
    "/plan/befolkning": 1 + 4,
    "/plan/kapasitet": 4 + 4 + 1,
    "/plan/gylden-regel": 6,
    "/plan/utvikling": 1 + 4,
}
# The smallest text of any chart as drawn (its font size times the chart's scale on the page), in px.
SMALLEST_TEXT = """Math.min(...Array.from(document.querySelectorAll('svg.vega-chart')).flatMap(svg => {
  const scale = svg.getBoundingClientRect().width / svg.width.baseVal.value;
  return Array.from(svg.querySelectorAll('text')).map(t => parseFloat(getComputedStyle(t).fontSize) * scale);
}))"""
# Per grid of small multiples, how many columns its charts stand in.
GRID_COLUMNS = """Array.from(document.querySelectorAll('.plan-grid')).map(grid =>
  new Set(Array.from(grid.children).map(f => Math.round(f.getBoundingClientRect().left))).size)"""
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
        assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth")  # no horizontal scroll
        if CHARTS[path]:
            assert page.evaluate(SMALLEST_TEXT) >= 10  # a chart is not shrunk until its text is unreadable
        columns = page.evaluate(GRID_COLUMNS)
        # One full-width column on a phone; side by side on a wide screen.
        assert all(c == 1 for c in columns) if width == 360 else all(c > 1 for c in columns), columns
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
