"""Benchmark: our sparse Gaussian 2SFCA against PySAL `access` on the same synthetic inputs.

Synthetic data (seed 42): 50,000 demand points and 1,000 services uniform in a ~600 x 600 km box over
southern Norway (lat 58.5-63.9, lon 5-16), population in [1, 500), capacity in [1, 20). Costs are
great-circle km from :class:`tsbkart.analysis.GreatCircle` with a 60 km cut-off (pairs pre-filtered by
the KD-tree); both implementations get exactly these pairs (ours as CSR, `access` as the long table).
Decay: Gaussian, sigma = 20 km. Run: ``.venv/bin/python benchmarks/accessibility.py``.
"""

from __future__ import annotations

import statistics
import time
import warnings
from collections.abc import Callable
from typing import TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import sparse

from tsbkart.analysis import GreatCircle, Points, gaussian_two_step_fca

N_DEMAND, N_SUPPLY, CUTOFF_KM, SIGMA_KM, SEED, REPEATS = 50_000, 1_000, 60.0, 20.0, 42, 3
T = TypeVar("T")


def timed(fn: Callable[[], T], repeats: int) -> tuple[T, float]:
    """Result of the last call and the median wall time in seconds."""
    times = []
    result = fn()
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return result, statistics.median(times)


def synthetic_points(rng: np.random.Generator, n: int) -> Points:
    return Points(rng.uniform(58.5, 63.9, n), rng.uniform(5.0, 16.0, n))


def run_access(
    cost: sparse.csr_matrix, demand: npt.NDArray[np.float64], supply: npt.NDArray[np.float64]
) -> pd.Series:
    import access  # test/benchmark-only peer (PySAL), needs geopandas >= 1.0 with pandas 3

    coo = cost.tocoo()
    a = access.Access(
        demand_df=pd.DataFrame({"id": np.arange(demand.size), "pop": demand}),
        demand_index="id",
        demand_value="pop",
        supply_df=pd.DataFrame({"id": np.arange(supply.size), "cap": supply}),
        supply_index="id",
        supply_value="cap",
        cost_df=pd.DataFrame({"o": coo.row, "d": coo.col, "c": coo.data}),
        cost_origin="o",
        cost_dest="d",
        cost_name="c",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # access triggers pandas deprecation warnings
        out = a.two_stage_fca(name="g2sfca", max_cost=CUTOFF_KM, weight_fn=access.weights.gaussian(SIGMA_KM))
    return out.iloc[:, 0]


def main() -> None:
    rng = np.random.default_rng(SEED)
    demand_pts, supply_pts = synthetic_points(rng, N_DEMAND), synthetic_points(rng, N_SUPPLY)
    pop = rng.uniform(1, 500, N_DEMAND)
    cap = rng.uniform(1, 20, N_SUPPLY)
    print(
        f"SYNTHETIC data, seed {SEED}: {N_DEMAND:,} demand x {N_SUPPLY:,} supply points, southern Norway box"
    )
    cost, t_cost = timed(lambda: GreatCircle().matrix(demand_pts, supply_pts, cutoff=CUTOFF_KM), REPEATS)
    print(f"cost matrix (KD-tree, great circle <= {CUTOFF_KM:g} km): {cost.nnz:,} pairs in {t_cost:.3f} s")

    ours, t_ours = timed(
        lambda: gaussian_two_step_fca(cost, pop, cap, cutoff=CUTOFF_KM, sigma=SIGMA_KM), REPEATS
    )
    print(f"tsbkart gaussian_two_step_fca (sigma {SIGMA_KM:g} km): median of {REPEATS}: {t_ours:.4f} s")

    theirs_series, t_access = timed(lambda: run_access(cost, pop, cap), REPEATS)
    theirs = np.nan_to_num(theirs_series.reindex(np.arange(N_DEMAND)).to_numpy(dtype=np.float64), nan=0.0)
    print(
        f"PySAL access two_stage_fca(weight_fn=gaussian({SIGMA_KM:g})): median of {REPEATS}: {t_access:.4f} s"
    )

    diff = float(np.max(np.abs(ours - theirs)))
    rel = float(np.max(np.abs(ours - theirs) / np.maximum(np.abs(theirs), 1e-300)))
    print(f"max abs difference {diff:.3e} (max rel {rel:.3e}); equal to 1e-9: {diff <= 1e-9}")
    print("(access gives NaN where no supply is in reach; mapped to 0 as ours)")
    speedup = t_access / t_ours
    print(f"ratio access / tsbkart: {speedup:.1f} x (target >= 20 x)")
    print(f"RESULT fca_speedup_vs_access {speedup:.1f} x")


if __name__ == "__main__":
    main()
