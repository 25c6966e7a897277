"""Back-test of the population projection against the observed population, and SSB's projection as peer.

``backtest(target, lead=5)`` projects ``target`` from ``target - lead`` (using only the years up to then) and
compares with the observed population of ``target``, per level and broad age group, next to two naive
baselines: constant population (the launch year's), and constant share of the national total by sex and
single age (the launch year's shares times the *projected* national total, so it differs from the projection
only in how the nation is split; at the national level it equals the projection by construction). Shape::

    target launch level     age_group method          mape  worst_code worst_name       worst_ape areas
    2026   2021   catchment all       hamilton-perry  1.83  ...        ...              4.1       21

MAPE = mean over areas of |projected - observed| / observed x 100 (areas with observed 0 left out).
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

from tsbkart.planning.age_groups import age_groups, group_matrix
from tsbkart.planning.areas import LEVELS, Cube, Hierarchy, Level, bundled_history
from tsbkart.planning.projection import hamilton_perry_projection, level_values
from tsbkart.planning.settings import ProjectionSettings

__all__ = ["METHODS", "backtest", "ssb_national", "ssb_national_comparison"]

METHODS = ("hamilton-perry", "constant population", "constant share")
ALL_AGES = "all"


def _grouped(values: np.ndarray, grouping: str) -> tuple[np.ndarray, list[str]]:
    """(areas, 2, 91) -> (areas, groups + 1) summed over sex; the last column is all ages."""
    groups = age_groups(grouping)
    both = values.sum(axis=-2)
    banded = both @ group_matrix(groups)
    return np.column_stack([banded, both.sum(axis=-1)]), [*(g.label for g in groups), ALL_AGES]


def _errors(
    predicted: np.ndarray, observed: np.ndarray, level: Level, hierarchy: Hierarchy, grouping: str
) -> pd.DataFrame:
    pred, labels = _grouped(predicted, grouping)
    obs, _ = _grouped(observed, grouping)
    valid = obs > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        ape = np.where(valid, np.abs(pred - obs) / np.where(valid, obs, 1.0) * 100, np.nan)
    worst = np.nanargmax(np.where(valid, ape, -1.0), axis=0)
    codes, names = np.asarray(hierarchy.codes(level)), np.asarray(hierarchy.names(level))
    return pd.DataFrame(
        {
            "level": level,
            "age_group": labels,
            "mape": np.nanmean(ape, axis=0),
            "worst_code": codes[worst],
            "worst_name": names[worst],
            "worst_ape": ape[worst, np.arange(len(labels))],
            "areas": valid.sum(axis=0),
        }
    )


def backtest(
    target: int,
    lead: int = 5,
    grouping: str = "broad",
    settings: ProjectionSettings | None = None,
    inputs: tuple[Hierarchy, Cube] | None = None,
) -> pd.DataFrame:
    """Errors of the projection and the two baselines for ``target`` projected ``lead`` years ahead."""
    hierarchy, history = inputs or bundled_history()
    launch = target - lead
    projected = hamilton_perry_projection(history, hierarchy, launch, target, settings).year(target)
    base, observed = history.year(launch), history.year(target)
    nation_base = level_values(base, hierarchy, "nation")[0]
    nation_projected = level_values(projected, hierarchy, "nation")[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(nation_base > 0, base / np.where(nation_base > 0, nation_base, 1.0), 0.0)
    candidates = dict(zip(METHODS, (projected, base, share * nation_projected), strict=True))
    parts = []
    for method, values in candidates.items():
        for level in LEVELS:
            frame = _errors(
                level_values(values, hierarchy, level),
                level_values(observed, hierarchy, level),
                level,
                hierarchy,
                grouping,
            )
            parts.append(frame.assign(method=method))
    out = pd.concat(parts, ignore_index=True)
    out.insert(0, "launch", launch)
    out.insert(0, "target", target)
    return out


@cache
def ssb_national() -> pd.DataFrame:
    """SSB's national projection (bundled extract): projection_vintage, ssb_table, alternative, year,
    age_group (SSB's functional groups), population. Both sexes only."""
    path = resources.files("tsbkart.planning") / "data" / "ssb_projection_national.csv"
    with path.open(encoding="utf-8") as handle:
        return pd.read_csv(handle, dtype={"age_group": str})


def ssb_national_comparison(
    years: tuple[int, ...] = (2030, 2035, 2040),
    vintages: tuple[int, ...] = (2022, 2024, 2026),
    launch: int | None = None,
    settings: ProjectionSettings | None = None,
) -> pd.DataFrame:
    """Our national projection by SSB's age groups beside SSB's main alternative (MMMM) of each vintage.

    Columns: year, age_group, ours, ssb_<vintage>, diff_<vintage> (ours - SSB), pct_<vintage>."""
    hierarchy, history = bundled_history()
    launch = history.years[-1] if launch is None else launch
    projection = hamilton_perry_projection(history, hierarchy, launch, max(years), settings)
    groups = age_groups("ssb")
    rows = []
    for year in years:
        national = level_values(projection.year(year), hierarchy, "nation")[0].sum(axis=0)
        banded = national @ group_matrix(groups)
        rows += [{"year": year, "age_group": g.label, "ours": v} for g, v in zip(groups, banded, strict=True)]
        rows.append({"year": year, "age_group": ALL_AGES, "ours": float(banded.sum())})
    out = pd.DataFrame(rows)
    ssb = ssb_national()
    main = ssb[ssb["alternative"] == "MMMM"]
    for vintage in vintages:
        edition = main[main["projection_vintage"] == vintage]
        totals = edition.groupby("year", as_index=False)["population"].sum().assign(age_group=ALL_AGES)
        both = pd.concat([edition[["year", "age_group", "population"]], totals], ignore_index=True)
        merged = out.merge(both, on=["year", "age_group"], how="left")
        out[f"ssb_{vintage}"] = merged["population"].to_numpy()
        out[f"diff_{vintage}"] = out["ours"] - out[f"ssb_{vintage}"]
        out[f"pct_{vintage}"] = out[f"diff_{vintage}"] / out[f"ssb_{vintage}"] * 100
    return out
