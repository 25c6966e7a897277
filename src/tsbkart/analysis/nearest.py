"""Distance (or travel time) from every demand point to the nearest service, and coverage shares.

Great-circle nearest neighbours use a KD-tree on 3-D unit vectors: the chord length is a monotone
function of the great-circle distance, so the chord-nearest service is the great-circle-nearest one, and
the distance is 2 R arcsin(chord / 2). It agrees with :func:`tsbkart.analysis.costs.great_circle_km` to
about 1e-9 km (float rounding of the unit vectors); recomputing the haversine for 2 million pairs would
cost a quarter of the run time for no practical gain.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.spatial import cKDTree

from tsbkart.analysis.costs import CostMatrix, Points, km_for_chord, to_csr, unit_vectors

__all__ = [
    "DEFAULT_THRESHOLDS",
    "Nearest",
    "nearest_by_type",
    "nearest_from_matrix",
    "nearest_service",
    "share_within",
]

FloatArray = npt.NDArray[np.float64]

#: Default coverage thresholds (km for great-circle distance, minutes with an OD travel-time matrix).
DEFAULT_THRESHOLDS: tuple[float, ...] = (30.0, 60.0, 120.0)


@dataclass(frozen=True, eq=False)
class Nearest:
    """Nearest service per demand point.

    Attributes
    ----------
    cost : ndarray of float, shape (n_demand,)
        Distance in km (great circle) or cost in the matrix unit; ``inf`` when no service is reachable.
    index : ndarray of int, shape (n_demand,)
        Position of the nearest service in the services array; -1 when none is reachable.
    """

    cost: FloatArray
    index: npt.NDArray[np.int64]


def nearest_service(demand: Points, services: Points, *, workers: int = -1) -> Nearest:
    """Great-circle distance (km) from each demand point to its nearest service.

    Parameters
    ----------
    demand : Points, n_demand points
    services : Points, n_services points
    workers : int
        Threads for the KD-tree query (-1: all cores). Results do not depend on it.

    Returns
    -------
    Nearest
        ``cost`` in km (shape (n_demand,)); ``inf`` / -1 everywhere if there are no services.
    """
    n = len(demand)
    if len(services) == 0:
        return Nearest(np.full(n, np.inf), np.full(n, -1, dtype=np.int64))
    tree = cKDTree(unit_vectors(services))
    chord, index = tree.query(unit_vectors(demand), k=1, workers=workers)
    return Nearest(km_for_chord(chord), np.asarray(index, dtype=np.int64))


def nearest_by_type(
    demand: Points, services: Points, service_types: npt.ArrayLike, *, workers: int = -1
) -> dict[str, Nearest]:
    """:func:`nearest_service` separately for each service type.

    ``service_types`` has one label per service (shape (n_services,)). The returned ``index`` refers to
    positions in the full ``services`` array. One KD-tree per type (a handful of types, not a row loop).
    """
    types = np.asarray(service_types).astype(str)
    if types.shape != (len(services),):
        raise ValueError(f"{types.size} service types for {len(services)} services")
    out: dict[str, Nearest] = {}
    for label in np.unique(types):
        positions = np.flatnonzero(types == label)
        subset = Points(services.lat[positions], services.lon[positions], ids=services.ids[positions])
        found = nearest_service(demand, subset, workers=workers)
        out[str(label)] = Nearest(found.cost, positions[found.index])
    return out


def nearest_from_matrix(cost: CostMatrix) -> Nearest:
    """Row-wise minimum of a cost matrix (e.g. an OD travel-time matrix), shape (n_demand, n_services).

    Unreachable pairs (not stored, or ``inf`` in a dense matrix) are ignored; rows with no reachable
    service get ``inf`` and index -1. Ties resolve to the lowest service index.
    """
    csr = to_csr(cost)
    csr.sort_indices()
    n_rows = csr.shape[0]
    counts = np.diff(csr.indptr)
    has = counts > 0
    best = np.full(n_rows, np.inf)
    index = np.full(n_rows, -1, dtype=np.int64)
    if csr.nnz == 0:
        return Nearest(best, index)
    starts = csr.indptr[:-1][has]
    best[has] = np.minimum.reduceat(csr.data, starts)
    # First position within each row where the row minimum is attained.
    rows = np.repeat(np.arange(n_rows), counts)
    is_min = csr.data == best[rows]
    first = np.flatnonzero(is_min)
    _, take = np.unique(rows[first], return_index=True)
    index[rows[first[take]]] = csr.indices[first[take]]
    return Nearest(best, index)


def share_within(
    cost: npt.ArrayLike, population: npt.ArrayLike, thresholds: Sequence[float] = DEFAULT_THRESHOLDS
) -> pd.Series:
    """Population share (0..1) whose nearest-service cost is <= each threshold.

    Parameters
    ----------
    cost : array_like, shape (n,)
        Nearest-service cost per demand point (km or minutes; ``inf`` = none reachable).
    population : array_like, shape (n,)
        Population per demand point, >= 0, with a positive total.
    thresholds : sequence of float
        Cut-offs in the unit of ``cost``.

    Returns
    -------
    pandas.Series
        Index: thresholds; values: share of the total population in [0, 1].
    """
    c = np.asarray(cost, dtype=np.float64).reshape(-1)
    p = np.asarray(population, dtype=np.float64).reshape(-1)
    if c.shape != p.shape:
        raise ValueError(f"{c.size} costs for {p.size} populations")
    total = p.sum()
    if not total > 0:
        raise ValueError("total population must be > 0")
    # Sort once, then each threshold is a binary search into the cumulative population.
    order = np.argsort(c, kind="stable")
    cum = np.concatenate(([0.0], np.cumsum(p[order])))
    t = np.asarray(thresholds, dtype=np.float64)
    covered = cum[np.searchsorted(c[order], t, side="right")]
    return pd.Series(covered / total, index=pd.Index(t, name="threshold"), name="population_share")
