"""Layout at 360 and 1280 px: no word broken inside a table cell or badge, no sideways scrolling, and the
atlas report's PDF starts with the report (its first page was blank) and keeps numbers whole."""

from __future__ import annotations

import subprocess
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Browser

PAGES = (
    "/enhet/unn-avrusning-tromso",
    "/omrade/hf/unn",
    "/omrade/kommune/0301",
    "/atlas/rapport/unn",
    "/atlas/beds_per_10k",
)
WIDTHS = (360, 1280)

# Every word (between spaces, hyphens, slashes and punctuation) of a table cell or badge must sit on one line.
BROKEN_WORDS = """() => {
  const broken = new Set();
  for (const el of document.querySelectorAll("th, td, .badge, .cell, .status-badge, .num")) {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const words = /[^\\s\\-\\/–,;:()«»]+/g;
      for (let m = words.exec(node.textContent); m; m = words.exec(node.textContent)) {
        if (m[0].length < 2 || m[0].length > 30) continue;  // a URL may wrap anywhere
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
        if (tops.size > 1) broken.add(m[0]);
      }
    }
  }
  return [...broken];
}"""


@pytest.mark.browser
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("path", PAGES)
def test_no_word_breaks_inside_cells_or_badges(
    live_server: str, browser: Browser, path: str, width: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 800})
    try:
        tab = context.new_page()
        tab.goto(live_server + path)
        # Before the fix: "Rettslig grunnl|ag", badges "fin|ne|s" one letter per line at 360 px.
        assert tab.evaluate(BROKEN_WORDS) == []
        assert tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        context.close()


def _pdf_text(live_server: str, path: str, tmp_path: Path, *pages: str) -> str:
    target = tmp_path / "report.pdf"
    with urllib.request.urlopen(live_server + path) as response:
        target.write_bytes(response.read())
    command = ["pdftotext", "-layout", *pages, str(target), "-"]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


@pytest.mark.browser
def test_report_pdf_first_page_has_the_report(live_server: str, tmp_path: Path) -> None:
    first = _pdf_text(live_server, "/atlas/rapport/unn.pdf", tmp_path, "-f", "1", "-l", "1")
    assert "Universitetssykehuset Nord-Norge HF" in first
    assert "Dekning" in first and "Basistjenester" in first  # before the fix: pushed to page 2
    assert "Generert" in first


@pytest.mark.browser
def test_report_pdf_keeps_numbers_whole_and_lists_sources(live_server: str, tmp_path: Path) -> None:
    text = _pdf_text(live_server, "/atlas/rapport/unn.pdf?lang=en", tmp_path)
    lines = [line.strip() for line in text.splitlines()]
    assert not [line for line in lines if line in ("%", "km", "/")], "a number was split from its unit"
    assert "Sources" in text and "https://" in text.split("Sources")[-1]


@pytest.mark.browser
@pytest.mark.parametrize("width", WIDTHS)
def test_area_page_map_draws_its_units(live_server: str, browser: Browser, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 800})
    try:
        tab = context.new_page()
        errors: list[str] = []
        tab.on("pageerror", lambda error: errors.append(str(error)))
        tab.goto(live_server + "/omrade/hf/unn")
        tab.wait_for_selector("#area-map path.leaflet-interactive")
        located = tab.evaluate("JSON.parse(document.getElementById('area-map').dataset.config).units.length")
        assert tab.locator("#area-map path.leaflet-interactive").count() == located > 0
        box = tab.locator("#area-map").bounding_box()
        assert box is not None and box["width"] <= width
        assert errors == []
    finally:
        context.close()
