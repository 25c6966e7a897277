"""The planning areas and their population history as one numpy cube.

Small areas are the 2024 municipalities with Oslo (0301) replaced by its bydeler, plus 030199 for Oslo
residents without a registered bydel (Oslo's total minus its bydeler, never negative in 2010-2026), so the
small areas add up exactly to the nation and every small area has one catchment area. Shape::

    hierarchy = planning_hierarchy(geography)
    hierarchy.units        # ("030101", ..., "5636"): 372 small areas, sorted
    hierarchy.catchments   # ("akershus", ..., "vestre-viken"): 21
    hierarchy.regions      # ("helse-midt-norge", ..., "helse-vest"): 4
    hierarchy.unit_parent  # int array (372,): index of each unit's catchment
    history = population_cube(hierarchy, load_population())
    history.values.shape   # (17 years, 372 units, 2 sexes, 91 ages); age 90 is 90+
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import Any, Literal

import numpy as np
import pandas as pd
import yaml

from tsbkart.reference.geography import load_geography
from tsbkart.reference.population import load_population
from tsbkart.registry.snapshot import Geography

__all__ = [
    "AGES",
    "FEMALE",
    "LEVELS",
    "SEXES",
    "TOP_AGE",
    "Cube",
    "Hierarchy",
    "Level",
    "bundled_history",
    "planning_hierarchy",
    "population_cube",
]

SEXES = ("female", "male")
FEMALE = 0
TOP_AGE = 90
AGES = np.arange(TOP_AGE + 1)
OSLO = "0301"
OSLO_UNREGISTERED = "030199"
Level = Literal["unit", "catchment", "region", "nation"]
LEVELS: tuple[Level, ...] = ("unit", "catchment", "region", "nation")


@dataclass(frozen=True)
class Hierarchy:
    """Small areas -> catchment areas -> regions -> the nation, as index arrays."""

    units: tuple[str, ...]
    unit_names: tuple[str, ...]
    catchments: tuple[str, ...]
    catchment_names: tuple[str, ...]
    regions: tuple[str, ...]
    region_names: tuple[str, ...]
    unit_parent: np.ndarray
    catchment_parent: np.ndarray

    def keep_units(self, mask: np.ndarray) -> Hierarchy:
        """The same hierarchy with only the small areas where ``mask`` is true."""
        chosen = np.flatnonzero(mask)
        return replace(
            self,
            units=tuple(self.units[i] for i in chosen),
            unit_names=tuple(self.unit_names[i] for i in chosen),
            unit_parent=self.unit_parent[chosen],
        )

    def codes(self, level: Level) -> tuple[str, ...]:
        return {"unit": self.units, "catchment": self.catchments, "region": self.regions}.get(
            level, ("norge",)
        )

    def names(self, level: Level) -> tuple[str, ...]:
        names = {"unit": self.unit_names, "catchment": self.catchment_names, "region": self.region_names}
        return names.get(level, ("Norge",))

    def parents(self, level: Level) -> np.ndarray:
        """Index of each area's parent one level up (the nation is index 0)."""
        if level == "unit":
            return self.unit_parent
        if level == "catchment":
            return self.catchment_parent
        return np.zeros(len(self.codes(level)), dtype=np.intp)

    def unit_index(self, level: Level) -> np.ndarray:
        """Index of each small area's ancestor at ``level``."""
        if level == "unit":
            return np.arange(len(self.units))
        if level == "catchment":
            return self.unit_parent
        if level == "region":
            return np.asarray(self.catchment_parent[self.unit_parent])
        return np.zeros(len(self.units), dtype=np.intp)


@dataclass(frozen=True)
class Cube:
    """Population by year x area x sex x age (float64; age ``TOP_AGE`` is the open top group)."""

    years: tuple[int, ...]
    codes: tuple[str, ...]
    values: np.ndarray

    def year(self, year: int) -> np.ndarray:
        return np.asarray(self.values[self.years.index(year)])

    def until(self, last: int) -> Cube:
        keep = [i for i, y in enumerate(self.years) if y <= last]
        return Cube(tuple(self.years[i] for i in keep), self.codes, self.values[keep])


def aggregate(values: np.ndarray, index: np.ndarray, size: int) -> np.ndarray:
    """Sum areas (axis -3) into ``size`` groups by ``index``: (..., n, S, A) -> (..., size, S, A)."""
    moved = np.moveaxis(values, -3, 0)
    out = np.zeros((size, *moved.shape[1:]))
    np.add.at(out, index, moved)
    return np.moveaxis(out, 0, -3)


def planning_hierarchy(geography: Geography) -> Hierarchy:
    units = sorted(
        (u for u in geography.area_units.values() if u.code != OSLO and u.catchment_code),
        key=lambda u: u.code,
    )
    catchments = sorted(geography.catchments.values(), key=lambda c: c.code)
    regions = sorted(geography.regions.values(), key=lambda r: r.code)
    catchment_pos = {c.code: i for i, c in enumerate(catchments)}
    region_pos = {r.code: i for i, r in enumerate(regions)}
    return Hierarchy(
        units=tuple(u.code for u in units),
        unit_names=tuple(u.name for u in units),
        catchments=tuple(c.code for c in catchments),
        catchment_names=tuple(c.name for c in catchments),
        regions=tuple(r.code for r in regions),
        region_names=tuple(r.name for r in regions),
        unit_parent=np.array([catchment_pos[str(u.catchment_code)] for u in units], dtype=np.intp),
        catchment_parent=np.array([region_pos[c.region_code] for c in catchments], dtype=np.intp),
    )


@cache
def _corrections() -> list[dict[str, Any]]:
    text = (resources.files("tsbkart.planning") / "data" / "population_corrections.yaml").read_text("utf-8")
    rules: list[dict[str, Any]] = yaml.safe_load(text)["split_duplicates"]
    return rules


def split_duplicated_years(kommune: pd.DataFrame) -> pd.DataFrame:
    """Apply ``population_corrections.yaml``: in years where the parts of a split municipality carry equal
    halves of the old municipality, the old total (their sum) is shared by the parts' share in ``share_year``
    (by sex and age), so totals are unchanged."""
    keys = ["sex", "age"]
    for rule in _corrections():
        parts = [str(p) for p in rule["parts"]]
        rows = kommune["code"].isin(parts)
        later = kommune[rows & (kommune["year"] == int(rule["share_year"]))]
        share = (
            later.set_index(["code", *keys])["population"]
            / later.groupby(keys, observed=True)["population"].transform("sum").to_numpy()
        )
        early = rows & (kommune["year"] <= int(rule["duplicated_until"]))
        index = pd.MultiIndex.from_frame(kommune.loc[early, ["code", *keys]].astype({"code": str}))
        factor = len(parts) * share.reindex(index).fillna(1.0 / len(parts)).to_numpy()
        kommune = kommune.copy()
        kommune.loc[early, "population"] = kommune.loc[early, "population"].to_numpy() * factor
    return kommune


def _small_area_rows(population: pd.DataFrame) -> pd.DataFrame:
    """Kommune rows without Oslo (corrected, see ``split_duplicated_years``), bydel rows, and Oslo's
    unregistered remainder as 030199."""
    kommune = split_duplicated_years(
        population[population["level"] == "kommune"].astype({"population": "float64"})
    )
    bydel = population[population["level"] == "bydel"]
    keys = ["year", "sex", "age"]
    oslo = kommune[kommune["code"] == OSLO].groupby(keys, observed=True)["population"].sum()
    counted = bydel.groupby(keys, observed=True)["population"].sum()
    rest = oslo.sub(counted, fill_value=0).clip(lower=0).rename("population").reset_index()
    rest["code"] = OSLO_UNREGISTERED
    columns = ["year", "code", "sex", "age", "population"]
    parts = [kommune[kommune["code"] != OSLO][columns], bydel[columns], rest[columns]]
    return pd.concat(parts, ignore_index=True)


def population_cube(
    hierarchy: Hierarchy, population: pd.DataFrame, years: Sequence[int] | None = None
) -> Cube:
    """The bundled population (``load_population()``) as a Cube over ``hierarchy.units``.

    Rows for codes outside the hierarchy are ignored; a unit without rows is all zeros.
    """
    rows = _small_area_rows(population)
    chosen = tuple(sorted(int(y) for y in rows["year"].unique())) if years is None else tuple(years)
    rows = rows[rows["year"].isin(chosen) & rows["code"].isin(hierarchy.units)]
    year_i = pd.Categorical(rows["year"].astype(int), categories=chosen).codes
    code_i = pd.Categorical(rows["code"].astype(str), categories=hierarchy.units).codes
    sex_i = pd.Categorical(rows["sex"].astype(str), categories=SEXES).codes
    age_i = np.minimum(rows["age"].to_numpy(dtype=np.intp), TOP_AGE)
    values = np.zeros((len(chosen), len(hierarchy.units), len(SEXES), TOP_AGE + 1))
    np.add.at(values, (year_i, code_i, sex_i, age_i), rows["population"].to_numpy(dtype=float))
    return Cube(chosen, hierarchy.units, values)


@cache
def bundled_history() -> tuple[Hierarchy, Cube]:
    """The bundled geography and population 2010-2026 as (hierarchy, cube), without small areas that never
    have residents in the population file (Oslo's Sentrum and Marka: their residents are in 030199)."""
    hierarchy = planning_hierarchy(load_geography())
    cube = population_cube(hierarchy, load_population())
    inhabited = cube.values.sum(axis=(0, 2, 3)) > 0
    kept = hierarchy.keep_units(inhabited)
    return kept, Cube(cube.years, kept.units, cube.values[:, inhabited])
