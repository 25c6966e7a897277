"""Variation statistics across areas, as in the Norwegian health atlas (SKDE).

For K areas b with observed O_b, expected E_b (indirect standardisation, see :mod:`.rates`),
population n_b and a rate x_b (normally the directly standardised rate):

* OBV = sum_b ((O_b - E_b) / E_b)^2 and RCV = sum_b 1 / E_b (the random component, Poisson);
* SCV = 100 x (OBV - RCV) / K, the systematic component of variation (McPherson et al. 1982); SCV > 3
  is conventionally read as high, > 5 as very high;
* weighted mean m_w = sum n_b x_b / sum n_b; weighted SD = sqrt(sum n_b (x_b - m_w)^2 / sum n_b) (a
  population variance, no n - 1; SKDE computes it as sqrt(sum n x^2 / sum n - m_w^2)); **CV (weighted, SKDE 2018 rate program) = SD_w / m_w, a fraction**;
* **CV (unweighted, SKDE 2024 ``variasjon.sas``) = 100 x s / mean(x)** with the sample SD s (n - 1), in
  percent;
* FT1 = EQ (extremal quotient) = max / min; FT2 = 2nd highest / 2nd lowest; FT3 = 3rd / 3rd
  ("forholdstall"). With a minimum of 0 the quotient is ``inf``; with fewer than 2k areas FTk is NaN.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = [
    "SystematicComponent",
    "capacity_variation",
    "systematic_component",
    "variation_table",
]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class SystematicComponent:
    """SCV (percent-scaled, McPherson), OBV and RCV of one set of K areas."""

    scv: float
    obv: float
    rcv: float
    n_areas: int

    @classmethod
    def from_sums(cls, obv: float, rcv: float, n_areas: int) -> SystematicComponent:
        """SCV = 100 x (OBV - RCV) / K from already summed OBV and RCV (e.g. SKDE's aggregate tables)."""
        if n_areas < 1:
            raise ValueError(f"need at least one area, got {n_areas}")
        return cls(scv=100.0 * (obv - rcv) / n_areas, obv=obv, rcv=rcv, n_areas=n_areas)


def systematic_component(observed: npt.ArrayLike, expected: npt.ArrayLike) -> SystematicComponent:
    """SCV, OBV and RCV from observed and expected counts per area (shape (K,), E > 0)."""
    o = np.asarray(observed, dtype=np.float64).reshape(-1)
    e = np.asarray(expected, dtype=np.float64).reshape(-1)
    if o.shape != e.shape or o.size == 0:
        raise ValueError(f"need matching, non-empty observed ({o.size}) and expected ({e.size}) counts")
    if np.any(e <= 0):
        raise ValueError("expected counts must be > 0")
    return SystematicComponent.from_sums(
        obv=float(np.sum(((o - e) / e) ** 2)), rcv=float(np.sum(1.0 / e)), n_areas=int(o.size)
    )


def _quotients(frame: pd.DataFrame, group: str, value: str) -> pd.DataFrame:
    """FT1..FT3 per group: k-th highest / k-th lowest value (vectorised with a sort and groupby.nth)."""
    ordered = frame.sort_values([group, value], kind="stable")
    grouped = ordered.groupby(group, sort=True)[value]
    sizes = grouped.size()
    out = {}
    for k in (1, 2, 3):
        low = ordered.groupby(group).nth(k - 1).set_index(group)[value]
        high = ordered.groupby(group).nth(-k).set_index(group)[value]
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = high.reindex(sizes.index) / low.reindex(sizes.index)
        out[f"ft{k}"] = ratio.where(sizes >= 2 * k)
    return pd.DataFrame(out)


def _spread(frame: pd.DataFrame, group: str, value: str, weight: str) -> pd.DataFrame:
    """Weighted (SKDE 2018) and unweighted (SKDE 2024) mean, SD and CV per group."""
    x = frame[value]
    w = frame[weight]
    parts = pd.DataFrame({group: frame[group], "w": w, "wx": w * x, "x": x})
    sums = parts.groupby(group, sort=True)[["w", "wx"]].sum()
    mean_w = sums["wx"] / sums["w"]
    # Two passes (deviations from the group mean) rather than SKDE's sum(n x^2)/sum(n) - mean^2: the same
    # value in exact arithmetic, without the cancellation when the rates are nearly equal.
    parts["wdd"] = w * (x - frame[group].map(mean_w)) ** 2
    sd_w = np.sqrt(parts.groupby(group, sort=True)["wdd"].sum() / sums["w"])
    stats = parts.groupby(group, sort=True)["x"].agg(["mean", "std", "size"])
    return pd.DataFrame(
        {
            "n_areas": stats["size"],
            "mean_weighted": mean_w,
            "sd_weighted": sd_w,
            "cv_weighted": sd_w / mean_w,
            "mean_unweighted": stats["mean"],
            "sd_unweighted": stats["std"],
            "cv_unweighted_pct": 100.0 * stats["std"] / stats["mean"],
        }
    )


def variation_table(
    areas: pd.DataFrame,
    *,
    group: str = "year",
    rate: str = "direct_rate",
    observed: str | None = "events",
    expected: str | None = "expected",
    population: str = "population",
) -> pd.DataFrame:
    """Variation statistics per group (e.g. per year) over the area rows of :func:`.rates.area_rates`.

    Parameters
    ----------
    areas : DataFrame, one row per (group, area)
        Must hold the named columns; pass ``observed=None`` or ``expected=None`` to skip SCV/OBV/RCV.
    rate : str
        The rate compared across areas (directly standardised by default, as SKDE).

    Returns
    -------
    DataFrame indexed by ``group``
        ``n_areas``, ``mean_weighted``, ``sd_weighted``, ``cv_weighted`` (fraction), ``mean_unweighted``,
        ``sd_unweighted``, ``cv_unweighted_pct`` (percent), ``ft1`` (= EQ), ``ft2``, ``ft3``, and ``obv``,
        ``rcv``, ``scv`` (see the module docstring).
    """
    table = _spread(areas, group, rate, population).join(_quotients(areas, group, rate))
    if observed is None or expected is None:
        return table
    if (areas[expected] <= 0).any():
        raise ValueError("expected counts must be > 0 for SCV")
    e = areas[expected]
    parts = pd.DataFrame({group: areas[group], "obv": ((areas[observed] - e) / e) ** 2, "rcv": 1.0 / e})
    sums = parts.groupby(group, sort=True)[["obv", "rcv"]].sum()
    table["obv"] = sums["obv"]
    table["rcv"] = sums["rcv"]
    table["scv"] = 100.0 * (sums["obv"] - sums["rcv"]) / table["n_areas"]
    return table


def capacity_variation(values: npt.ArrayLike, population: npt.ArrayLike) -> pd.Series:
    """Variation of a per-area capacity measure, e.g. beds per 10,000 adults (no SCV: no counts).

    Parameters
    ----------
    values : array_like, shape (K,)
        The measure per area (any unit; the CVs and quotients are unit-free).
    population : array_like, shape (K,)
        Population per area, the weights of the weighted mean/SD.

    Returns
    -------
    pandas.Series
        ``n_areas``, ``mean_weighted``, ``sd_weighted``, ``cv_weighted`` (fraction), ``mean_unweighted``,
        ``sd_unweighted``, ``cv_unweighted_pct`` (percent), ``ft1`` (= EQ), ``ft2``, ``ft3``.
    """
    x = np.asarray(values, dtype=np.float64).reshape(-1)
    w = np.asarray(population, dtype=np.float64).reshape(-1)
    if x.shape != w.shape or x.size == 0:
        raise ValueError(f"need matching, non-empty values ({x.size}) and populations ({w.size})")
    if np.any(~np.isfinite(x)) or np.any(w < 0) or not w.sum() > 0:
        raise ValueError("values must be finite and populations >= 0 with a positive total")
    frame = pd.DataFrame({"g": 0, "x": x, "w": w})
    row = _spread(frame, "g", "x", "w").join(_quotients(frame, "g", "x")).iloc[0]
    return row.rename(None)
