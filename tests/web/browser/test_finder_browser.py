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
    expect(page.locator("#results .result h4").first).to_contain_text("Avrusning")


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


# --- #11: scope, focus, the acute path and Oslo -----------------------------------------------------------


@pytest.mark.parametrize("width", [360, 1280])
def test_focus_and_scroll_move_to_the_results_and_status_is_told(
    page: Page, live_server: str, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 740})
    page.goto(live_server + "/finn")
    page.select_option("#home_area", "4601")
    page.fill("#age", "45")
    page.check("input[name=substances][value=alcohol]")
    page.click("button[type=submit]")
    expect(page.locator("#results .result-group").first).to_be_visible(timeout=15000)
    expect(page.locator("#finder-status")).to_contain_text("tjenester som passer")
    assert page.evaluate("document.activeElement.id") == "results"
    assert page.evaluate("document.getElementById('results').getBoundingClientRect().top") < 50
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # "Show more" is a <details>: it opens without any script of ours.
    more = page.locator("#results details.more").first
    hidden = more.locator(".result").first
    expect(hidden).to_be_hidden()
    more.locator("summary").click()
    expect(hidden).to_be_visible()


def test_acute_crisis_shows_emergency_help_at_phone_width(page: Page, live_server: str) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(live_server + "/finn")
    page.select_option("#home_area", "4601")
    page.fill("#age", "60")
    page.check("input[name=substances][value=alcohol]")
    page.check("input[name=acute_crisis]")
    page.click("button[type=submit]")
    acute = page.locator("#results .acute")
    expect(acute).to_be_visible(timeout=15000)
    expect(acute).to_contain_text("113")
    expect(acute).to_contain_text("116 117")
    expect(acute.locator("a[href^='/enhet/']").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_oslo_postal_code_asks_for_the_bydel_and_answers_for_it(page: Page, live_server: str) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(live_server + "/finn")
    page.fill("#postal_code", "0557")
    page.fill("#age", "40")
    page.check("input[name=substances][value=alcohol]")
    page.click("button[type=submit]")
    question = page.locator("#results .bydel-question")
    expect(question).to_be_visible(timeout=15000)
    page.select_option("#bydel", label="Grünerløkka")
    question.locator("button").click()
    expect(page.locator("#results .bydel-question")).to_have_count(0, timeout=15000)
    expect(page.locator("#results .result-group h3").first).to_contain_text("I ditt opptaksområde")


@pytest.mark.parametrize(
    ("fill", "wait"),
    [
        ({"home_area": "4601", "age": "60", "checks": ["acute_crisis"]}, "#results .acute"),
        ({"postal_code": "0557", "age": "40", "checks": []}, "#results .bydel-question"),
    ],
    ids=["acute", "oslo-postal-code"],
)
def test_no_serious_accessibility_violations_on_the_new_answers(
    browser: Browser, live_server: str, fill: dict[str, Any], wait: str
) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740}, bypass_csp=True)
    page = context.new_page()
    try:
        page.goto(live_server + "/finn")
        if "home_area" in fill:
            page.select_option("#home_area", fill["home_area"])
        else:
            page.fill("#postal_code", fill["postal_code"])
        page.fill("#age", fill["age"])
        page.check("input[name=substances][value=alcohol]")
        for name in fill["checks"]:
            page.check(f"input[name={name}]")
        page.click("button[type=submit]")
        page.wait_for_selector(wait, timeout=15000)
        page.add_script_tag(path=str(AXE))
        result: dict[str, Any] = page.evaluate("axe.run()")
    finally:
        context.close()
    serious = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], [(v["id"], [n["target"] for n in v["nodes"][:3]]) for v in serious]
