"""Acceptance flows in a real browser: map, markers and clusters, filters, unit page, language, axe, 360 px."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

pytestmark = pytest.mark.browser

AXE = Path(str(resources.files("tsbkart.web") / "static" / "vendor" / "axe-core" / "axe.min.js"))
LOCATED_UNITS = 132  # bundled units with a location (143 minus 11 with none)
TIMEOUT_MS = 15_000


def _open_map(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("#map[data-ready='true']", timeout=TIMEOUT_MS)


def test_map_shows_markers_and_clusters(page: Page, live_server: str) -> None:
    _open_map(page, live_server + "/")
    assert page.get_attribute("#map", "data-markers") == str(LOCATED_UNITS)
    assert page.locator(".cluster-icon").count() > 0
    page.locator(".leaflet-control-zoom-in").click()
    page.locator(".leaflet-control-zoom-in").click()
    page.locator(".leaflet-control-zoom-in").click()
    page.wait_for_selector(".unit-marker", timeout=TIMEOUT_MS)
    assert page.locator(".unit-marker.approx").count() > 0  # approximate points drawn differently
    assert page.locator("path.boundary").count() > 0  # catchment areas from /geo/opptaksomrader.geojson


def test_filter_updates_list_map_and_url(page: Page, live_server: str) -> None:
    _open_map(page, live_server + "/")
    expect(page.locator("#result-list > li")).to_have_count(143)
    page.locator("#st-akutt").check()
    expect(page.locator("#result-list > li")).not_to_have_count(143, timeout=TIMEOUT_MS)
    page.wait_for_selector("#map[data-ready='true']", timeout=TIMEOUT_MS)
    shown = page.locator("#result-list > li").count()
    assert 0 < shown < 143
    assert int(page.get_attribute("#map", "data-markers") or "0") <= shown
    assert "service_type=akutt" in page.url
    expect(page.locator("#result-count")).to_contain_text(str(shown))
    # The shared URL renders the same list on the server.
    page.goto(page.url)
    expect(page.locator("#result-list > li")).to_have_count(shown)


def test_open_a_unit_page_from_the_list(page: Page, live_server: str) -> None:
    _open_map(page, live_server + "/")
    link = page.locator("#result-list > li h3 a").first
    name = link.inner_text()
    link.click()
    page.wait_for_url("**/enhet/**")
    expect(page.locator("h1")).to_have_text(name)
    expect(page.locator(".badge").first).to_be_visible()


def test_switch_language(page: Page, live_server: str) -> None:
    _open_map(page, live_server + "/")
    assert page.get_attribute("html", "lang") == "nb"
    page.locator(".lang-switch").click()
    page.wait_for_url("**lang=en**")
    assert page.get_attribute("html", "lang") == "en"
    expect(page.locator("#legend-title")).to_have_text("Legend")
    page.goto(live_server + "/omrade/hf/unn")  # the choice sticks (cookie)
    expect(page.locator("h2").first).to_have_text("Basic services")


def _axe(page: Page) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    result: dict[str, Any] = page.evaluate("axe.run()")
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize(
    "path", ["/", "/enhet/unn-avrusning-tromso", "/omrade/hf/unn", "/omrade/kommune/0301"]
)
def test_no_serious_accessibility_violations(browser: Browser, live_server: str, path: str) -> None:
    # A context without the CSP-error check: injecting axe is the test's own script, not the page's.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    try:
        page.goto(live_server + path)
        if path == "/":
            page.wait_for_selector("#map[data-ready='true']", timeout=TIMEOUT_MS)
        violations = _axe(page)
    finally:
        context.close()
    assert violations == [], [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"][:3]]) for v in violations
    ]


@pytest.mark.parametrize(
    "path", ["/", "/enhet/unn-avrusning-tromso", "/omrade/hf/unn", "/omrade/rhf/helse-sor-ost"]
)
def test_nothing_overflows_at_360px(browser: Browser, live_server: str, path: str) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    try:
        page.goto(live_server + path)
        page.wait_for_load_state("load")
        width = page.evaluate("document.documentElement.scrollWidth")
    finally:
        context.close()
    assert width <= 360


def test_keyboard_skip_link_and_list(page: Page, live_server: str) -> None:
    _open_map(page, live_server + "/")
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")
    page.locator("#result-list > li h3 a").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/enhet/**")


def test_area_page_matrix_links_to_units(page: Page, live_server: str) -> None:
    page.goto(live_server + "/omrade/hf/unn")
    link = page.locator("table.matrix a").first
    name = link.inner_text()
    link.click()
    page.wait_for_url("**/enhet/**")
    expect(page.locator("h1")).to_have_text(name)


# --- Filter panel: closed on phones at load so the map comes first, open everywhere else ----------------------
PHONE: ViewportSize = {"width": 360, "height": 740}


def _panel_open(page: Page) -> bool:
    is_open: bool = page.evaluate("document.getElementById('filter-panel').open")
    return is_open


def test_filter_panel_is_closed_on_a_phone_and_the_map_is_on_the_first_screen(
    page: Page, live_server: str
) -> None:
    page.set_viewport_size(PHONE)
    _open_map(page, live_server + "/")
    assert not _panel_open(page)
    expect(page.locator("#filters")).to_be_hidden()
    expect(page.locator(".filter-summary")).to_have_text("Filtre")
    box = page.locator("#map").bounding_box()
    assert box is not None and 0 <= box["y"] < PHONE["height"]
    # The summary opens it; a filter chosen there is counted in the summary at once.
    page.locator(".filter-summary").click()
    expect(page.locator("#filters")).to_be_visible()
    page.locator("#st-akutt").check()
    expect(page.locator(".filter-summary")).to_have_text("Filtre (1)")
    page.wait_for_url("**service_type=akutt**", timeout=TIMEOUT_MS)


def test_filter_panel_is_open_on_a_phone_when_a_filter_is_active(page: Page, live_server: str) -> None:
    page.set_viewport_size(PHONE)
    _open_map(page, live_server + "/?service_type=akutt&area=helse-nord&lang=en")
    assert _panel_open(page)
    expect(page.locator("#filters")).to_be_visible()
    expect(page.locator(".filter-summary")).to_have_text("Filters (2)")


def test_filter_panel_is_open_on_a_wide_screen(page: Page, live_server: str) -> None:
    _open_map(page, live_server + "/")  # the fixture's 1280 x 900
    assert _panel_open(page)
    expect(page.locator("#st-akutt")).to_be_visible()


def test_filter_panel_is_open_without_javascript(browser: Browser, live_server: str) -> None:
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(live_server + "/")
        page.wait_for_load_state("load")
        is_open = _panel_open(page)  # evaluate runs even when the page's own scripts are disabled
        visible = page.locator("#st-akutt").is_visible()
        markers = page.get_attribute("#map", "data-ready")
    finally:
        context.close()
    assert is_open and visible
    assert markers is None  # map.js really did not run


def test_no_serious_accessibility_violations_on_a_phone_with_the_filters_closed(
    browser: Browser, live_server: str
) -> None:
    context = browser.new_context(viewport=PHONE, bypass_csp=True)
    page = context.new_page()
    try:
        _open_map(page, live_server + "/")
        assert not _panel_open(page)
        violations = _axe(page)
    finally:
        context.close()
    assert violations == [], [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"][:3]]) for v in violations
    ]
