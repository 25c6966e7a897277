"""Tests for tsbkart.analysis.variation: SKDE reference statistics, quotients, CV definitions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tsbkart.analysis.variation import (
    SystematicComponent,
    capacity_variation,
    systematic_component,
    variation_table,
)


@pytest.fixture(scope="module")
def bohf(skde_dir: Path) -> pd.DataFrame:
    return pd.read_csv(skde_dir / "bohf_Agg_rate.csv")


@pytest.fixture(scope="module")
def table(bohf: pd.DataFrame) -> pd.DataFrame:
    return variation_table(
        bohf,
        group="aar",
        rate="RV_just_rate",
        observed="Ant_Opphold",
        expected="ei",
        population="Ant_Innbyggere",
    )


def test_scv_obv_rcv_reproduce_skde_for_every_year(bohf: pd.DataFrame, table: pd.DataFrame) -> None:
    expected = bohf.groupby("aar")[["SCV", "OBV", "RCV"]].first()
    assert list(table.index) == [2011, 2012, 2013, 2014, 2015, 9999]
    for ours, theirs in (("scv", "SCV"), ("obv", "OBV"), ("rcv", "RCV")):
        np.testing.assert_allclose(table[ours], expected[theirs], rtol=0, atol=1e-6)
    assert table.loc[2011, "scv"] == pytest.approx(1.3185910359, abs=1e-9)


def test_weighted_sd_mean_and_cv_reproduce_skde_cv_table(skde_dir: Path, table: pd.DataFrame) -> None:
    cv = pd.read_csv(skde_dir / "bohf_Agg_cv.csv").groupby("aar").first()
    np.testing.assert_allclose(table["mean_weighted"], cv["meancv"], rtol=1e-9)
    np.testing.assert_allclose(table["sd_weighted"], cv["SD"], rtol=0, atol=1e-6)
    np.testing.assert_allclose(table["cv_weighted"], cv["CV"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(table["scv"], cv["SCV"], rtol=0, atol=1e-6)
    np.testing.assert_array_equal(table["n_areas"], cv["Boomr"])


def test_extremal_quotients_match_the_anchor_table(table: pd.DataFrame) -> None:
    # analytics anchors, section 2.3: FT1 (max/min direct rate) per year, rounded to 4 decimals.
    np.testing.assert_allclose(
        table["ft1"].round(4), [1.4339, 1.4787, 1.3804, 1.4098, 1.3952, 1.4154], rtol=0, atol=1e-12
    )


@pytest.mark.parametrize("name", ["fylke", "komnr", "komnrHN", "bohf", "Norge"])
def test_scv_from_sums_reproduces_every_skde_cv_table(skde_dir: Path, name: str) -> None:
    # The aggregated "_cv" tables carry only OBV, RCV and K per year (no per-area rows).
    cv = pd.read_csv(skde_dir / f"{name}_Agg_cv.csv").groupby("aar").first()
    got = [SystematicComponent.from_sums(r.OBV, r.RCV, int(r.Boomr)).scv for r in cv.itertuples()]
    np.testing.assert_allclose(got, cv["SCV"], rtol=0, atol=1e-6)


def test_systematic_component_by_hand() -> None:
    got = systematic_component([12.0, 8.0], [10.0, 10.0])
    assert got.obv == pytest.approx(0.08)
    assert got.rcv == pytest.approx(0.2)
    assert got.scv == pytest.approx(100 * (0.08 - 0.2) / 2)
    assert got.n_areas == 2
    with pytest.raises(ValueError, match="> 0"):
        systematic_component([1.0], [0.0])


@settings(deadline=None)
@given(st.lists(st.floats(1.0, 1e5), min_size=1, max_size=40))
def test_scv_minus_random_part_is_zero_when_observed_equals_expected(expected: list[float]) -> None:
    got = systematic_component(expected, expected)
    assert got.obv == 0.0
    assert got.scv == pytest.approx(-100 * got.rcv / len(expected))


def test_capacity_variation_by_hand() -> None:
    got = capacity_variation([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], [1.0, 1.0, 1.0, 1.0, 1.0, 5.0])
    mean_w = (1 + 2 + 3 + 4 + 5 + 30) / 10
    assert got["mean_weighted"] == pytest.approx(mean_w)
    sd_w = np.sqrt((1 + 4 + 9 + 16 + 25 + 5 * 36) / 10 - mean_w**2)
    assert got["sd_weighted"] == pytest.approx(sd_w)
    assert got["cv_weighted"] == pytest.approx(sd_w / mean_w)
    assert got["cv_unweighted_pct"] == pytest.approx(100 * np.std([1, 2, 3, 4, 5, 6], ddof=1) / 3.5)
    assert (got["ft1"], got["ft2"], got["ft3"]) == pytest.approx((6.0, 2.5, 4 / 3))
    assert got["n_areas"] == 6


def test_quotients_with_few_areas_or_a_zero_minimum() -> None:
    got = capacity_variation([0.0, 2.0, 3.0], [1.0, 1.0, 1.0])
    assert got["ft1"] == np.inf
    assert np.isnan(got["ft2"])
    assert np.isnan(got["ft3"])


@settings(deadline=None)
@given(
    st.lists(st.tuples(st.floats(0.1, 1e3), st.floats(1.0, 1e6)), min_size=6, max_size=30),
    st.floats(0.01, 100.0),
)
def test_cv_and_quotients_are_scale_free(rows: list[tuple[float, float]], scale: float) -> None:
    values, pops = (np.array(c) for c in zip(*rows, strict=True))
    a = capacity_variation(values, pops)
    b = capacity_variation(values * scale, pops)
    for key in ("cv_weighted", "cv_unweighted_pct", "ft1", "ft2", "ft3"):
        assert b[key] == pytest.approx(a[key], rel=1e-6, abs=1e-9)
    assert a["ft1"] >= a["ft2"] >= a["ft3"] >= 1.0


def test_capacity_variation_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="matching"):
        capacity_variation([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="positive total"):
        capacity_variation([1.0], [0.0])


def test_variation_table_without_counts_skips_scv(bohf: pd.DataFrame) -> None:
    got = variation_table(bohf, group="aar", rate="RV_just_rate", observed=None, population="Ant_Innbyggere")
    assert "scv" not in got.columns
    assert got.loc[2011, "sd_weighted"] == pytest.approx(112.95578058, abs=1e-6)
