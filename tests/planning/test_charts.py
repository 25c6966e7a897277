"""Vega-Lite specifications of the planning pages."""

import pandas as pd

from tsbkart.planning.charts import CONFIG, band_chart, lines_chart, small_multiples


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"year": [2020, 2021, 2022], "value": [0, 0, 7], "name": ["Norge"] * 3})


def test_a_count_gets_whole_number_ticks_and_a_share_does_not() -> None:
    count = lines_chart(_frame(), {"x": "År", "y": "helseforetak"}, "value", "name", y_format="d")
    assert count["encoding"]["y"]["axis"] == {"format": "d", "values": [0, 2, 4, 6, 8]}
    assert count["encoding"]["y"]["scale"] == {"domain": [0, 8]}
    share = lines_chart(_frame(), {"x": "År", "y": "%"}, "value", "name", y_format=",.1f")
    assert share["encoding"]["y"]["axis"] == {"format": ",.1f"}


def test_an_area_with_nothing_to_count_still_spreads_its_ticks() -> None:
    zero = lines_chart(_frame().assign(value=0), {"x": "", "y": ""}, "value", "name", y_format="d")
    assert zero["encoding"]["y"]["axis"]["values"] == [0, 1] and zero["encoding"]["y"]["scale"] == {
        "domain": [0, 1]
    }


def test_legend_can_go_below_or_away() -> None:
    below = lines_chart(_frame(), {"x": "", "y": ""}, "value", "name", legend="bottom")
    assert below["encoding"]["color"]["legend"]["orient"] == "bottom"
    assert below["encoding"]["color"]["legend"]["columns"] == 3  # short names, three to a row
    none = lines_chart(_frame(), {"x": "", "y": ""}, "value", "name", legend=None)
    assert none["encoding"]["color"]["legend"] is None


def test_small_multiples_are_one_phone_sized_chart_per_area() -> None:
    frame = pd.DataFrame(
        {
            "year": [2026, 2040] * 3,
            "value": [1.0, 2.0, 10.0, 20.0, 5.0, 6.0],
            "low": [1.0, 1.5, 9.0, 15.0, 4.0, 5.0],
            "high": [1.0, 2.5, 11.0, 25.0, 6.0, 7.0],
            "name": ["Helse Nord RHF"] * 2 + ["Helse Vest RHF"] * 2 + [None] * 2,
        }
    )
    charts = small_multiples(
        frame, "name", lambda part: band_chart(part, {"x": "År", "y": "Senger"}, panel=True)
    )
    assert [name for name, _ in charts] == ["Helse Nord RHF", "Helse Vest RHF"]  # in order; no area, no chart
    name, spec = charts[1]
    assert spec["title"] == name and "facet" not in spec
    assert [row["value"] for row in spec["data"]["values"]] == [10.0, 20.0]  # only its own area's rows
    # Narrow enough for a 360 px screen with its axes, text larger than Vega's 10-11 px defaults.
    assert spec["width"] <= 260 and spec["config"] == CONFIG and CONFIG["axis"]["labelFontSize"] >= 12
