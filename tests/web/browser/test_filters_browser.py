"""Filters never answer a bare 0 (#11), in a real browser: every target-group value on the map gives results or
an explanation, the explanation follows a filter change, and the pages hold at 360 and 1280 px."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

pytestmark = pytest.mark.browser

AXE = Path(str(resources.files("tsbkart.web") / "static" / "vendor" / "axe-core" / "axe.min.js"))
TIMEOUT_MS = 15_000
WIDTHS = (360, 1280)


def _ready(page: Page) -> None:
    page.wait_for_selector("#map[data-ready='true']", timeout=TIMEOUT_MS)


def test_every_target_group_gives_results_or_an_explanation(page: Page, live_server: str) -> None:
    page.goto(live_server + "/")
    _ready(page)
    codes = page.eval_on_selector_all("#f-target_group option", "os => os.map(o => o.value).filter(v => v)")
    assert len(codes) >= 18
    for code in codes:
        page.select_option("#f-target_group", code)
        page.wait_for_url(f"**target_group={code}**", timeout=TIMEOUT_MS)
        _ready(page)
        # The explanation is swapped in after the list: wait until it speaks of this query's counts.
        expect(page.locator("#explanation .target-counts")).to_be_visible(timeout=TIMEOUT_MS)
        shown = page.locator("#result-list > li").count()
        explained = page.locator("#explanation .empty-result").count()
        assert shown > 0 or explained == 1, code
        if shown:
            assert page.locator("#result-list > li[data-fit]").count() == shown, code  # each result labelled


def test_an_empty_combination_explains_itself_after_a_filter_change(page: Page, live_server: str) -> None:
    page.goto(live_server + "/?area=finnmark")
    _ready(page)
    page.locator("#st-akutt").check()
    expect(page.locator("#explanation .empty-result")).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.locator("#result-list > li")).to_have_count(0)
    way_out = page.locator("#explanation .suggestions a", has_text="Helse Nord")
    way_out.click()
    page.wait_for_url("**area=helse-nord**")
    assert page.locator("#result-list > li").count() > 0
    expect(page.locator("#explanation .empty-result")).to_have_count(0)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(
    "path", ["/?target_group=adults", "/?service_type=akutt&area=finnmark", "/enhet/fossum-valnesfjord"]
)
def test_pages_hold_at_phone_and_desktop_width(
    browser: Browser, live_server: str, tmp_path: Path, width: int, path: str
) -> None:
    # bypass_csp: injecting axe is the test's own script, not the page's.
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="nb-NO", bypass_csp=True)
    page = context.new_page()
    try:
        page.goto(live_server + path)
        page.wait_for_load_state("load")
        if path.startswith("/?"):
            page.wait_for_selector("#map[data-ready='true']", timeout=TIMEOUT_MS)
        page.screenshot(path=str(tmp_path / f"shot-{width}.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth")
        expect(page.locator(".help-now")).to_be_visible()
        page.add_script_tag(path=str(AXE))
        result: dict[str, Any] = page.evaluate("axe.run()")
    finally:
        context.close()
    assert overflow <= width
    serious = [
        (v["id"], [n["target"] for n in v["nodes"][:3]])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []
