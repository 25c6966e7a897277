"""Geometry of the ranked bar chart with intervals, as plain numbers for a server-side SVG template.

Shape::

    chart = ranked_bars(table)
    chart.bars[0]  # Bar(code="finnmark", name="Finnmarkssykehuset HF", value=1.95, ci_low=None, ci_high=None,
                   #     y=24.0, width=310.2, ci_x1=None, ci_x2=None)
    chart.ticks    # ((0.0, 0.0), (0.5, 79.4), ...) value and x position

Areas with an unknown value are bars of width 0 flagged ``unknown`` (the template writes "unknown").
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from tsbkart.atlas.indicators import IndicatorTable
from tsbkart.atlas.variation_view import ranked

__all__ = ["Bar", "BarChart", "ranked_bars"]

LABEL_WIDTH = 260.0
PLOT_WIDTH = 420.0
BAR_HEIGHT = 18.0
GAP = 6.0
TOP = 24.0


@dataclass(frozen=True, slots=True)
class Bar:
    code: str
    name: str
    value: float | None
    ci_low: float | None
    ci_high: float | None
    y: float
    width: float
    ci_x1: float | None
    ci_x2: float | None


@dataclass(frozen=True, slots=True)
class BarChart:
    bars: tuple[Bar, ...]
    ticks: tuple[tuple[float, float], ...]
    national_x: float | None
    width: float
    height: float
    label_width: float
    plot_width: float
    bar_height: float


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return float(step * magnitude)
    return float(10 * magnitude)


def _opt(value: object) -> float | None:
    number = float(value)  # type: ignore[arg-type]
    return number if math.isfinite(number) else None


def ranked_bars(table: IndicatorTable) -> BarChart:
    """Bars sorted highest first, scaled to the largest value or interval end (a "nice" round maximum)."""
    rows = ranked(table)
    candidates = [v for c in ("value", "ci_high") for v in rows[c].dropna().tolist()]
    if table.national is not None:
        candidates.append(table.national)
    top = _nice_max(max(candidates, default=0.0))
    scale = PLOT_WIDTH / top
    bars = []
    for i, row in enumerate(rows.itertuples(index=False)):
        value, low, high = _opt(row.value), _opt(row.ci_low), _opt(row.ci_high)
        bars.append(
            Bar(
                code=str(row.code),
                name=str(row.name),
                value=value,
                ci_low=low,
                ci_high=high,
                y=TOP + i * (BAR_HEIGHT + GAP),
                width=(value or 0.0) * scale,
                ci_x1=None if low is None else low * scale,
                ci_x2=None if high is None else high * scale,
            )
        )
    ticks = tuple((top * k / 4, PLOT_WIDTH * k / 4) for k in range(5))
    national_x = None if table.national is None else table.national * scale
    height = TOP + len(bars) * (BAR_HEIGHT + GAP) + 10
    return BarChart(
        tuple(bars),
        ticks,
        national_x,
        LABEL_WIDTH + PLOT_WIDTH + 70,
        height,
        LABEL_WIDTH,
        PLOT_WIDTH,
        BAR_HEIGHT,
    )
