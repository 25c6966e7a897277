"""Area rates as in the Norwegian health atlas (SKDE rate program): crude, direct and indirect standardised.

Inputs are long-form pandas DataFrames:

* counts (the "events" table, see :func:`read_counts`): ``year, code, sex, age, events``;
* population: ``year, code, sex, age, population`` (the bundled ``population_age_sex.csv.gz`` has this
  shape plus a ``level`` column; filter it to one level first).

``code`` is the residence area (kommune, bydel, health-trust catchment ...), ``sex`` a label (e.g.
"female"/"male"), ``age`` whole years (the top age may be an open group, e.g. 90 = 90+). Strata g are
sex x age band (default 5-year bands, SKDE's default), or age bands only, or sex only.

Definitions for area b, year t, with V_gb events and n_gb residents in stratum g (``per`` = rate unit,
e.g. 1,000 or 100,000 inhabitants):

* crude rate = per x O_b / n_b with O_b = sum_g V_gb, n_b = sum_g n_gb;
* direct rate = per x sum_g (V_gb / n_gb) A_g, with A_g the share of stratum g in the population of all
  areas together in the standard year (default: the last year);
* expected E_b = sum_g n_gb r_g with r_g = sum_b V_gb / sum_b n_gb the all-areas stratum rate of year t;
  factor = O_b / E_b; indirect rate = factor x per x sum_b O_b / sum_b n_b.

Poisson standard errors (normal approximation, as SKDE): SD(crude) = per x sqrt(O) / n;
SD(direct) = per x sqrt(sum_g A_g^2 V_gb / n_gb^2); SD(indirect) = per x crude_all x sqrt(O) / E;
95 % interval = rate +/- 1.96 SD. For a rate averaged over m years (SKDE's period row) pass
``years=m`` to :func:`poisson_sd`: the SD of the pooled rate is SD(mean O, mean n) / sqrt(m).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = [
    "Z_95",
    "StandardiseBy",
    "age_band",
    "area_rates",
    "indirect_rates",
    "poisson_sd",
    "read_counts",
    "validate_table",
]

FloatArray = npt.NDArray[np.float64]
StandardiseBy = Literal["sex_age", "age", "sex"]

#: Two-sided 95 % normal quantile used by SKDE (rounded, as in their SAS code).
Z_95 = 1.96

_KEYS = ["year", "code"]
_COUNT_COLUMNS = ("year", "code", "sex", "age", "events")
_POP_COLUMNS = ("year", "code", "sex", "age", "population")


def read_counts(path: str | Path) -> pd.DataFrame:
    """Read an events CSV: columns ``year, code, sex, age, events`` (one row per area x sex x age x year).

    ``year`` and ``age`` are integers, ``code`` is read as text (leading zeros kept), ``events`` an
    integer >= 0. Errors name the file, the 1-based data row and the column.
    """
    frame = pd.read_csv(path, dtype={"code": str, "sex": str})
    return validate_table(frame, _COUNT_COLUMNS, "events", str(path))


def validate_table(frame: pd.DataFrame, columns: tuple[str, ...], value: str, source: str) -> pd.DataFrame:
    """Check columns, integer year/age and a finite, non-negative value column; return a clean copy."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{source}: missing column(s) {missing}; found {list(frame.columns)}")
    out = frame.loc[:, list(columns)].copy()
    for name in ("year", "age", value):
        numbers = pd.to_numeric(out[name], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        bad = ~np.isfinite(numbers) | (numbers < 0)
        if name != value:
            bad |= numbers != np.round(numbers)
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise ValueError(
                f"{source}, row {row + 1}, field '{name}': invalid value {out[name].iloc[row]!r}"
            )
        out[name] = numbers.astype(np.int64) if name != value else numbers
    out["code"] = out["code"].astype(str)
    out["sex"] = out["sex"].astype(str)
    return out


def age_band(age: npt.ArrayLike, width: int = 5, top: int = 90) -> npt.NDArray[np.int64]:
    """Lower bound of the age band: ``min(age, top) // width * width`` (``top`` starts the open band)."""
    a = np.asarray(age, dtype=np.int64)
    return np.asarray(np.minimum(a, top) // width * width, dtype=np.int64)


def poisson_sd(
    events: npt.ArrayLike, population: npt.ArrayLike, *, per: float = 1000.0, years: int = 1
) -> FloatArray:
    """Poisson SD of a crude rate, ``per * sqrt(O) / n / sqrt(years)`` (shape of the broadcast inputs).

    ``years`` > 1 is for a rate averaged over that many years (O and n being the yearly means).
    """
    o = np.asarray(events, dtype=np.float64)
    n = np.asarray(population, dtype=np.float64)
    return np.asarray(per * np.sqrt(o) / n / np.sqrt(years), dtype=np.float64)


def _strata(frame: pd.DataFrame, by: StandardiseBy, width: int, top: int) -> pd.Series:
    band = pd.Series(age_band(frame["age"].to_numpy(), width, top), index=frame.index).astype(str)
    if by == "age":
        return band
    if by == "sex":
        return frame["sex"]
    return frame["sex"] + ":" + band


def _stratum_table(
    counts: pd.DataFrame, population: pd.DataFrame, by: StandardiseBy, width: int, top: int
) -> pd.DataFrame:
    """One row per (year, code, stratum) with V (events) and n (population); checks orphan events."""
    pop = population.assign(stratum=_strata(population, by, width, top))
    ev = counts.assign(stratum=_strata(counts, by, width, top))
    keys = [*_KEYS, "stratum"]
    n = pop.groupby(keys, sort=False)["population"].sum()
    v = ev.groupby(keys, sort=False)["events"].sum()
    orphan = v.index.difference(n.index)
    if len(orphan):
        raise ValueError(f"events without any population row, e.g. (year, code, stratum) = {orphan[0]}")
    table = pd.DataFrame({"n": n}).join(v.rename("V")).fillna({"V": 0.0}).reset_index()
    bad = (table["n"] <= 0) & (table["V"] > 0)
    if bad.any():
        raise ValueError(f"events in a stratum with zero population: {tuple(table.loc[bad, keys].iloc[0])}")
    return table


def _standard_weights(table: pd.DataFrame, standard_year: int | None) -> pd.Series:
    """A_g: stratum shares of the all-areas population in the standard year (sum to 1)."""
    year = int(table["year"].max()) if standard_year is None else standard_year
    std = table[table["year"] == year]
    if std.empty:
        raise ValueError(f"standard year {year} is not in the population data")
    sizes = std.groupby("stratum")["n"].sum()
    return sizes / sizes.sum()


def area_rates(
    counts: pd.DataFrame,
    population: pd.DataFrame,
    *,
    per: float = 1000.0,
    standardise_by: StandardiseBy = "sex_age",
    age_width: int = 5,
    age_top: int = 90,
    standard_year: int | None = None,
) -> pd.DataFrame:
    """Crude, direct and indirect standardised rates per area and year, with Poisson 95 % intervals.

    Parameters
    ----------
    counts : DataFrame
        ``year, code, sex, age, events``; missing strata mean 0 events.
    population : DataFrame
        ``year, code, sex, age, population`` (denominators; every area to be reported must be present).
    per : float
        Rate unit (rates are per ``per`` inhabitants).
    standardise_by, age_width, age_top : see the module docstring.
    standard_year : int, optional
        Year whose all-areas population gives the direct-standardisation weights (default: last year).

    Returns
    -------
    DataFrame, one row per (year, code)
        ``events`` (O), ``population`` (n), ``expected`` (E), ``factor`` (O/E), ``crude_rate``,
        ``direct_rate``, ``indirect_rate``, and for each rate ``*_sd``, ``*_ci_low``, ``*_ci_high``.
    """
    if "level" in population.columns and population["level"].nunique() > 1:
        # kommune and bydel rows overlap (Oslo etc.); summing both would double-count residents.
        raise ValueError("population holds several levels; filter it to one (e.g. level == 'kommune')")
    ev = validate_table(counts, _COUNT_COLUMNS, "events", "counts")
    pop = validate_table(population, _POP_COLUMNS, "population", "population")
    table = _stratum_table(ev, pop, standardise_by, age_width, age_top)
    national = table.groupby(["year", "stratum"])[["V", "n"]].transform("sum")
    table["E"] = table["n"] * _ratio(national["V"], national["n"])
    weight = table["stratum"].map(_standard_weights(table, standard_year)).fillna(0.0).to_numpy()
    table["direct"] = weight * _ratio(table["V"], table["n"])
    table["direct_var"] = weight**2 * _ratio(table["V"], table["n"] ** 2)
    per_area = table.groupby(_KEYS, sort=True)[["V", "n", "E", "direct", "direct_var"]].sum()
    return _assemble(per_area, per)


def _ratio(num: pd.Series, den: pd.Series) -> FloatArray:
    """num / den with 0 where den is 0 (an empty stratum contributes nothing)."""
    n = num.to_numpy(dtype=np.float64)
    d = den.to_numpy(dtype=np.float64)
    out = np.zeros_like(n)
    np.divide(n, d, out=out, where=d > 0)
    return out


def indirect_rates(
    areas: pd.DataFrame,
    *,
    group: str = "year",
    observed: str = "events",
    expected: str = "expected",
    population: str = "population",
    per: float = 1000.0,
) -> pd.DataFrame:
    """Indirectly standardised rates from per-area O, E and n (one row per area and ``group`` value).

    The all-areas crude rate of each group is sum O / sum n over the rows of that group, so pass every
    area of the comparison. Returns a frame aligned with ``areas`` with ``factor`` (O/E),
    ``indirect_rate``, ``indirect_sd``, ``indirect_ci_low`` and ``indirect_ci_high`` (per ``per``).
    """
    o = areas[observed].astype(np.float64)
    e = areas[expected].astype(np.float64)
    if (e <= 0).any():
        raise ValueError("expected counts must be > 0")
    totals = areas.groupby(group, sort=False)[[observed, population]].transform("sum")
    crude_all = totals[observed] / totals[population]
    out = pd.DataFrame({"factor": o / e}, index=areas.index)
    out["indirect_rate"] = out["factor"] * per * crude_all
    out["indirect_sd"] = per * crude_all * np.sqrt(o) / e
    out["indirect_ci_low"] = out["indirect_rate"] - Z_95 * out["indirect_sd"]
    out["indirect_ci_high"] = out["indirect_rate"] + Z_95 * out["indirect_sd"]
    return out


def _assemble(per_area: pd.DataFrame, per: float) -> pd.DataFrame:
    o, n = per_area["V"], per_area["n"]
    out = pd.DataFrame({"events": o, "population": n, "expected": per_area["E"]}).reset_index()
    out["crude_rate"] = per * o.to_numpy() / n.to_numpy()
    out["crude_sd"] = poisson_sd(o, n, per=per)
    out["direct_rate"] = per * per_area["direct"].to_numpy()
    out["direct_sd"] = per * np.sqrt(per_area["direct_var"].to_numpy())
    for kind in ("crude", "direct"):
        out[f"{kind}_ci_low"] = out[f"{kind}_rate"] - Z_95 * out[f"{kind}_sd"]
        out[f"{kind}_ci_high"] = out[f"{kind}_rate"] + Z_95 * out[f"{kind}_sd"]
    return out.join(indirect_rates(out, per=per))
