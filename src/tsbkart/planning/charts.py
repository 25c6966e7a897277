"""Vega-Lite specifications for the planning pages (rendered by ``tsbkart.charts.render_svg``).

Builders take tidy frames and the axis texts (translated by the caller) and return plain dicts:

    band_chart(frame, y="value", low="low", high="high", facet="name", texts={"x": "År", "y": "Senger"})
    tornado_chart(tornado_frame, texts={"x": "Senger 2040", "y": ""})
    growth_chart(goldenrule_rows, texts={...})
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["band_chart", "growth_chart", "lines_chart", "tornado_chart"]

WIDTH, HEIGHT = 260, 150
SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"  # an identifier only; nothing is fetched


def _values(frame: pd.DataFrame) -> list[dict[str, Any]]:
    clean = frame.replace([np.inf, -np.inf], np.nan).astype(object)
    clean = clean.where(pd.notna(clean), None)
    return [dict(zip(clean.columns, row, strict=True)) for row in clean.itertuples(index=False, name=None)]


def _facetted(layer: dict[str, Any], frame: pd.DataFrame, facet: str | None, columns: int) -> dict[str, Any]:
    base: dict[str, Any] = {"$schema": SCHEMA, "data": {"values": _values(frame)}}
    if facet is None:
        return {**base, **layer, "width": WIDTH * 2, "height": HEIGHT * 1.4}
    return {
        **base,
        "facet": {"field": facet, "type": "nominal", "title": None, "header": {"labelFontWeight": "bold"}},
        "columns": columns,
        "spec": {**layer, "width": WIDTH, "height": HEIGHT},
        "resolve": {"scale": {"y": "independent"}},
    }


def band_chart(
    frame: pd.DataFrame,
    texts: Mapping[str, str],
    y: str = "value",
    low: str = "low",
    high: str = "high",
    facet: str | None = None,
    columns: int = 2,
) -> dict[str, Any]:
    """Line of ``y`` over ``year`` with a shaded ``low``-``high`` band; small multiples by ``facet``."""
    x = {
        "field": "year",
        "type": "quantitative",
        "title": texts["x"],
        "axis": {"format": "d", "tickMinStep": 5, "labelOverlap": True},
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
    return _facetted(layer, frame[[c for c in ("year", y, low, high, facet) if c]], facet, columns)


def _whole_ticks(values: pd.Series, y_format: str) -> dict[str, Any]:
    """Whole-number tick values for a count (``d`` format): Vega would label 0.5 as "1" twice otherwise."""
    finite = pd.to_numeric(values, errors="coerce").dropna()
    if y_format != "d" or finite.empty:
        return {}
    top = max(1, int(np.ceil(finite.max())))
    step = max(1, int(np.ceil(top / 5)))
    return {"values": list(range(0, top + step, step))}


def lines_chart(
    frame: pd.DataFrame,
    texts: Mapping[str, str],
    y: str,
    series: str,
    dash: str | None = None,
    facet: str | None = None,
    columns: int = 2,
    y_format: str = ",.0f",
    points: bool = False,
    legend: str | None = "right",
) -> dict[str, Any]:
    """One line per ``series`` over ``year``; ``dash`` (a 0/1-valued field) dashes projected years.
    ``y_format`` is the d3 format of the y axis; ``points`` marks each value (sparse dates); ``legend``:
    ``right``, ``bottom`` (narrow screens keep more of the plot) or None (one series needs no legend)."""
    encoding: dict[str, Any] = {
        "x": {
            "field": "year",
            "type": "quantitative",
            "title": texts["x"],
            "axis": {"format": "d", "tickMinStep": 5, "labelOverlap": True},
        },
        "y": {
            "field": y,
            "type": "quantitative",
            "title": texts["y"],
            "axis": {"format": y_format, **_whole_ticks(frame[y], y_format)},
        },
        "color": {"field": series, "type": "nominal", "title": texts.get("series"), "sort": None},
    }
    if legend is None:
        encoding["color"]["legend"] = None
    elif legend == "bottom":
        encoding["color"]["legend"] = {"orient": "bottom", "columns": 2, "labelLimit": 220}
    if dash is not None:
        encoding["strokeDash"] = {"field": dash, "type": "nominal", "title": texts.get("dash"), "sort": None}
    layer = {"mark": {"type": "line", "strokeWidth": 2, "point": points}, "encoding": encoding}
    columns_used = [c for c in ("year", y, series, dash, facet) if c]
    return _facetted(layer, frame[columns_used], facet, columns)


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
        "data": {"values": _values(data)},
        "width": WIDTH * 2,
        "height": {"step": 26},
        "padding": {"left": 40, "top": 5, "right": 10, "bottom": 5},
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


def growth_chart(rows: pd.DataFrame, texts: Mapping[str, str], columns: int = 2) -> dict[str, Any]:
    """Points of a sector's growth and somatic growth per year, small multiples per area."""
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
                "axis": {"format": "d", "tickMinStep": 5, "labelOverlap": True},
                "scale": {"zero": False},
            },
            "y": {"field": "growth", "type": "quantitative", "title": texts["y"], "axis": {"format": ",.1f"}},
            "color": {"field": "series", "type": "nominal", "title": None},
            "shape": {"field": "series", "type": "nominal", "title": None},
        },
    }
    return _facetted(layer, both, "area", columns)
