"""Vega-Lite specifications for the planning pages (rendered by ``tsbkart.charts.render_svg``).

Builders take tidy frames and the axis texts (translated by the caller) and return plain dicts:

    band_chart(frame, y="value", low="low", high="high", texts={"x": "År", "y": "Senger"})
    tornado_chart(tornado_frame, texts={"x": "Senger 2040", "y": ""})
    growth_chart(goldenrule_rows, texts={...}, panel=True)
    small_multiples(frame, "name", lambda part: band_chart(part, texts, panel=True))  # [("Helse Nord RHF", spec), ...]

Charts are drawn for a phone first: a chart is about 340 px wide with its axes and its legend below it, so a
360 px screen shows it at nearly its own size, its text as large as the page's small print. Small multiples are
one chart per area (``small_multiples``, each titled with its area) that the page lays out in a CSS grid: one
full-width column on a phone, several side by side on a wide screen. (One facetted Vega-Lite chart is a single
picture two or three panels wide, which a phone can only shrink until its text is unreadable.)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["CONFIG", "band_chart", "growth_chart", "lines_chart", "small_multiples", "tornado_chart"]

# Plot sizes (without axes and legend): a small multiple, and a chart standing alone.
PANEL_WIDTH, PANEL_HEIGHT = 250, 140
WIDTH, HEIGHT = 270, 190
# Text a little larger than Vega's defaults (10-11 px), relative to charts this narrow.
CONFIG: dict[str, Any] = {
    "axis": {"labelFontSize": 12, "titleFontSize": 12},
    # Labels are measured on the server; a browser's sans-serif can be wider: room before the y title.
    "axisY": {"titlePadding": 12},
    # Legends below the plot, one under the other (side by side they would be wider than a phone).
    "legend": {
        "labelFontSize": 12,
        "titleFontSize": 12,
        "symbolSize": 90,
        "layout": {"bottom": {"anchor": "start", "direction": "vertical", "margin": 8}},
    },
    "title": {"fontSize": 14, "anchor": "start"},
}
# Years as labels at least 5 years apart, dropping every other one where they would touch.
YEAR_AXIS = {"format": "d", "tickMinStep": 5, "labelOverlap": True, "labelSeparation": 8}
LEGEND_BELOW = {"orient": "bottom", "direction": "vertical", "labelLimit": 300}
SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"  # an identifier only; nothing is fetched


def _values(frame: pd.DataFrame) -> list[dict[str, Any]]:
    clean = frame.replace([np.inf, -np.inf], np.nan).astype(object)
    clean = clean.where(pd.notna(clean), None)
    return [dict(zip(clean.columns, row, strict=True)) for row in clean.itertuples(index=False, name=None)]


def _chart(layer: dict[str, Any], frame: pd.DataFrame, panel: bool) -> dict[str, Any]:
    width, height = (PANEL_WIDTH, PANEL_HEIGHT) if panel else (WIDTH, HEIGHT)
    data = {"values": _values(frame)}
    return {"$schema": SCHEMA, "config": CONFIG, "data": data, **layer, "width": width, "height": height}


def small_multiples(
    frame: pd.DataFrame, by: str, build: Callable[[pd.DataFrame], dict[str, Any]]
) -> list[tuple[str, dict[str, Any]]]:
    """One chart per value of ``by`` (in order of first appearance), each titled with that value; each has its
    own y scale, as the areas differ in size."""
    out = []
    for value in pd.unique(frame[by].dropna()):
        name = str(value)
        out.append((name, {**build(frame[frame[by] == value]), "title": name}))
    return out


def band_chart(
    frame: pd.DataFrame,
    texts: Mapping[str, str],
    y: str = "value",
    low: str = "low",
    high: str = "high",
    panel: bool = False,
) -> dict[str, Any]:
    """Line of ``y`` over ``year`` with a shaded ``low``-``high`` band (``panel``: a small multiple's size)."""
    x = {
        "field": "year",
        "type": "quantitative",
        "title": texts["x"],
        "axis": YEAR_AXIS,
    }
    layer = {
        "layer": [
            {
                "mark": {"type": "area", "opacity": 0.25, "color": "#1f5f8b"},
                "encoding": {"x": x, "y": {"field": low, "type": "quantitative"}, "y2": {"field": high}},
            },
            {
                "mark": {"type": "line", "color": "#1f5f8b", "strokeWidth": 2},
                "encoding": {
                    "x": x,
                    "y": {
                        "field": y,
                        "type": "quantitative",
                        "title": texts["y"],
                        "axis": {"format": ",.0f"},
                    },
                },
            },
        ]
    }
    return _chart(layer, frame[["year", y, low, high]], panel)


def _whole_ticks(values: pd.Series, y_format: str) -> dict[str, Any]:
    """Whole-number tick values for a count (``d`` format): Vega would label 0.5 as "1" twice otherwise."""
    finite = pd.to_numeric(values, errors="coerce").dropna()
    if y_format != "d" or finite.empty:
        return {}
    top = max(1, int(np.ceil(finite.max())))
    step = max(1, int(np.ceil(top / 5)))
    return {"values": list(range(0, top + step, step))}


def _count_scale(axis: dict[str, Any]) -> dict[str, Any]:
    """The y scale of a count with whole ticks: from 0 to the top tick, so that all-zero data (one area's
    panel) still spreads its ticks instead of stacking 0 and 1 on one line."""
    ticks = axis.get("values")
    return {"scale": {"domain": [0, ticks[-1]]}} if ticks else {}


def lines_chart(
    frame: pd.DataFrame,
    texts: Mapping[str, str],
    y: str,
    series: str,
    dash: str | None = None,
    y_format: str = ",.0f",
    points: bool = False,
    legend: str | None = "bottom",
    panel: bool = False,
) -> dict[str, Any]:
    """One line per ``series`` over ``year``; ``dash`` (a 0/1-valued field) dashes projected years.
    ``y_format`` is the d3 format of the y axis; ``points`` marks each value (sparse dates); ``legend``:
    ``bottom`` (keeps the chart as narrow as a phone), ``right`` or None (one series needs no legend);
    ``panel``: a small multiple's size."""
    whole = _whole_ticks(frame[y], y_format)
    encoding: dict[str, Any] = {
        "x": {
            "field": "year",
            "type": "quantitative",
            "title": texts["x"],
            "axis": YEAR_AXIS,
        },
        "y": {
            "field": y,
            "type": "quantitative",
            "title": texts["y"],
            "axis": {"format": y_format, **whole},
            **_count_scale(whole),
        },
        "color": {"field": series, "type": "nominal", "title": texts.get("series"), "sort": None},
    }
    if legend is None:
        encoding["color"]["legend"] = None
    elif legend == "bottom":
        # Short names (age groups) three to a row, long ones (health trusts) one to a row.
        short = frame[series].astype(str).str.len().max() <= 8
        encoding["color"]["legend"] = {**LEGEND_BELOW, "columns": 3 if short else 1}
    if dash is not None:
        encoding["strokeDash"] = {"field": dash, "type": "nominal", "title": texts.get("dash"), "sort": None}
        if legend == "bottom":
            encoding["strokeDash"]["legend"] = LEGEND_BELOW
    layer = {"mark": {"type": "line", "strokeWidth": 2, "point": points}, "encoding": encoding}
    return _chart(layer, frame[[c for c in ("year", y, series, dash) if c]], panel)


def tornado_chart(frame: pd.DataFrame, texts: Mapping[str, str]) -> dict[str, Any]:
    """Horizontal bars from each parameter's low to high result, largest swing on top; central value marked."""
    central = float(frame.attrs.get("central", np.nan))
    data = frame.assign(central=central)[["title", "low", "high", "central", "swing"]]
    y = {
        "field": "title",
        "type": "nominal",
        "sort": {"field": "swing", "order": "descending"},
        "title": None,
    }
    return {
        "$schema": SCHEMA,
        "config": {**CONFIG, "axisY": {"labelLimit": 130, "titlePadding": 12}},
        "data": {"values": _values(data)},
        "width": WIDTH - 100,  # room for the parameters' names on a phone
        "height": {"step": 26},
        "padding": {"left": 30, "top": 5, "right": 15, "bottom": 5},
        "layer": [
            {
                "mark": {"type": "bar", "color": "#1f5f8b", "height": 16},
                "encoding": {
                    "y": y,
                    "x": {
                        "field": "low",
                        "type": "quantitative",
                        "title": texts["x"],
                        "axis": {"format": ",.0f"},
                        "scale": {"zero": False},
                    },
                    "x2": {"field": "high"},
                },
            },
            {
                "mark": {"type": "rule", "color": "#222", "strokeDash": [4, 3]},
                "encoding": {"x": {"field": "central", "type": "quantitative"}},
            },
        ],
    }


def growth_chart(rows: pd.DataFrame, texts: Mapping[str, str], panel: bool = False) -> dict[str, Any]:
    """Points of a sector's growth and somatic growth per year (one area's rows: ``small_multiples`` by area)."""
    sector = rows[["area", "year", "growth"]].assign(series=texts["sector"])
    somatic = rows[["area", "year", "somatic_growth"]].rename(columns={"somatic_growth": "growth"})
    both = pd.concat([sector, somatic.assign(series=texts["somatic"])], ignore_index=True).dropna()
    layer = {
        "mark": {"type": "point", "filled": True, "size": 60},
        "encoding": {
            "x": {
                "field": "year",
                "type": "quantitative",
                "title": texts["x"],
                "axis": YEAR_AXIS,
                "scale": {"zero": False},
            },
            "y": {"field": "growth", "type": "quantitative", "title": texts["y"], "axis": {"format": ",.1f"}},
            "color": {"field": "series", "type": "nominal", "title": None, "legend": LEGEND_BELOW},
            "shape": {"field": "series", "type": "nominal", "title": None, "legend": LEGEND_BELOW},
        },
    }
    return _chart(layer, both[["year", "growth", "series"]], panel)
