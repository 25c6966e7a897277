"""The atlas choropleth in a real browser: polygons drawn, legend shown, no script errors (CSP-safe)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page

SHOTS = os.environ.get("TSBKART_SCREENSHOTS")  # a folder: keep a screenshot to look at


@pytest.mark.browser
def test_choropleth_draws_catchment_polygons_without_errors(live_server: str, page: Page) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(f"{live_server}/atlas/helseatlas_pasientrate_18_24?lang=nb")
    page.wait_for_selector("#atlas-map .atlas-legend")
    assert page.locator("#atlas-map path.leaflet-interactive").count() >= 19
    assert "ukjent" in page.locator("#atlas-map .atlas-legend").inner_text()
    assert page.locator('figure.atlas-chart svg.vega-chart path[aria-roledescription="bar"]').count() == 21
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / "atlas-indicator-1280.png"), full_page=True)
    assert errors == []
