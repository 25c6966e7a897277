"""Tests for tsbkart.analysis.nearest: KD-tree nearest service, matrix minimum, coverage shares."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse

from tsbkart.analysis.costs import GreatCircle, Points
from tsbkart.analysis.nearest import (
    DEFAULT_THRESHOLDS,
    nearest_by_type,
    nearest_from_matrix,
    nearest_service,
    share_within,
)


def random_points(seed: int, n: int) -> Points:
    rng = np.random.default_rng(seed)
    return Points(rng.uniform(57.9, 71.2, n), rng.uniform(4.5, 31.2, n))


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 300), st.integers(1, 40))
def test_kd_tree_nearest_equals_brute_force(seed: int, n_demand: int, n_services: int) -> None:
    demand, services = random_points(seed, n_demand), random_points(seed + 1, n_services)
    dense = GreatCircle().matrix(demand, services)
    got = nearest_service(demand, services)
    np.testing.assert_allclose(got.cost, dense.min(axis=1), rtol=1e-12, atol=1e-9)
    # Ties aside, the index points at a service with the minimal distance.
    np.testing.assert_allclose(
        dense[np.arange(n_demand), got.index], dense.min(axis=1), rtol=1e-12, atol=1e-9
    )


def test_no_services_means_infinite_distance() -> None:
    got = nearest_service(random_points(1, 3), Points(np.empty(0), np.empty(0)))
    assert np.all(np.isinf(got.cost))
    assert np.all(got.index == -1)


def test_nearest_by_type_indexes_into_the_full_service_array() -> None:
    demand = Points(np.array([60.0, 70.0]), np.array([10.0, 25.0]))
    services = Points(np.array([60.1, 69.9, 60.0, 70.0]), np.array([10.0, 25.0, 10.0, 25.0]))
    got = nearest_by_type(demand, services, ["døgn", "døgn", "poliklinikk", "poliklinikk"])
    assert list(got["døgn"].index) == [0, 1]
    assert list(got["poliklinikk"].index) == [2, 3]
    np.testing.assert_array_equal(got["poliklinikk"].cost, [0.0, 0.0])
    with pytest.raises(ValueError, match="service types"):
        nearest_by_type(demand, services, ["døgn"])


def test_nearest_from_sparse_matrix_handles_empty_rows_zero_costs_and_ties() -> None:
    rows = np.array([0, 0, 0, 2, 2])
    cols = np.array([0, 1, 2, 1, 2])
    vals = np.array([30.0, 12.0, 12.0, 0.0, 5.0])
    cost = sparse.csr_matrix((vals, (rows, cols)), shape=(3, 3))
    got = nearest_from_matrix(cost)
    np.testing.assert_array_equal(got.cost, [12.0, np.inf, 0.0])
    np.testing.assert_array_equal(got.index, [1, -1, 1])


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000))
def test_nearest_from_dense_matrix_equals_numpy(seed: int) -> None:
    rng = np.random.default_rng(seed)
    cost = rng.uniform(0, 100, (50, 8))
    cost[rng.uniform(size=cost.shape) < 0.5] = np.inf
    got = nearest_from_matrix(cost)
    best = cost.min(axis=1)
    np.testing.assert_array_equal(got.cost, best)
    finite = np.isfinite(best)
    np.testing.assert_array_equal(got.index[finite], cost.argmin(axis=1)[finite])
    assert np.all(got.index[~finite] == -1)


def test_share_within_by_hand() -> None:
    got = share_within([10.0, 45.0, 90.0, np.inf], [1.0, 2.0, 3.0, 4.0])
    assert list(got.index) == list(DEFAULT_THRESHOLDS)
    np.testing.assert_allclose(got.to_numpy(), [0.1, 0.3, 0.6])
    # A cost exactly at a threshold counts as within it.
    assert share_within([30.0], [5.0], [30.0]).iloc[0] == 1.0


@settings(deadline=None)
@given(
    st.lists(st.tuples(st.floats(0, 500), st.floats(0, 1e6)), min_size=1, max_size=50),
    st.lists(st.floats(0, 600), min_size=1, max_size=5),
)
def test_share_within_is_a_monotone_share(rows: list[tuple[float, float]], thresholds: list[float]) -> None:
    cost, pop = (np.array(c) for c in zip(*rows, strict=True))
    pop[0] += 1.0  # positive total
    got = share_within(cost, pop, sorted(thresholds))
    assert isinstance(got, pd.Series)
    assert np.all((got >= 0) & (got <= 1 + 1e-12))
    assert np.all(np.diff(got.to_numpy()) >= -1e-12)
    expected = [pop[cost <= t].sum() / pop.sum() for t in sorted(thresholds)]
    np.testing.assert_allclose(got.to_numpy(), expected, rtol=1e-9, atol=1e-12)


def test_share_within_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="total population"):
        share_within([1.0], [0.0])
    with pytest.raises(ValueError, match="costs for"):
        share_within([1.0, 2.0], [1.0])
