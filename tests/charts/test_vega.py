import re

from tsbkart.charts.vega import render_svg

SPEC = {
    "data": {"values": [{"year": 2026, "v": 1000.5}, {"year": 2040, "v": 2500.25}]},
    "mark": "line",
    "encoding": {
        "x": {"field": "year", "type": "ordinal"},
        "y": {"field": "v", "type": "quantitative", "axis": {"format": ",.1f"}},
    },
}


def test_renders_an_accessible_svg_without_scripts_or_inline_styles() -> None:
    svg = render_svg(SPEC, "Senger <per år>", "Fra 2026 til 2040", "nb")
    assert svg.startswith('<svg role="img" aria-labelledby="chart-')
    assert "<title id=" in svg and "Senger &lt;per år&gt;" in svg and "<desc id=" in svg
    assert "<script" not in svg and "style=" not in svg and "href=" not in svg.replace("xmlns:xlink", "")


def test_numbers_follow_the_language() -> None:
    nb = render_svg(SPEC, "t", "d", "nb")
    en = render_svg(SPEC, "t", "d", "en")
    assert re.search(r"2\u00a0\d00,0", nb)  # axis ticks like "2 500,0"
    assert re.search(r"2,\d00\.0", en)


def test_an_external_data_url_is_refused() -> None:
    import pytest

    spec = {**SPEC, "data": {"url": "https://example.test/data.csv"}}
    with pytest.raises(ValueError):
        render_svg(spec, "t", "d", "en")
