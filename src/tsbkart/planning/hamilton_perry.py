"""Hamilton-Perry cohort-change-ratio projection, vectorised over areas, sexes and ages.

Arrays are ``(..., areas, 2 sexes, 91 ages)`` with age 90 the open top group; ``h`` is the step in years.

* Cohort-change ratio for ages ``h <= a < 90``: CCR(a) = P(a, t) / P(a - h, t - h).
* Open top group (Swanson, Schlottmann & Schmidt 2010): CCR(90+) = P(90+, t) / P((90-h)+, t - h), applied
  to everyone aged 90-h and over at launch.
* Youngest ages ``a < h``: child-woman ratio CWR(a) = P(a, t) / W(t), W = women aged 15-49, applied to
  the projected women 15-49.

Ratios can be pooled over ``window`` consecutive launch intervals (sum of numerators over sum of
denominators) and shrunk towards a parent area's ratios with a prior of ``prior`` persons:
r = (num + prior * r_parent) / (den + prior). A zero denominator with no parent gives ratio 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tsbkart.planning.areas import FEMALE, TOP_AGE

__all__ = ["Ratios", "cohort_change_ratios", "project_step", "women"]


@dataclass(frozen=True)
class Ratios:
    """``ccr``: (areas, 2, 91), used for ages ``step..90``; ``cwr``: (areas, 2, step) for ages ``0..step-1``."""

    step: int
    ccr: np.ndarray
    cwr: np.ndarray


def women(values: np.ndarray, ages: tuple[int, int] = (15, 49)) -> np.ndarray:
    """Women aged ``ages`` (inclusive) per area: (..., areas, 2, 91) -> (..., areas)."""
    return np.asarray(values[..., FEMALE, ages[0] : ages[1] + 1].sum(axis=-1))


def _shifted(values: np.ndarray, step: int) -> np.ndarray:
    """Denominators aligned with destination ages: age ``a - step`` at ``a``, and (90-step)+ at 90."""
    out = np.zeros_like(values)
    out[..., step:TOP_AGE] = values[..., : TOP_AGE - step]
    out[..., TOP_AGE] = values[..., TOP_AGE - step :].sum(axis=-1)
    return out


def _ratio(num: np.ndarray, den: np.ndarray, parent: np.ndarray | None, prior: float) -> np.ndarray:
    if parent is None or prior <= 0:
        with np.errstate(divide="ignore", invalid="ignore"):
            plain = np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0)
        return plain if parent is None else np.where(den > 0, plain, parent)
    return (num + prior * parent) / (den + prior)


def cohort_change_ratios(
    history: np.ndarray,
    step: int,
    window: int = 1,
    parent: Ratios | None = None,
    parent_index: np.ndarray | None = None,
    prior: float = 0.0,
    childbearing: tuple[int, int] = (15, 49),
) -> Ratios:
    """Ratios from ``history`` (years, areas, 2, 91), the last year being the launch year.

    Needs ``step + window`` years. ``parent``/``parent_index`` give each area's parent ratios for shrinkage.
    """
    if history.shape[0] < step + window:
        raise ValueError(f"need {step + window} years of history for step {step}, window {window}")
    last = history.shape[0] - 1
    launches = [last - k for k in range(window)]
    num = sum(history[j] for j in launches)
    den = sum(_shifted(history[j - step], step) for j in launches)
    births = sum(history[j][..., :step] for j in launches)
    mothers = sum(women(history[j], childbearing) for j in launches)
    parent_ccr = parent_cwr = None
    if parent is not None and parent_index is not None:
        parent_ccr, parent_cwr = parent.ccr[parent_index], parent.cwr[parent_index]
    ccr = _ratio(np.asarray(num), np.asarray(den), parent_ccr, prior)
    mothers_b = np.broadcast_to(np.asarray(mothers)[..., None, None], np.asarray(births).shape)
    cwr = _ratio(np.asarray(births), mothers_b, parent_cwr, prior)
    return Ratios(step, ccr, cwr)


def project_step(launch: np.ndarray, ratios: Ratios, childbearing: tuple[int, int] = (15, 49)) -> np.ndarray:
    """Population ``ratios.step`` years after ``launch`` (areas, 2, 91)."""
    step = ratios.step
    out: np.ndarray = _shifted(launch, step) * ratios.ccr
    out[..., :step] = 0.0
    out[..., :step] = ratios.cwr * women(out, childbearing)[..., None, None]
    return out
