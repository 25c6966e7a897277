"""Tests for tsbkart.analysis.rates: SKDE reference tables and synthetic standardisation cases."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tsbkart.analysis.rates import Z_95, age_band, area_rates, indirect_rates, poisson_sd, read_counts

SKDE_PER = 1000.0  # the SKDE test tables are per 1,000 inhabitants (see reference_data SOURCE.md)


@pytest.fixture(scope="module")
def bohf(skde_dir: Path) -> pd.DataFrame:
    return pd.read_csv(skde_dir / "bohf_Agg_rate.csv")


def test_indirect_rates_reproduce_skde_for_every_year(bohf: pd.DataFrame) -> None:
    got = indirect_rates(
        bohf, group="aar", observed="Ant_Opphold", expected="ei", population="Ant_Innbyggere", per=SKDE_PER
    )
    assert set(bohf["aar"]) == {2011, 2012, 2013, 2014, 2015, 9999}
    np.testing.assert_allclose(got["indirect_rate"], bohf["RV_ijust_rate"], rtol=0, atol=1e-6)
    np.testing.assert_allclose(got["factor"], bohf["factor"], rtol=0, atol=1e-9)


def test_poisson_sd_and_intervals_reproduce_skde(bohf: pd.DataFrame) -> None:
    years = np.where(bohf["aar"] == 9999, 5, 1)  # the 9999 row is the mean of 2011-2015
    sd = poisson_sd(bohf["Ant_Opphold"], bohf["Ant_Innbyggere"], per=SKDE_PER)
    np.testing.assert_allclose(sd, bohf["SD_rate"], rtol=0, atol=1e-8)
    sd_period = poisson_sd(bohf["Ant_Opphold"], bohf["Ant_Innbyggere"], per=SKDE_PER, years=years)
    np.testing.assert_allclose(bohf["rv_rate"] - Z_95 * sd_period, bohf["KI_N"], rtol=0, atol=1e-6)
    np.testing.assert_allclose(bohf["rv_rate"] + Z_95 * sd_period, bohf["KI_O"], rtol=0, atol=1e-6)


# --- Synthetic strata ---------------------------------------------------------------------------------

CODES = ["0301", "1103", "5001"]
SEXES = ["female", "male"]


def synthetic(seed: int, years: tuple[int, ...] = (2022, 2023)) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Population by single age 0-94 and Poisson events with an age gradient and area effects."""
    rng = np.random.default_rng(seed)
    grid = pd.MultiIndex.from_product([years, CODES, SEXES, range(95)], names=["year", "code", "sex", "age"])
    pop = grid.to_frame(index=False)
    pop["population"] = rng.integers(20, 800, len(pop))
    area_effect = pop["code"].map(dict(zip(CODES, rng.uniform(0.5, 1.5, len(CODES)), strict=True)))
    rate = 0.002 * (1 + pop["age"] / 20) * area_effect * np.where(pop["sex"] == "male", 1.3, 1.0)
    counts = pop[["year", "code", "sex", "age"]].assign(events=rng.poisson(rate * pop["population"]))
    return counts, pop


def test_direct_and_indirect_by_hand() -> None:
    # One year, two areas, two age bands (one sex). National stratum rates: young 3/300, old 12/200.
    pop = pd.DataFrame(
        {
            "year": 2024,
            "code": ["A", "A", "B", "B"],
            "sex": "f",
            "age": [10, 70, 10, 70],
            "population": [100, 100, 200, 100],
        }
    )
    counts = pop.drop(columns="population").assign(events=[1, 8, 2, 4])
    got = area_rates(counts, pop, per=1000.0).set_index("code")
    # Standard = all areas together: shares young 300/500, old 200/500.
    assert got.loc["A", "direct_rate"] == pytest.approx(1000 * (0.01 * 0.6 + 0.08 * 0.4))
    assert got.loc["B", "direct_rate"] == pytest.approx(1000 * (0.01 * 0.6 + 0.04 * 0.4))
    assert got.loc["A", "expected"] == pytest.approx(100 * 0.01 + 100 * 0.06)
    assert got.loc["A", "indirect_rate"] == pytest.approx(9 / 7 * 1000 * 15 / 500)
    assert got.loc["A", "crude_rate"] == pytest.approx(1000 * 9 / 200)
    var_a = (0.6 / 100) ** 2 * 1 + (0.4 / 100) ** 2 * 8
    assert got.loc["A", "direct_sd"] == pytest.approx(1000 * np.sqrt(var_a))
    assert got.loc["A", "direct_ci_low"] == pytest.approx(
        got.loc["A", "direct_rate"] - 1.96 * 1000 * np.sqrt(var_a)
    )


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10_000))
def test_expected_counts_add_up_to_observed_each_year(seed: int) -> None:
    counts, pop = synthetic(seed)
    got = area_rates(counts, pop)
    sums = got.groupby("year")[["events", "expected"]].sum()
    np.testing.assert_allclose(sums["expected"], sums["events"], rtol=1e-12)


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10_000), st.floats(0.1, 10.0))
def test_direct_rates_do_not_depend_on_an_areas_population_size(seed: int, factor: float) -> None:
    counts, pop = synthetic(seed)
    base = area_rates(counts, pop, standard_year=2022)
    scaled_pop = pop.assign(
        population=np.where(pop["code"] == "0301", pop["population"] * factor, pop["population"])
    )
    scaled_counts = counts.assign(
        events=np.where(counts["code"] == "0301", counts["events"] * factor, counts["events"])
    )
    # Scaling one area changes the standard population, so fix the standard year to an unscaled copy.
    scaled_pop = pd.concat([scaled_pop[scaled_pop["year"] == 2023], pop[pop["year"] == 2022]])
    scaled_counts = pd.concat([scaled_counts[scaled_counts["year"] == 2023], counts[counts["year"] == 2022]])
    got = area_rates(scaled_counts, scaled_pop, standard_year=2022)
    mask = (got["year"] == 2023) & (got["code"] == "0301")
    np.testing.assert_allclose(got.loc[mask, "direct_rate"], base.loc[mask, "direct_rate"], rtol=1e-10)


def test_direct_rate_equals_crude_rate_when_the_area_is_the_standard() -> None:
    counts, pop = synthetic(3, years=(2024,))
    one = pop["code"] == "5001"
    got = area_rates(counts[one.to_numpy()], pop[one])
    assert got["direct_rate"].iloc[0] == pytest.approx(got["crude_rate"].iloc[0], rel=1e-12)
    assert got["factor"].iloc[0] == pytest.approx(1.0, rel=1e-12)


def test_standardising_by_age_only_or_sex_only_changes_the_strata() -> None:
    counts, pop = synthetic(5, years=(2024,))
    by_age = area_rates(counts, pop, standardise_by="age")
    by_sex = area_rates(counts, pop, standardise_by="sex")
    both = area_rates(counts, pop)
    assert not np.allclose(by_sex["direct_rate"], both["direct_rate"])
    assert not np.allclose(by_age["expected"], by_sex["expected"])


def test_missing_count_rows_mean_zero_events() -> None:
    pop = pd.DataFrame({"year": 2024, "code": ["A", "B"], "sex": "m", "age": 40, "population": [100, 50]})
    counts = pd.DataFrame({"year": [2024], "code": ["A"], "sex": ["m"], "age": [40], "events": [3]})
    got = area_rates(counts, pop).set_index("code")
    assert got.loc["B", "events"] == 0
    assert got.loc["B", "crude_rate"] == 0.0


def test_events_without_population_are_rejected() -> None:
    pop = pd.DataFrame({"year": [2024], "code": ["A"], "sex": ["m"], "age": [40], "population": [100]})
    counts = pd.DataFrame({"year": [2024], "code": ["Z"], "sex": ["m"], "age": [40], "events": [3]})
    with pytest.raises(ValueError, match="without any population"):
        area_rates(counts, pop)


def test_unknown_standard_year_is_rejected() -> None:
    counts, pop = synthetic(1, years=(2024,))
    with pytest.raises(ValueError, match="standard year 1999"):
        area_rates(counts, pop, standard_year=1999)


def test_age_band_has_an_open_top_band() -> None:
    np.testing.assert_array_equal(age_band([0, 4, 5, 89, 90, 104]), [0, 0, 5, 85, 90, 90])
    np.testing.assert_array_equal(age_band([17, 18, 67], width=10, top=80), [10, 10, 60])


def test_read_counts_names_row_and_field(tmp_path: Path) -> None:
    good = tmp_path / "counts.csv"
    good.write_text("year,code,sex,age,events\n2024,0301,female,40,3\n")
    frame = read_counts(good)
    assert frame["code"].iloc[0] == "0301"
    bad = tmp_path / "bad.csv"
    bad.write_text("year,code,sex,age,events\n2024,0301,female,40,3\n2024,0301,male,40,-2\n")
    with pytest.raises(ValueError, match=r"bad.csv, row 2, field 'events'"):
        read_counts(bad)
    with pytest.raises(ValueError, match="missing column"):
        (tmp_path / "cols.csv").write_text("year,code,age,events\n")
        read_counts(tmp_path / "cols.csv")


def test_population_with_mixed_levels_is_rejected() -> None:
    counts, pop = synthetic(2, years=(2024,))
    mixed = pop.assign(level=np.where(pop["code"] == "0301", "bydel", "kommune"))
    with pytest.raises(ValueError, match="several levels"):
        area_rates(counts, mixed)
    assert len(area_rates(counts, pop.assign(level="kommune"))) == len(CODES)
