"""Capacity projection: use(area, year) = rate x projected population x the product of the scenario factors.

Rates come from a ``Usage`` (base-year use / base-year population of the same area, sex and age group); an area
below the usage level gets its ancestor's rate. Then, per area and year: bed days, beds = bed days /
(days_per_year x utilisation), outpatient consultations, stays, patients, and man-years = patients x the
user's ratio. Shape::

    frame = capacity_projection(projection, usage, "illustrative", "catchment")
    # year level code name patients outpatient_consultations bed_days stays beds man_years
    frame.attrs  # scenario, projection (which population projection), usage, utilisation, man_years_per_patient

An unknown use (empty cell in the usage file) stays unknown (NaN) in every output that depends on it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tsbkart.planning.areas import TOP_AGE, Cube, Hierarchy, Level, bundled_history
from tsbkart.planning.capacity_settings import days_per_year, man_years_per_patient, measure_ids, utilisation
from tsbkart.planning.projection import PopulationProjection, level_values
from tsbkart.planning.scenarios import Bound, ScenarioBook, load_scenarios
from tsbkart.planning.usage import Usage, UsageImportError

__all__ = ["OUTPUTS", "CapacityOptions", "base_use", "capacity_frame", "capacity_projection", "usage_rates"]

OUTPUTS = (*measure_ids(), "beds", "man_years")


@dataclass(frozen=True, slots=True)
class CapacityOptions:
    """Utilisation (default 0.85, allowed 0.80-0.90) and man-years per patient (default: national 2018)."""

    utilisation: float | None = None
    man_years_per_patient: float | None = None

    def resolved(self) -> tuple[float, float]:
        share = utilisation().check(self.utilisation or utilisation().value, "utilisation")
        ratio = man_years_per_patient() if self.man_years_per_patient is None else self.man_years_per_patient
        if ratio < 0:
            raise ValueError(f"man-years per patient must be >= 0, got {ratio:g}")
        return share, ratio


def _masks(rows: pd.DataFrame) -> np.ndarray:
    """(rows, 2, 91): 1 where a usage row covers that sex and age."""
    ages = np.arange(TOP_AGE + 1)
    age = (ages >= rows["age_min"].to_numpy()[:, None]) & (ages <= rows["age_max"].to_numpy()[:, None])
    sex = np.stack([rows["sex"].isin(["female", "both"]), rows["sex"].isin(["male", "both"])], axis=1)
    return (sex[:, :, None] & age[:, None, :]).astype(float)


def usage_rates(usage: Usage, hierarchy: Hierarchy, history: Cube) -> np.ndarray:
    """Rates per person (areas at the usage level, 2, 91, measures). Ages or sexes that no row of an area
    covers are 0 (no use counted); an area without any row is unknown (NaN)."""
    rows = usage.rows
    codes = hierarchy.codes(usage.level)
    area = pd.Index(codes).get_indexer(pd.Index(rows["area_code"]))
    year = pd.Index(history.years).get_indexer(pd.Index(rows["year"]))
    population = level_values(history.values, hierarchy, usage.level)[year, area]
    masks = _masks(rows)
    denominators = (population * masks).sum(axis=(1, 2))
    use = rows[list(measure_ids())].to_numpy(dtype=float)
    empty = (denominators <= 0) & (np.nan_to_num(use).sum(axis=1) > 0)
    if empty.any():
        line = int(rows["line"].iloc[int(np.flatnonzero(empty)[0])])
        raise UsageImportError(
            usage.origin, line, "age_group", "no population in this area, sex and age group"
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        per_person = np.where(
            denominators[:, None] > 0, use / np.where(denominators > 0, denominators, 1)[:, None], 0.0
        )
    rates = np.zeros((len(codes), 2, TOP_AGE + 1, len(measure_ids())))
    np.add.at(rates, area, masks[..., None] * per_person[:, None, None, :])
    rates[np.setdiff1d(np.arange(len(codes)), area)] = np.nan  # an area without rows is unknown, not 0
    return rates


def _use_by_unit(projection: PopulationProjection, rates: np.ndarray, level: Level) -> np.ndarray:
    """(years, units, measures): rate of each unit's ancestor at the usage level x the unit's population."""
    unit_rates = rates[projection.hierarchy.unit_index(level)]
    return np.asarray(np.einsum("usam,tusa->tum", unit_rates, projection.values))


def capacity_projection(
    projection: PopulationProjection,
    usage: Usage,
    scenario: str = "demography",
    level: Level = "catchment",
    *,
    book: ScenarioBook | None = None,
    options: CapacityOptions | None = None,
    bounds: Mapping[str, Bound] | None = None,
    history: Cube | None = None,
) -> pd.DataFrame:
    """Projected use and capacity per area at ``level`` for every year of ``projection``."""
    book = book or load_scenarios()
    share, ratio = (options or CapacityOptions()).resolved()
    base = base_use(projection, usage, level, history)
    factors = book.multipliers(scenario, projection.years, projection.launch, bounds)
    totals = base * np.stack([factors[m] for m in measure_ids()], axis=-1)[:, None, :]
    frame = capacity_frame(projection, level, totals, share, ratio)
    frame.attrs.update(
        scenario=scenario,
        scenario_origin=book.origin,
        projection=projection.label(),
        usage=usage.describe("en"),
        national_example=usage.is_national_example,
        utilisation=share,
        man_years_per_patient=ratio,
    )
    return frame


def base_use(
    projection: PopulationProjection, usage: Usage, level: Level, history: Cube | None = None
) -> np.ndarray:
    """Use before scenario factors: (years, areas at ``level``, measures) = rate x projected population."""
    history = history or bundled_history()[1]
    rates = usage_rates(usage, projection.hierarchy, history)
    by_unit = _use_by_unit(projection, rates, usage.level)
    index = projection.hierarchy.unit_index(level)
    size = len(projection.hierarchy.codes(level))
    totals = np.zeros((size, len(projection.years), by_unit.shape[-1]))
    np.add.at(totals, index, np.moveaxis(by_unit, 1, 0))
    return np.moveaxis(totals, 0, 1)


def capacity_frame(
    projection: PopulationProjection, level: Level, totals: np.ndarray, share: float, ratio: float
) -> pd.DataFrame:
    """Measures (years, areas, measures) as the output frame, with beds and man-years."""
    frame = _frame(projection, level, totals)
    frame["beds"] = frame["bed_days"] / (days_per_year() * share)
    frame["man_years"] = frame["patients"] * ratio
    return frame


def _frame(projection: PopulationProjection, level: Level, totals: np.ndarray) -> pd.DataFrame:
    hierarchy = projection.hierarchy
    years, areas, _ = totals.shape
    frame = pd.DataFrame(totals.reshape(years * areas, -1), columns=list(measure_ids()))
    frame.insert(0, "year", np.repeat(projection.years, areas))
    frame.insert(1, "level", level)
    frame.insert(2, "code", np.tile(np.asarray(hierarchy.codes(level)), years))
    frame.insert(3, "name", np.tile(np.asarray(hierarchy.names(level)), years))
    return frame
