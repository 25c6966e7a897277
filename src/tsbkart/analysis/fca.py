"""Floating-catchment-area (FCA) accessibility on a sparse origin x destination cost matrix.

Notation (all sums run over reachable pairs only, i.e. the stored entries of the cost matrix with
cost d_ij <= cutoff):

* P_i demand (population) at demand point i, shape ``(n_demand,)``;
* S_j supply (capacity, e.g. beds or FTEs) at service j, shape ``(n_supply,)``;
* f(d) a distance-decay weight, 0 <= f <= 1.

Two-step FCA (2SFCA; Luo & Wang 2003) and its weighted generalisations (E2SFCA, Gaussian 2SFCA):

    R_j = S_j / sum_i P_i f(d_ij)              (supply-to-demand ratio of service j)
    A_i = sum_j R_j f(d_ij)                    (supply per unit of demand reachable from i)

Balanced FCA (BFCA; Paez, Higgins & Vivona 2019, as implemented by IPEA's R package ``accessibility``)
replaces f by weights normalised per origin in step 1 and per destination in step 2:

    G_ij = f(d_ij) / sum_k f(d_ik)             H_ij = f(d_ij) / sum_k f(d_kj)
    R_j = S_j / sum_i P_i G_ij                 A_i = sum_j R_j H_ij

Units: A_i is supply units per demand unit (e.g. beds per inhabitant); multiply by 10,000 for "per
10,000". Unreachable demand points get ``unreachable`` (default 0.0, as IPEA; PySAL ``access`` gives NaN).
Supply that no demand reaches (sum_i P_i f = 0) is "unserved": its ratio is set to 0, so it adds nothing.

Invariant (2SFCA family): sum_i P_i A_i = sum_j S_j over served supply.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt
from scipy import sparse

from tsbkart.analysis.costs import CostMatrix, to_csr, within

__all__ = [
    "LUO_QI_STEPS",
    "DecayFunction",
    "balanced_fca",
    "binary_decay",
    "enhanced_two_step_fca",
    "gaussian_decay",
    "gaussian_two_step_fca",
    "generalised_two_step_fca",
    "step_decay",
    "two_step_fca",
    "weight_matrix",
]

FloatArray = npt.NDArray[np.float64]
#: A vectorised decay: costs (any shape) -> weights of the same shape in [0, 1].
DecayFunction = Callable[[FloatArray], FloatArray]

#: E2SFCA zone weights of Luo & Qi (2009): 0-10, 10-20, 20-30 (minutes) -> 1.00, 0.68, 0.22, as
#: (upper bound inclusive, weight). The same defaults as PySAL ``access.enhanced_two_stage_fca``.
LUO_QI_STEPS: tuple[tuple[float, float], ...] = ((10.0, 1.0), (20.0, 0.68), (30.0, 0.22))


def binary_decay() -> DecayFunction:
    """f(d) = 1 for every reachable pair (the cutoff does the rest): classic 2SFCA."""

    def decay(cost: FloatArray) -> FloatArray:
        return np.ones_like(cost, dtype=np.float64)

    return decay


def step_decay(steps: Sequence[tuple[float, float]]) -> DecayFunction:
    """Step weights: f(d) = w_k for the first (smallest) bound b_k with d <= b_k, and 0 above the last.

    Parameters
    ----------
    steps : sequence of (bound, weight)
        Upper bounds (cost units, inclusive) with their weights, e.g. :data:`LUO_QI_STEPS`.
    """
    if not steps:
        raise ValueError("step_decay needs at least one (bound, weight) step")
    ordered = sorted(steps)
    bounds = np.array([b for b, _ in ordered], dtype=np.float64)
    # Weight 0 is appended for costs above the last bound.
    weights = np.array([w for _, w in ordered] + [0.0], dtype=np.float64)
    if np.any(weights < 0):
        raise ValueError("step weights must be >= 0")

    def decay(cost: FloatArray) -> FloatArray:
        return np.asarray(weights[np.searchsorted(bounds, cost, side="left")], dtype=np.float64)

    return decay


def gaussian_decay(sigma: float) -> DecayFunction:
    """f(d) = exp(-d^2 / (2 sigma^2)), so f(0) = 1 (no 1/sqrt(2 pi sigma^2) factor; as PySAL ``gaussian``).

    ``sigma`` is in the unit of the costs (km or minutes).
    """
    if not sigma > 0:
        raise ValueError(f"sigma must be > 0, got {sigma}")
    two_sigma_sq = 2.0 * sigma * sigma

    def decay(cost: FloatArray) -> FloatArray:
        return np.exp(-(cost * cost) / two_sigma_sq)

    return decay


def weight_matrix(cost: CostMatrix, cutoff: float | None, decay: DecayFunction) -> sparse.csr_matrix:
    """Sparse weights W_ij = f(d_ij) for reachable pairs with d_ij <= cutoff, shape ``(n_demand, n_supply)``.

    The decay is applied once to the stored costs (a numpy ufunc call, no Python loop per pair).
    """
    csr = to_csr(cost) if cutoff is None else within(to_csr(cost), cutoff)
    weights = np.asarray(decay(csr.data), dtype=np.float64)
    return sparse.csr_matrix((weights, csr.indices, csr.indptr), shape=csr.shape)


def _check_inputs(
    w: sparse.csr_matrix, demand: npt.ArrayLike, supply: npt.ArrayLike
) -> tuple[FloatArray, FloatArray]:
    p = np.asarray(demand, dtype=np.float64).reshape(-1)
    s = np.asarray(supply, dtype=np.float64).reshape(-1)
    if p.size != w.shape[0] or s.size != w.shape[1]:
        raise ValueError(
            f"cost matrix is {w.shape[0]} x {w.shape[1]} but demand has {p.size} and supply {s.size} values"
        )
    if np.any(~np.isfinite(p)) or np.any(p < 0) or np.any(~np.isfinite(s)) or np.any(s < 0):
        raise ValueError("demand and supply must be finite and >= 0")
    return p, s


def _safe_ratio(numerator: FloatArray, denominator: FloatArray) -> FloatArray:
    """numerator / denominator, 0 where the denominator is 0 (unserved supply, isolated origin)."""
    out = np.zeros_like(numerator)
    np.divide(numerator, denominator, out=out, where=denominator > 0)
    return out


def _finish(w: sparse.csr_matrix, access: FloatArray, unreachable: float) -> FloatArray:
    """Mark demand points with no reachable supply (empty row or all-zero weights) as ``unreachable``."""
    reach = np.asarray(w.sum(axis=1)).reshape(-1) > 0
    return np.where(reach, access, unreachable)


def generalised_two_step_fca(
    cost: CostMatrix,
    demand: npt.ArrayLike,
    supply: npt.ArrayLike,
    *,
    cutoff: float | None,
    decay: DecayFunction,
    unreachable: float = 0.0,
) -> FloatArray:
    """2SFCA with any decay: R = S / (W^T P), A = W R (see the module docstring).

    Parameters
    ----------
    cost : CSR or dense array, shape (n_demand, n_supply)
        Travel costs (km or minutes), as from a :class:`~tsbkart.analysis.costs.CostProvider`.
    demand : array_like, shape (n_demand,)
        Population (or other demand weight) per demand point, >= 0.
    supply : array_like, shape (n_supply,)
        Capacity per service, >= 0.
    cutoff : float or None
        Catchment size in cost units; pairs above it are ignored. None: use every stored pair.
    decay : DecayFunction
        Vectorised weight function of the cost.
    unreachable : float
        Value for demand points with no supply in reach (0.0 as IPEA; ``np.nan`` as PySAL ``access``).

    Returns
    -------
    ndarray, shape (n_demand,)
        Accessibility A_i in supply units per demand unit.
    """
    w = weight_matrix(cost, cutoff, decay)
    p, s = _check_inputs(w, demand, supply)
    ratio = _safe_ratio(s, np.asarray(w.T @ p, dtype=np.float64))
    return _finish(w, np.asarray(w @ ratio, dtype=np.float64), unreachable)


def two_step_fca(
    cost: CostMatrix, demand: npt.ArrayLike, supply: npt.ArrayLike, *, cutoff: float, unreachable: float = 0.0
) -> FloatArray:
    """Classic 2SFCA (binary catchment of size ``cutoff``). See :func:`generalised_two_step_fca`."""
    return generalised_two_step_fca(
        cost, demand, supply, cutoff=cutoff, decay=binary_decay(), unreachable=unreachable
    )


def enhanced_two_step_fca(
    cost: CostMatrix,
    demand: npt.ArrayLike,
    supply: npt.ArrayLike,
    *,
    steps: Sequence[tuple[float, float]] = LUO_QI_STEPS,
    unreachable: float = 0.0,
) -> FloatArray:
    """E2SFCA (Luo & Qi 2009): step weights per travel-cost zone, default :data:`LUO_QI_STEPS`.

    The catchment is the largest step bound (30 cost units by default).
    """
    cutoff = max(b for b, _ in steps)
    return generalised_two_step_fca(
        cost, demand, supply, cutoff=cutoff, decay=step_decay(steps), unreachable=unreachable
    )


def gaussian_two_step_fca(
    cost: CostMatrix,
    demand: npt.ArrayLike,
    supply: npt.ArrayLike,
    *,
    cutoff: float,
    sigma: float,
    unreachable: float = 0.0,
) -> FloatArray:
    """Gaussian-decay 2SFCA: f(d) = exp(-d^2 / 2 sigma^2) inside the catchment ``cutoff``."""
    return generalised_two_step_fca(
        cost, demand, supply, cutoff=cutoff, decay=gaussian_decay(sigma), unreachable=unreachable
    )


def balanced_fca(
    cost: CostMatrix,
    demand: npt.ArrayLike,
    supply: npt.ArrayLike,
    *,
    cutoff: float | None,
    decay: DecayFunction | None = None,
    unreachable: float = 0.0,
) -> FloatArray:
    """Balanced FCA (BFCA; Paez et al. 2019) as in IPEA's ``floating_catchment_area(method = "bfca")``.

    Step 1 weights are normalised per origin (each person's demand is split over the services in
    reach), step 2 weights per destination (each service's ratio is split over the origins in reach),
    which removes the demand and supply inflation of 2SFCA. Shapes and units as
    :func:`generalised_two_step_fca`; ``decay`` defaults to binary.
    """
    w = weight_matrix(cost, cutoff, decay or binary_decay())
    p, s = _check_inputs(w, demand, supply)
    row_sums = np.asarray(w.sum(axis=1), dtype=np.float64).reshape(-1)
    col_sums = np.asarray(w.sum(axis=0), dtype=np.float64).reshape(-1)
    g = sparse.diags(_safe_ratio(np.ones_like(row_sums), row_sums)) @ w
    h = w @ sparse.diags(_safe_ratio(np.ones_like(col_sums), col_sums))
    ratio = _safe_ratio(s, np.asarray(g.T @ p, dtype=np.float64))
    return _finish(w, np.asarray(h @ ratio, dtype=np.float64), unreachable)
