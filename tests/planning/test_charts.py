"""Vega-Lite specifications of the planning pages."""

import pandas as pd

from tsbkart.planning.charts import lines_chart


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"year": [2020, 2021, 2022], "value": [0, 0, 7], "name": ["Norge"] * 3})


def test_a_count_gets_whole_number_ticks_and_a_share_does_not() -> None:
    count = lines_chart(_frame(), {"x": "År", "y": "helseforetak"}, "value", "name", y_format="d")
    assert count["encoding"]["y"]["axis"] == {"format": "d", "values": [0, 2, 4, 6, 8]}
    share = lines_chart(_frame(), {"x": "År", "y": "%"}, "value", "name", y_format=",.1f")
    assert share["encoding"]["y"]["axis"] == {"format": ",.1f"}


def test_legend_can_go_below_or_away() -> None:
    below = lines_chart(_frame(), {"x": "", "y": ""}, "value", "name", facet="name", legend="bottom")
    assert below["spec"]["encoding"]["color"]["legend"]["orient"] == "bottom"
    none = lines_chart(_frame(), {"x": "", "y": ""}, "value", "name", legend=None)
    assert none["encoding"]["color"]["legend"] is None
