"""One builder per planning view; the CLI and the pages render these frames (text, CSV, XLSX, JSON, HTML).

    population_view(level="catchment", grouping="broad", years=(2026, 2030, 2035, 2040))
    # year level code name age_group population projection   (both sexes; by_sex=True adds sex)
    capacity_view(level="catchment", scenario="illustrative", band="one-at-a-time")
    # year level code name output value low high  + attrs (scenario, projection, usage, ...)
    goldenrule_view(group="costs", sector="TSB")
    # GoldenRuleView(result=<all comparisons>, matrix=<area x year>, ...)
    trend_view(engine, indicator="lar_lavterskel_trusts", level="region")
    # date year indicator level code name region_code value numerator denominator ... basis  + attrs (basis)

Every frame carries in ``attrs`` which population projection, usage and scenario it used.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

import pandas as pd
from sqlalchemy import Engine

from tsbkart.planning.areas import Level, bundled_history
from tsbkart.planning.capacity import OUTPUTS, CapacityOptions, capacity_projection
from tsbkart.planning.goldenrule import golden_rule, read_golden_rule_series, rule_config, rule_matrix
from tsbkart.planning.population import project_population
from tsbkart.planning.projection import PopulationProjection
from tsbkart.planning.scenarios import ScenarioBook
from tsbkart.planning.sensitivity import monte_carlo_band, one_at_a_time_band
from tsbkart.planning.series import load_series
from tsbkart.planning.ssb import SsbProjection
from tsbkart.planning.trends import TREND_LEVELS, trend_frame
from tsbkart.planning.usage import Usage, example_usage
from tsbkart.registry.snapshot import RegistrySnapshot

__all__ = [
    "DEFAULT_YEARS",
    "Band",
    "GoldenRuleView",
    "capacity_view",
    "default_usage",
    "goldenrule_view",
    "population_series",
    "population_view",
    "trend_view",
]

DEFAULT_YEARS = (2026, 2030, 2035, 2040)
Band = Literal["none", "one-at-a-time", "monte-carlo"]


def population_view(
    level: Level = "catchment",
    grouping: str | None = "broad",
    years: Sequence[int] = DEFAULT_YEARS,
    code: str | None = None,
    by_sex: bool = False,
    ssb: SsbProjection | None = None,
    projection: PopulationProjection | None = None,
) -> pd.DataFrame:
    """Population per area, age group (and sex) for ``years``; ``code`` keeps one area."""
    projection = projection or project_population(max(years), ssb=ssb)
    frame = projection.frame(level, grouping)
    frame = frame[frame["year"].isin(years)]
    if code is not None:
        frame = frame[frame["code"] == code]
    keys = ["year", "level", "code", "name", *(["sex"] if by_sex else []), "age_group", "projection"]
    out = frame.groupby(keys, sort=False, observed=True, as_index=False)["population"].sum()
    out = out[[c for c in keys if c != "projection"] + ["population", "projection"]]
    out["population"] = out["population"].round().astype("int64")  # whole persons, not false precision
    result = pd.DataFrame(out.reset_index(drop=True))
    result.attrs.update(projection=projection.label(), method=projection.method, launch=projection.launch)
    return result


def population_series(
    level: Level, grouping: str | None, projection: PopulationProjection | None = None
) -> pd.DataFrame:
    """Observed (2010 to the launch year) and projected population per area and age group, both sexes:
    year, code, name, age_group, population, kind ('observed' | 'projected'), projection."""
    projection = projection or project_population(2040)
    hierarchy, history = bundled_history()
    observed = PopulationProjection(
        hierarchy,
        history.years,
        history.values,
        history.years[-1],
        "observed",
        ("observed",) * len(hierarchy.units),
    )
    parts = [observed.frame(level, grouping), projection.frame(level, grouping)]
    both = pd.concat([parts[0], parts[1][parts[1]["year"] > projection.launch]], ignore_index=True)
    keys = ["year", "code", "name", "age_group", "projection"]
    out = both.groupby(keys, sort=False, observed=True, as_index=False)["population"].sum()
    out["kind"] = (out["year"] > projection.launch).map({True: "projected", False: "observed"})
    result = pd.DataFrame(out)
    result.attrs.update(projection=projection.label())
    return result


def default_usage() -> Usage:
    hierarchy, history = bundled_history()
    return example_usage(hierarchy, history.years)


def capacity_view(
    level: Level = "catchment",
    scenario: str = "illustrative",
    years: Sequence[int] | None = None,
    code: str | None = None,
    band: Band = "one-at-a-time",
    usage: Usage | None = None,
    book: ScenarioBook | None = None,
    options: CapacityOptions | None = None,
    draws: int = 1000,
    seed: int = 13,
    projection: PopulationProjection | None = None,
) -> pd.DataFrame:
    """Long frame: year, level, code, name, output, value, low, high (the band, or the value without one)."""
    usage = usage or default_usage()
    projection = projection or project_population(2040)
    if band == "monte-carlo":
        frame = monte_carlo_band(
            projection, usage, scenario, level, draws=draws, seed=seed, book=book, options=options
        )
    elif band == "one-at-a-time":
        frame = one_at_a_time_band(projection, usage, scenario, level, book=book, options=options)
    else:
        wide = capacity_projection(projection, usage, scenario, level, book=book, options=options)
        frame = wide.melt(
            id_vars=["year", "level", "code", "name"], value_vars=list(OUTPUTS), var_name="output"
        )
        frame = frame.assign(low=frame["value"], high=frame["value"], method="none")
    attrs = capacity_projection(projection, usage, scenario, "nation", book=book, options=options).attrs
    if years is not None:
        frame = frame[frame["year"].isin(years)]
    if code is not None:
        frame = frame[frame["code"] == code]
    frame = frame.reset_index(drop=True)
    frame.attrs.update({str(k): v for k, v in attrs.items()})
    frame.attrs["band"] = band
    return frame


@dataclass(frozen=True)
class GoldenRuleView:
    result: pd.DataFrame
    matrix: pd.DataFrame
    group: str
    sector: str
    area_level: str
    origin: str
    include_unverified: bool


def goldenrule_view(
    group: str = "costs",
    sector: str = "TSB",
    area_level: str = "RHF",
    path: Path | None = None,
    include_unverified: bool = True,
) -> GoldenRuleView:
    """Every comparison, and the area x year matrix for one measure group and sector."""
    config = rule_config()
    if group not in config["groups"]:
        raise ValueError(f"unknown measure group {group!r}; known: {', '.join(config['groups'])}")
    if sector not in config["compared_sectors"]:
        raise ValueError(f"unknown sector {sector!r}; known: {', '.join(config['compared_sectors'])}")
    series = load_series("goldenrule") if path is None else read_golden_rule_series(path)
    result = golden_rule(series, include_unverified)
    origin = "goldenrule.csv (shipped public figures)" if path is None else path.name
    return GoldenRuleView(
        result=result,
        matrix=rule_matrix(result, group, sector, area_level),
        group=group,
        sector=sector,
        area_level=area_level,
        origin=origin,
        include_unverified=include_unverified,
    )


TREND_BASIS = (
    "valid time (opened_on/closed_on as the source states them) where stated, else transaction time (when the "
    "registry recorded it); undated records not yet recorded on a date are counted in 'unrecorded', not as absent"
)


def trend_view(
    engine: Engine,
    indicator: str | None = None,
    level: str | None = None,
    code: str | None = None,
    dates: Sequence[date] | None = None,
    today: date | None = None,
    latest: RegistrySnapshot | None = None,
    frame: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The trend indicators (``planning.trends``) at ``dates``, with ``year`` (decimal, for charts) and ``attrs``
    saying what each figure rests on. ``frame``: a ``trend_frame`` already computed, to filter only."""
    frame = trend_frame(engine, dates, today=today, latest=latest) if frame is None else frame
    if indicator is not None:
        frame = frame[frame["indicator"] == indicator]
    if level is not None:
        if level not in TREND_LEVELS:
            raise ValueError(f"unknown level {level!r}; known: {', '.join(TREND_LEVELS)}")
        frame = frame[frame["level"] == level]
    if code is not None:
        frame = frame[frame["code"] == code]
    days = pd.to_datetime(frame["date"])
    year = days.dt.year + (days.dt.day_of_year - 1) / 365.25
    result = pd.DataFrame(frame.assign(year=year.round(3)).reset_index(drop=True))
    first, last = (min(frame["date"]), max(frame["date"])) if len(frame) else (None, None)
    result.attrs.update(basis=TREND_BASIS, first_date=str(first), last_date=str(last))
    return result
