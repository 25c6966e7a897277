"""Tests for tsbkart.analysis.costs: haversine, the KD-tree cutoff path, OD-matrix import."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse

from tsbkart.analysis.costs import (
    EARTH_RADIUS_KM,
    CostProvider,
    GreatCircle,
    ODMatrix,
    ODMatrixError,
    Points,
    Radians,
    chord_for_km,
    great_circle_km,
    haversine_km,
    km_for_chord,
    to_csr,
)

lats = st.floats(-90, 90, allow_nan=False)
lons = st.floats(-180, 180, allow_nan=False)


def random_points(
    seed: int, n: int, box: tuple[float, float, float, float] = (58.0, 71.0, 4.5, 31.0)
) -> Points:
    rng = np.random.default_rng(seed)
    return Points(rng.uniform(box[0], box[1], n), rng.uniform(box[2], box[3], n))


def test_one_degree_on_the_equator_is_r_times_pi_over_180() -> None:
    assert great_circle_km(0.0, 0.0, 0.0, 1.0) == pytest.approx(EARTH_RADIUS_KM * math.pi / 180, rel=1e-12)


def test_antipodes_are_half_the_circumference() -> None:
    # Haversine loses a few decimetres right at the antipode (h rounds to 1); irrelevant within Norway.
    assert great_circle_km(10.0, 20.0, -10.0, -160.0) == pytest.approx(math.pi * EARTH_RADIUS_KM, abs=1e-3)


def test_oslo_bergen_is_about_305_km() -> None:
    # Oslo (59.9139, 10.7522) to Bergen (60.3913, 5.3221); published great-circle distance ~305 km.
    assert great_circle_km(59.9139, 10.7522, 60.3913, 5.3221) == pytest.approx(305.0, abs=2.0)


def test_one_origin_broadcasts_against_many_destinations() -> None:
    d = great_circle_km(60.0, 10.0, np.array([60.0, 61.0, 62.0]), np.array([10.0, 10.0, 10.0]))
    assert d.shape == (3,)
    assert d[0] == 0.0
    assert d[2] == pytest.approx(2 * d[1], rel=1e-12)


@settings(deadline=None)
@given(lats, lons, lats, lons)
def test_haversine_is_symmetric_and_bounded(a: float, b: float, c: float, d: float) -> None:
    ab = great_circle_km(a, b, c, d)
    assert ab == pytest.approx(great_circle_km(c, d, a, b), abs=1e-9)
    assert 0.0 <= ab <= math.pi * EARTH_RADIUS_KM + 1e-9


@settings(deadline=None)
@given(lats, lons, lats, lons, lats, lons)
def test_haversine_triangle_inequality(a: float, b: float, c: float, d: float, e: float, f: float) -> None:
    assert great_circle_km(a, b, e, f) <= great_circle_km(a, b, c, d) + great_circle_km(c, d, e, f) + 1e-6


@settings(deadline=None)
@given(st.floats(0.0, math.pi * EARTH_RADIUS_KM))
def test_chord_and_great_circle_conversions_are_inverse(km: float) -> None:
    assert float(km_for_chord(chord_for_km(km))) == pytest.approx(km, abs=1e-6)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.floats(0.0, 400.0))
def test_sparse_cutoff_matches_the_dense_matrix(seed: int, cutoff: float) -> None:
    origins, dests = random_points(seed, 120), random_points(seed + 1, 30)
    dense = GreatCircle().matrix(origins, dests)
    sp = GreatCircle().matrix(origins, dests, cutoff=cutoff)
    assert sparse.issparse(sp)
    expected = np.where(dense <= cutoff, dense, np.inf)
    got = np.full(dense.shape, np.inf)
    coo = sp.tocoo()
    got[coo.row, coo.col] = coo.data
    np.testing.assert_array_equal(got, expected)


def test_colocated_points_stay_reachable_as_explicit_zeros() -> None:
    p = Points(np.array([60.0, 61.0]), np.array([10.0, 10.0]))
    sp = GreatCircle().matrix(p, p, cutoff=1.0)
    assert sp.nnz == 2
    np.testing.assert_array_equal(sp.data, [0.0, 0.0])


def test_to_csr_drops_inf_and_keeps_zero() -> None:
    csr = to_csr(np.array([[0.0, np.inf], [np.nan, 3.0]]))
    assert csr.nnz == 2
    np.testing.assert_array_equal(csr.toarray(), [[0.0, 0.0], [0.0, 3.0]])
    assert list(csr.indices) == [0, 1]


def test_providers_satisfy_the_protocol() -> None:
    assert isinstance(GreatCircle(), CostProvider)
    assert isinstance(
        ODMatrix.from_frame(pd.DataFrame({"from_id": ["a"], "to_id": ["b"], "travel_time": [1]})),
        CostProvider,
    )


@pytest.mark.parametrize(
    ("lat", "lon", "message"),
    [([91.0], [0.0], "latitude"), ([0.0, 1.0], [0.0], "lon has"), ([np.nan], [0.0], "finite")],
)
def test_points_reject_bad_coordinates(lat: list[float], lon: list[float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Points(np.array(lat), np.array(lon))


def od_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "from_id": ["a", "a", "b", "c"],
            "to_id": ["x", "y", "y", "x"],
            "travel_time": [10.0, 50.0, 0.0, 35.5],
        }
    )


def id_points(ids: list[str]) -> Points:
    return Points(np.zeros(len(ids)), np.zeros(len(ids)), ids=np.array(ids))


def test_od_matrix_missing_pairs_are_unreachable_and_cutoff_applies() -> None:
    od = ODMatrix.from_frame(od_frame())
    m = od.matrix(id_points(["a", "b", "c", "d"]), id_points(["x", "y"]), cutoff=40.0)
    assert m.shape == (4, 2)
    assert od.unit == "min"
    dense = np.full((4, 2), np.inf)
    coo = m.tocoo()
    dense[coo.row, coo.col] = coo.data
    np.testing.assert_array_equal(dense, [[10.0, np.inf], [np.inf, 0.0], [35.5, np.inf], [np.inf, np.inf]])


@pytest.mark.parametrize("suffix", [".csv", ".csv.gz", ".parquet"])
def test_od_matrix_reads_csv_gzip_and_parquet(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"od{suffix}"
    if suffix == ".parquet":
        od_frame().to_parquet(path)
    else:
        od_frame().to_csv(path, index=False)
    od = ODMatrix.from_file(path)
    m = od.matrix(id_points(["a", "b", "c"]), id_points(["x", "y"]))
    assert m.nnz == 4
    assert od.source == str(path)


def test_od_matrix_renamed_columns_and_numeric_ids(tmp_path: Path) -> None:
    path = tmp_path / "od.csv"
    path.write_text("origin,dest,km\n0301,1103,300.5\n")
    od = ODMatrix.from_file(path, from_col="origin", to_col="dest", cost_col="km", unit="km")
    m = od.matrix(id_points(["0301"]), id_points(["1103"]))
    assert m.toarray()[0, 0] == 300.5
    assert od.unit == "km"


@pytest.mark.parametrize(
    ("text", "row", "field", "fragment"),
    [
        ("from_id,to_id\na,b\n", None, None, "missing column"),
        ("from_id,to_id,travel_time\na,b,1\n,b,2\n", 2, "from_id", "empty id"),
        ("from_id,to_id,travel_time\na,b,1\na,c,fast\n", 2, "travel_time", "not a finite number"),
        ("from_id,to_id,travel_time\na,b,-1\n", 1, "travel_time", "negative"),
        ("from_id,to_id,travel_time\na,b,inf\n", 1, "travel_time", "not a finite number"),
        ("from_id,to_id,travel_time\na,b,1\nc,d,2\na,b,3\n", 3, "from_id/to_id", "first seen in row 1"),
    ],
)
def test_od_matrix_errors_name_file_row_and_field(
    tmp_path: Path, text: str, row: int | None, field: str | None, fragment: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(ODMatrixError, match=fragment) as info:
        ODMatrix.from_file(path)
    assert info.value.row == row
    assert info.value.field == field
    assert str(path) in str(info.value)
    if row is not None:
        assert f"row {row}" in str(info.value)


def test_od_matrix_missing_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ODMatrixError, match="file not found"):
        ODMatrix.from_file(tmp_path / "nope.csv")


def test_od_matrix_needs_unique_point_ids() -> None:
    with pytest.raises(ValueError, match="unique"):
        ODMatrix.from_frame(od_frame()).matrix(id_points(["a", "a"]), id_points(["x"]))


@given(lats, lons, st.lists(st.tuples(lats, lons), min_size=1, max_size=20))
def test_kept_radians_give_great_circle_km_bit_for_bit(
    lat: float, lon: float, places: list[tuple[float, float]]
) -> None:
    # The finder keeps its places in radians and measures from every home: the same values as from degrees.
    to = np.array(places)
    kept = Radians.of(to[:, 0], to[:, 1])
    assert np.array_equal(
        haversine_km(Radians.of(lat, lon), kept), great_circle_km(lat, lon, to[:, 0], to[:, 1])
    )
