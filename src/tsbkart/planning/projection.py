"""Population projection per small area, catchment area, region and the nation, by sex and age, to 2040.

``hamilton_perry_projection(history, hierarchy, launch, horizon)`` projects every level with its own
Hamilton-Perry ratios (each shrunk towards its parent's), then controls top-down at every step: regions to
the nation, catchments to their region, small areas to their catchment (``controls.rake``). Levels above the
small areas are always sums of small areas, so they add up by construction. Shape::

    proj = hamilton_perry_projection(history, hierarchy, launch=2026, horizon=2040)
    proj.years          # (2026, 2027, ..., 2040); the launch year is the observed population
    proj.values.shape   # (15, 372, 2, 91)
    proj.sources        # ("hamilton-perry", ...) one per small area: which projection it used
    proj.frame("catchment", "broad")   # year, level, code, name, sex, age_group, population, projection
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tsbkart.planning.age_groups import age_groups, group_matrix
from tsbkart.planning.areas import LEVELS, SEXES, Cube, Hierarchy, Level, aggregate
from tsbkart.planning.controls import rake
from tsbkart.planning.hamilton_perry import Ratios, cohort_change_ratios, project_step
from tsbkart.planning.settings import ProjectionSettings, default_settings

__all__ = ["HAMILTON_PERRY", "PopulationProjection", "hamilton_perry_projection", "level_values"]

HAMILTON_PERRY = "hamilton-perry"


@dataclass(frozen=True)
class PopulationProjection:
    """Projected small-area population; ``method`` describes it, ``sources`` says per small area which
    projection was used (``hamilton-perry`` or e.g. ``ssb-14288-MMMM``)."""

    hierarchy: Hierarchy
    years: tuple[int, ...]
    values: np.ndarray
    launch: int
    method: str
    sources: tuple[str, ...]

    def year(self, year: int) -> np.ndarray:
        return np.asarray(self.values[self.years.index(year)])

    def label(self) -> str:
        """'hamilton-perry' or 'ssb-14288-MMMM' or 'ssb-14288-MMMM (300 of 372 areas), hamilton-perry (72)'."""
        counts = Counter(self.sources).most_common()
        if len(counts) == 1:
            return counts[0][0]
        total = len(self.sources)
        return ", ".join(f"{name} ({n} of {total} areas)" for name, n in counts)

    def at_level(self, level: Level) -> np.ndarray:
        return level_values(self.values, self.hierarchy, level)

    def frame(self, level: Level = "catchment", grouping: str | None = "broad") -> pd.DataFrame:
        """Long frame: year, level, code, name, sex, age_group, population, projection (one label per area)."""
        return long_frame(self, level, grouping)


def level_values(values: np.ndarray, hierarchy: Hierarchy, level: Level) -> np.ndarray:
    """Small-area values (..., units, S, A) summed to ``level`` (..., areas at level, S, A)."""
    size = len(hierarchy.codes(level))
    return aggregate(values, hierarchy.unit_index(level), size)


def _mix_label(members: pd.Series) -> str:
    kinds = members.value_counts()
    if len(kinds) == 1:
        return str(kinds.index[0])
    return ", ".join(f"{name} ({n} of {len(members)})" for name, n in kinds.items())


def _area_sources(projection: PopulationProjection, level: Level) -> list[str]:
    """Which projection each area at ``level`` used ('hamilton-perry', or a mix with counts)."""
    members = pd.Series(projection.sources, index=projection.hierarchy.unit_index(level))
    return [str(v) for v in members.groupby(level=0).agg(_mix_label).to_numpy()]


def long_frame(projection: PopulationProjection, level: Level, grouping: str | None) -> pd.DataFrame:
    values = projection.at_level(level)
    labels: list[str]
    if grouping is None:
        labels = [str(a) for a in range(values.shape[-1])]
    else:
        groups = age_groups(grouping)
        values = values @ group_matrix(groups)
        labels = [g.label for g in groups]
    areas = values.shape[1]
    hierarchy = projection.hierarchy
    index = pd.MultiIndex.from_product(
        [projection.years, range(areas), SEXES, labels], names=["year", "area", "sex", "age_group"]
    )
    frame = pd.DataFrame({"population": values.reshape(-1)}, index=index).reset_index()
    area = frame.pop("area").to_numpy()
    frame.insert(1, "level", level)
    frame.insert(2, "code", np.asarray(hierarchy.codes(level))[area])
    frame.insert(3, "name", np.asarray(hierarchy.names(level))[area])
    frame["projection"] = np.asarray(_area_sources(projection, level))[area]
    frame.loc[frame["year"] <= projection.launch, "projection"] = "observed"
    return frame


def _level_histories(history: Cube, hierarchy: Hierarchy) -> dict[Level, np.ndarray]:
    return {level: level_values(history.values, hierarchy, level) for level in LEVELS}


def _level_ratios(
    histories: dict[Level, np.ndarray], hierarchy: Hierarchy, settings: ProjectionSettings
) -> dict[Level, Ratios]:
    ratios: dict[Level, Ratios] = {}
    parent: Ratios | None = None
    for level in reversed(LEVELS):
        index = None if parent is None else hierarchy.parents(level)
        ratios[level] = cohort_change_ratios(
            histories[level],
            settings.step,
            settings.window,
            parent=parent,
            parent_index=index,
            prior=settings.prior,
            childbearing=settings.childbearing,
        )
        parent = ratios[level]
    return ratios


def _controlled_step(
    launch: dict[Level, np.ndarray],
    ratios: dict[Level, Ratios],
    hierarchy: Hierarchy,
    settings: ProjectionSettings,
    nation: np.ndarray | None,
) -> dict[Level, np.ndarray]:
    out: dict[Level, np.ndarray] = {}
    above: np.ndarray | None = None
    for level in reversed(LEVELS):
        projected = project_step(launch[level], ratios[level], settings.childbearing)
        if level == "nation" and nation is not None:
            projected = nation
        if above is not None:
            projected = rake(projected, above, hierarchy.parents(level))
        out[level] = projected
        above = projected
    return out


def _interpolate(points: dict[int, np.ndarray], years: tuple[int, ...]) -> np.ndarray:
    """Linear in time between step years (linear keeps sums over areas exact)."""
    known = sorted(points)
    out = []
    for year in years:
        right = next(y for y in known if y >= year)
        left = max(y for y in known if y <= year)
        if left == right:
            out.append(points[year])
            continue
        w = (year - left) / (right - left)
        out.append((1 - w) * points[left] + w * points[right])
    return np.stack(out)


def hamilton_perry_projection(
    history: Cube,
    hierarchy: Hierarchy,
    launch: int,
    horizon: int = 2040,
    settings: ProjectionSettings | None = None,
    nation_control: dict[int, np.ndarray] | None = None,
) -> PopulationProjection:
    """Project from ``launch`` (observed, must be in ``history``) to ``horizon``, using history up to launch.

    ``nation_control``: optional national population (2, 91) per step year (e.g. from SSB) that replaces the
    Hamilton-Perry national projection as the top control.
    """
    settings = settings or default_settings()
    if launch not in history.years:
        raise ValueError(f"launch year {launch} is not in the population history")
    if horizon <= launch:
        raise ValueError(f"horizon {horizon} must be after the launch year {launch}")
    histories = _level_histories(history.until(launch), hierarchy)
    ratios = _level_ratios(histories, hierarchy, settings)
    current: dict[Level, np.ndarray] = {level: histories[level][-1] for level in LEVELS}
    points = {launch: current["unit"]}
    year = launch
    while year < horizon:
        year += settings.step
        control = None if nation_control is None else nation_control.get(year)
        current = _controlled_step(current, ratios, hierarchy, settings, control)
        points[year] = current["unit"]
    years = tuple(range(launch, horizon + 1))
    return PopulationProjection(
        hierarchy=hierarchy,
        years=years,
        values=_interpolate(points, years),
        launch=launch,
        method=settings.describe(),
        sources=(HAMILTON_PERRY,) * len(hierarchy.units),
    )
