"""The atlas's ranked bar chart as a Vega-Lite specification (rendered to SVG by ``tsbkart.charts.render_svg``,
the one chart library of the atlas and the planning pages).

Shape::

    spec = ranked_bars(table, texts={"x": "senger per 10 000 voksne", "unknown": "ukjent"})
    # bars highest first, a line from ci_low to ci_high where published, a dashed line at Norway's value;
    # an area with an unknown value gets no bar and the word "unknown" (never a bar of 0)
    bar_rows(table)   # the rows in chart order: code, name, value, ci_low, ci_high, order
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from tsbkart.atlas.indicators import IndicatorTable
from tsbkart.atlas.variation_view import ranked

__all__ = ["bar_rows", "ranked_bars"]

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"  # an identifier only; nothing is fetched
WIDTH, STEP, COLOUR, NATIONAL = 420, 24, "#2b6a9e", "#b00020"


def bar_rows(table: IndicatorTable) -> pd.DataFrame:
    """The table's rows highest first, unknown values last (``order`` 0, 1, ...)."""
    rows = ranked(table)[["code", "name", "value", "ci_low", "ci_high"]].reset_index(drop=True)
    return rows.assign(order=range(len(rows)))


def _values(frame: pd.DataFrame) -> list[dict[str, Any]]:
    clean = frame.replace([np.inf, -np.inf], np.nan).astype(object)
    clean = clean.where(pd.notna(clean), None)
    return [dict(zip(clean.columns, row, strict=True)) for row in clean.itertuples(index=False, name=None)]


def ranked_bars(table: IndicatorTable, texts: Mapping[str, str]) -> dict[str, Any]:
    """Horizontal bars per catchment area; ``texts``: ``x`` (the axis title, the indicator's unit), ``unknown``."""
    rows = bar_rows(table)
    y = {
        "field": "name",
        "type": "nominal",
        "title": None,
        # the order as an explicit list: a layered chart does not sort its shared axis by another field
        "sort": list(rows["name"]),
        "axis": {"labelLimit": 260},
    }
    layers: list[dict[str, Any]] = [
        {
            "mark": {"type": "bar", "color": COLOUR, "height": 16},
            "transform": [{"filter": "datum.value != null"}],
            "encoding": {
                "y": y,
                "x": {
                    "field": "value",
                    "type": "quantitative",
                    "title": texts["x"],
                    "axis": {"format": ",.1f", "labelOverlap": True},
                },
            },
        },
        {
            "mark": {"type": "rule", "color": "#111", "strokeWidth": 2},
            "transform": [{"filter": "datum.ci_low != null && datum.ci_high != null"}],
            "encoding": {
                "y": y,
                "x": {"field": "ci_low", "type": "quantitative"},
                "x2": {"field": "ci_high"},
            },
        },
        {
            "mark": {"type": "text", "align": "left", "dx": 4, "color": "#222"},
            "transform": [{"filter": "datum.value != null"}],
            "encoding": {
                "y": y,
                "x": {"field": "edge", "type": "quantitative"},
                "text": {"field": "value", "type": "quantitative", "format": ",.2f"},
            },
        },
        {
            "mark": {"type": "text", "align": "left", "dx": 4, "fontStyle": "italic", "color": "#555"},
            "transform": [{"filter": "datum.value == null"}],
            "encoding": {"y": y, "x": {"datum": 0}, "text": {"value": texts["unknown"]}},
        },
    ]
    if table.national is not None:
        layers.append(
            {
                "data": {"values": [{}]},  # one line, not one per area
                "mark": {"type": "rule", "color": NATIONAL, "strokeDash": [4, 3], "strokeWidth": 1.5},
                "encoding": {"x": {"datum": float(table.national)}},
            }
        )
    edge = rows[["value", "ci_high"]].max(axis=1, skipna=True)
    return {
        "$schema": SCHEMA,
        "data": {"values": _values(rows.assign(edge=edge))},
        "width": WIDTH,
        "height": {"step": STEP},
        # room on the left: the renderer measures long area names a little short, which clipped their start
        "padding": {"left": 40, "top": 5, "right": 10, "bottom": 5},
        "layer": layers,
    }
