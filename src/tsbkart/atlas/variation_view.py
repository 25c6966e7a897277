"""Variation statistics of an atlas indicator across catchment areas.

Labels follow SKDE: EQ (extremal quotient, FT1) = max / min; CV weighted (SKDE 2018 rate program,
population-weighted SD / weighted mean, a fraction) and CV unweighted (SKDE 2024 ``variasjon.sas``, sample SD
/ mean x 100, percent); SCV (McPherson et al. 1982) only where counts exist, with the expected count of each
area taken as its population times the all-areas crude rate (``ΣO / Σn``; no age/sex standardisation,
so it is labelled "crude"). Registry capacity uses :func:`tsbkart.analysis.variation.capacity_variation`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from tsbkart.analysis.variation import capacity_variation, systematic_component
from tsbkart.atlas.indicators import IndicatorTable

__all__ = ["IndicatorVariation", "indicator_variation", "rank_of"]


@dataclass(frozen=True, slots=True)
class IndicatorVariation:
    """Variation over the ``n_areas`` areas with a value; None where a statistic is undefined."""

    n_areas: int
    n_unknown: int  # areas left out because their value is unknown
    mean_weighted: float | None
    cv_weighted: float | None  # fraction (SKDE 2018)
    mean_unweighted: float | None
    cv_unweighted_pct: float | None  # percent (SKDE 2024)
    eq: float | None  # max / min; None when the minimum is 0 (infinite quotient)
    ft2: float | None
    ft3: float | None
    scv: float | None  # systematic component, crude expected counts; None without counts
    scv_method: str | None
    min_is_zero: bool = False  # EQ and FT-quotients are infinite: shown as such, not as a number


def _num(value: object) -> float | None:
    number = float(value)  # type: ignore[arg-type]
    return number if math.isfinite(number) else None


def indicator_variation(table: IndicatorTable) -> IndicatorVariation:
    """Variation statistics of ``table.rows`` (areas with an unknown value or population are left out)."""
    rows = table.rows[table.rows["value"].notna() & table.rows["population"].notna()]
    rows = rows[rows["population"] > 0]
    unknown = len(table.rows) - len(rows)
    if len(rows) < 2:
        return IndicatorVariation(len(rows), unknown, None, None, None, None, None, None, None, None, None)
    stats = capacity_variation(rows["value"].to_numpy(float), rows["population"].to_numpy(float))
    scv: float | None = None
    scv_method: str | None = None
    if table.indicator.kind == "helseatlas" and rows["events"].notna().all():
        observed = rows["events"].to_numpy(float)
        people = rows["population"].to_numpy(float)
        expected = people * observed.sum() / people.sum()
        scv = systematic_component(observed, expected).scv
        scv_method = "crude expected counts from yearly mean counts 2019-2023"
    return IndicatorVariation(
        n_areas=len(rows),
        n_unknown=unknown,
        mean_weighted=_num(stats["mean_weighted"]),
        cv_weighted=_num(stats["cv_weighted"]),
        mean_unweighted=_num(stats["mean_unweighted"]),
        cv_unweighted_pct=_num(stats["cv_unweighted_pct"]),
        eq=_num(stats["ft1"]),
        ft2=_num(stats["ft2"]),
        ft3=_num(stats["ft3"]),
        scv=scv,
        scv_method=scv_method,
        min_is_zero=bool(rows["value"].min() == 0),
    )


def rank_of(table: IndicatorTable, code: str) -> tuple[int, int] | None:
    """(rank, of K) of area ``code`` by value, highest first (ties share the best rank: 1, 1, 3, ...);
    None when its value is unknown."""
    known = table.rows[table.rows["value"].notna()]
    own = known.loc[known["code"] == code, "value"]
    if own.empty:
        return None
    return int((known["value"] > own.iloc[0]).sum()) + 1, len(known)


def ranked(table: IndicatorTable) -> pd.DataFrame:
    """Rows sorted highest value first, unknown values last (for the ranked bar chart)."""
    return table.rows.sort_values("value", ascending=False, na_position="last", kind="stable").reset_index(
        drop=True
    )
