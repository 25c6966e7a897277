"""The planning section of a catchment-area report: population to 2040 and the capacity projection summary.

Plain values for the report renderer (page, PDF and ``tsbkart atlas report`` share it), saying which
projection, which base-year use and which scenario they rest on::

    section = planning_section(snapshot, "unn")
    section.population[0]   # ("0-17", {2026: 38211, 2030: ..., 2040: ...})
    section.capacity[0]     # CapacityLine("beds", {2026: 21.3, ...}, low_2040=19.0, high_2040=24.8)
    section.projection      # "hamilton-perry"; section.usage.describe("nb") says "nasjonale rater ..."
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from tsbkart.planning.population import project_population
from tsbkart.planning.projection import PopulationProjection
from tsbkart.planning.scenarios import Scenario, load_scenarios
from tsbkart.planning.stated import stated_beds
from tsbkart.planning.usage import Usage
from tsbkart.planning.views import capacity_view, default_usage, population_view
from tsbkart.registry.snapshot import RegistrySnapshot

__all__ = ["REPORT_OUTPUTS", "REPORT_YEARS", "CapacityLine", "PlanningSection", "planning_section"]

REPORT_YEARS = (2026, 2030, 2035, 2040)
REPORT_OUTPUTS = ("beds", "bed_days", "outpatient_consultations", "man_years")
SCENARIO = "illustrative"  # the capacity page's default, so the report and the page agree


@dataclass(frozen=True, slots=True)
class CapacityLine:
    output: str
    values: Mapping[int, float | None]  # scenario value per year
    low: float | None  # band in the last year (one parameter at a time)
    high: float | None


@dataclass(frozen=True)
class PlanningSection:
    code: str
    years: tuple[int, ...]
    population: tuple[tuple[str, Mapping[int, int]], ...]  # (age group or "total", persons per year)
    projection: str  # the projection's label: which projection every number rests on
    method: str
    capacity: tuple[CapacityLine, ...]
    scenario: Scenario
    usage: Usage  # ``usage.describe(lang)``; ``is_national_example``: national rates applied to every area
    utilisation: float
    stated_beds: int | None
    units_stated: int
    units_inpatient: int


def _number(value: object) -> float | None:
    number = float(value)  # type: ignore[arg-type]
    return None if pd.isna(number) else number


def _per_year(values: Mapping[object, object]) -> dict[int, int]:
    return {int(str(year)): int(str(round(float(str(n))))) for year, n in values.items()}


def planning_section(
    snapshot: RegistrySnapshot,
    code: str,
    projection: PopulationProjection | None = None,
    capacity: pd.DataFrame | None = None,
    usage: Usage | None = None,
) -> PlanningSection | None:
    """The section for catchment area ``code`` (None when the projection has no such area).

    ``projection``, ``capacity`` (a ``capacity_view`` of every catchment area, one-at-a-time band) and
    ``usage``: already computed ones to reuse (the pages cache them); by default they are built here.
    """
    projection = projection or project_population(max(REPORT_YEARS))
    usage = usage or default_usage()
    people = population_view("catchment", "broad", REPORT_YEARS, code=code, projection=projection)
    if people.empty:
        return None
    if capacity is None:
        capacity = capacity_view(
            "catchment", SCENARIO, REPORT_YEARS, code, "one-at-a-time", usage, projection=projection
        )
    by_group = people.pivot_table(index="age_group", columns="year", values="population", sort=False)
    rows = [(str(g), _per_year(r.to_dict())) for g, r in by_group.iterrows()]
    rows.append(("total", _per_year(people.groupby("year")["population"].sum().to_dict())))
    own = capacity[(capacity["code"] == code) & capacity["year"].isin(REPORT_YEARS)]
    last = max(REPORT_YEARS)
    lines = []
    for output in REPORT_OUTPUTS:
        series = own[own["output"] == output].set_index("year")
        end = series.loc[last] if last in series.index else None
        lines.append(
            CapacityLine(
                output,
                {y: _number(series.loc[y, "value"]) if y in series.index else None for y in REPORT_YEARS},
                None if end is None else _number(end["low"]),
                None if end is None else _number(end["high"]),
            )
        )
    stated = stated_beds(snapshot, "catchment").set_index("code")
    found = {str(k): v for k, v in stated.loc[code].to_dict().items()} if code in stated.index else {}
    return PlanningSection(
        code=code,
        years=REPORT_YEARS,
        population=tuple(rows),
        projection=projection.label(),
        method=projection.method,
        capacity=tuple(lines),
        scenario=load_scenarios().scenario(SCENARIO),
        usage=usage,
        utilisation=float(capacity.attrs.get("utilisation", 0.85)),
        stated_beds=int(str(found["stated_beds"])) if found else None,
        units_stated=int(str(found.get("units_stated", 0))),
        units_inpatient=int(str(found.get("units_inpatient", 0))),
    )
