import math
import re

import numpy as np

from tests.atlas.world import population, snapshot
from tsbkart.atlas.chart import bar_rows, ranked_bars
from tsbkart.atlas.indicators import indicator_table
from tsbkart.charts import render_svg

TEXTS = {"x": "senger per 10 000 voksne", "unknown": "ukjent"}


def test_bars_ranked_highest_first_with_unknown_last() -> None:
    table = indicator_table(snapshot(), "beds_per_10k", population())
    table.rows.loc[table.rows["code"] == "north", "value"] = np.nan
    rows = bar_rows(table)
    assert list(rows["code"]) == ["south", "north"] and list(rows["order"]) == [0, 1]
    assert math.isnan(rows["value"].iloc[-1])


def test_the_chart_is_vega_lite_rendered_to_accessible_svg_without_script() -> None:
    table = indicator_table(snapshot(), "beds_per_10k", population())
    table.rows.loc[table.rows["code"] == "south", "value"] = np.nan
    spec = ranked_bars(table, TEXTS)
    assert spec["$schema"].endswith("vega-lite/v5.json") and len(spec["layer"]) == 5  # national line included
    svg = render_svg(spec, "Døgnplasser", "Søyler, høyest først", "nb")
    assert svg.startswith('<svg role="img"') and "<title id=" in svg and "<desc id=" in svg
    assert "<script" not in svg and not re.search(r"\sstyle=", svg)
    assert svg.count('stroke-dasharray="4,3"') == 1  # Norway's value: one dashed line
    assert svg.split(">", 1)[0].count("class=") == 1  # one class attribute on the root
    assert "ukjent" in svg and "North HF" in svg  # an unknown value is written, never a bar of 0


def test_no_national_line_without_a_national_value() -> None:
    table = indicator_table(snapshot(), "beds_per_10k", population())
    table = type(table)(table.indicator, table.rows, None, table.notes)
    assert len(ranked_bars(table, TEXTS)["layer"]) == 4


def test_bars_are_drawn_in_rank_order() -> None:
    table = indicator_table(snapshot(), "beds_per_10k", population())
    table.rows.loc[table.rows["code"] == "north", "value"] = 1.0
    table.rows.loc[table.rows["code"] == "south", "value"] = 30.0
    spec = ranked_bars(table, TEXTS)
    assert spec["layer"][0]["encoding"]["y"]["sort"] == ["South HF", "North HF"]
    svg = render_svg(spec, "t", "d", "nb")
    assert svg.index("South HF") < svg.index("North HF")  # highest first, not by name
