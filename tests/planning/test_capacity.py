from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tsbkart.planning.areas import TOP_AGE, Cube, bundled_history
from tsbkart.planning.capacity import CapacityOptions, capacity_projection, usage_rates
from tsbkart.planning.population import project_population
from tsbkart.planning.projection import PopulationProjection, level_values
from tsbkart.planning.scenarios import load_scenarios
from tsbkart.planning.usage import example_usage, read_usage

from .world import hierarchy

YEARS = (2026, 2033, 2040)


def world() -> tuple[Cube, PopulationProjection]:
    """u1 (catchment c1): 2,000 women aged 40 in 2026, 2,250 in 2033, 2,500 in 2040; u3 (c2): 1,000 men aged 50."""
    values = np.zeros((3, 6, 2, TOP_AGE + 1))
    values[:, 0, 0, 40] = [2000.0, 2250.0, 2500.0]
    values[:, 2, 1, 50] = 1000.0
    geo = hierarchy()
    history = Cube((2026,), geo.units, values[:1])
    return history, PopulationProjection(geo, YEARS, values, 2026, "hand-made", ("hand-made",) * 6)


def usage_file(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "use.csv"
    path.write_text("area_code,year,sex,age_group,patients,outpatient_consultations,bed_days,stays\n" + body)
    return path


HAND = "c1,2026,female,18+,100,500,7300,50\nc2,2026,male,18-66,40,200,3650,\n"


def test_reproduces_a_hand_computed_example_to_the_unit(tmp_path: Path) -> None:
    history, projection = world()
    usage = read_usage(usage_file(tmp_path, HAND), projection.hierarchy, history.years)
    options = CapacityOptions(utilisation=0.80, man_years_per_patient=0.2)
    frame = capacity_projection(
        projection, usage, "illustrative", "catchment", options=options, history=history
    ).set_index(["year", "code"])
    # c1 in 2040 (full effect): bed days = 7300/2000 x 2500 x (1.05 x 0.90 x 0.95 x 0.95 = 0.8528625) = 7782.37
    c1 = frame.loc[(2040, "c1")]
    assert round(c1["bed_days"]) == 7782
    assert round(c1["beds"]) == 27  # 7782.37 / (365 x 0.80) = 26.65
    assert round(c1["patients"], 1) == 137.5  # 100/2000 x 2500 x 1.10
    assert round(c1["man_years"], 1) == 27.5  # 137.5 x 0.2
    assert round(c1["outpatient_consultations"]) == 722  # 500/2000 x 2500 x 1.10 x 1.05 = 721.875
    assert round(c1["stays"]) == 56  # 50/2000 x 2500 x 1.05 x 0.90 x 0.95 = 56.11
    # 2033 is half-way: each factor at 1 + (f - 1)/2; bed days 3.65 x 2250 x 0.92567109 = 7602.07
    assert round(frame.loc[(2033, "c1"), "bed_days"]) == 7602
    # 2026 is the launch year: no factor yet, the base use itself
    assert frame.loc[(2026, "c1"), "bed_days"] == pytest.approx(7300.0)
    # c2's stays are unknown in the file: unknown stays unknown, never 0
    assert np.isnan(frame.loc[(2040, "c2"), "stays"])
    assert frame.loc[(2040, "c2"), "bed_days"] == pytest.approx(3650 * 0.8528625)
    assert np.isnan(frame.loc[(2040, "c3"), "bed_days"])  # an area without usage rows is unknown
    assert frame.loc[(2040, "c1"), "bed_days"] > 0  # c1's men (none) and under-18s add nothing


def test_with_every_factor_at_one_use_is_rate_times_population() -> None:
    hierarchy_, history = bundled_history()
    usage = example_usage(hierarchy_, history.years)
    projection = project_population(2040)
    frame = capacity_projection(projection, usage, "demography", "unit")
    rates = usage_rates(usage, hierarchy_, history)[0]  # national rates (2, 91, measures)
    expected = np.einsum("sam,tusa->tum", rates, projection.values)
    for k, measure in enumerate(("patients", "outpatient_consultations", "bed_days", "stays")):
        np.testing.assert_allclose(frame[measure].to_numpy(), expected[:, :, k].reshape(-1), rtol=1e-12)
    assert frame.attrs["national_example"] and "national rates" in frame.attrs["usage"]
    assert frame.attrs["projection"] == "hamilton-perry"


def test_the_bundled_example_is_the_national_2018_counts_split_by_sex() -> None:
    hierarchy_, history = bundled_history()
    usage = example_usage(hierarchy_, history.years)
    rows = usage.rows.set_index("sex")
    assert rows["bed_days"].sum() == pytest.approx(596_317, abs=0.2)  # SSB TSB hovedtall 2018
    assert rows.loc["female", "patients"] == pytest.approx(32_948 * 0.32, abs=0.1)  # 32 % women (2004)
    assert rows.loc["female", "stays"] == pytest.approx(
        14_458 * 0.30, abs=0.1
    )  # men 70 % of admissions (2008)
    adults = level_values(history.year(2018), hierarchy_, "nation")[0][:, 18:].sum()
    frame = capacity_projection(project_population(2030), usage, "demography", "nation")
    national_2026 = frame.set_index("year").loc[2026, "patients"]
    women_2026 = level_values(history.year(2026), hierarchy_, "nation")[0][0, 18:].sum()
    women_2018 = level_values(history.year(2018), hierarchy_, "nation")[0][0, 18:].sum()
    assert adults > 4_000_000
    assert national_2026 > 32_948 and national_2026 == pytest.approx(
        rows.loc["female", "patients"] * women_2026 / women_2018
        + rows.loc["male", "patients"]
        * level_values(history.year(2026), hierarchy_, "nation")[0][1, 18:].sum()
        / level_values(history.year(2018), hierarchy_, "nation")[0][1, 18:].sum()
    )


def test_utilisation_outside_80_to_90_percent_is_refused() -> None:
    with pytest.raises(ValueError, match=r"outside 0\.8-0\.9"):
        CapacityOptions(utilisation=0.95).resolved()
    assert CapacityOptions().resolved()[0] == 0.85
    assert CapacityOptions().resolved()[1] == pytest.approx(4032 / 32948)


@pytest.mark.parametrize(
    "body,line,field",
    [
        ("nowhere,2026,female,18+,1,1,1,1\n", 2, "area_code"),
        ("c1,2026,female,18+,1,1,1,1\nr1,2026,female,18+,1,1,1,1\n", 3, "area_code"),
        ("c1,1999,female,18+,1,1,1,1\n", 2, "year"),
        ("c1,2026,kvinne,18+,1,1,1,1\n", 2, "sex"),
        ("c1,2026,female,adults,1,1,1,1\n", 2, "age_group"),
        ("c1,2026,female,80-95,1,1,1,1\n", 2, "age_group"),
        ("c1,2026,female,18+,1,1,-3,1\n", 2, "bed_days"),
        ("c1,2026,female,18+,1,1,x,1\n", 2, "bed_days"),
        ("c1,2026,female,18-40,1,1,1,1\nc1,2026,both,30-49,1,1,1,1\n", 3, "age_group"),
        ("c1,2026,female,18+,1,1,1,1\nc1,2026,female,18+,2,2,2,2\n", 3, "age_group"),
    ],
)
def test_bad_usage_files_name_file_line_and_field(tmp_path: Path, body: str, line: int, field: str) -> None:
    from tsbkart.planning.usage import UsageImportError

    history, projection = world()
    with pytest.raises(UsageImportError) as caught:
        read_usage(usage_file(tmp_path, body), projection.hierarchy, history.years)
    assert (caught.value.file, caught.value.line, caught.value.field) == ("use.csv", line, field)


def test_a_missing_column_is_named(tmp_path: Path) -> None:
    from tsbkart.planning.usage import UsageImportError

    path = tmp_path / "short.csv"
    path.write_text("area_code,year,sex,age_group,patients\nc1,2026,female,18+,1\n")
    with pytest.raises(UsageImportError, match="field 'outpatient_consultations': column missing"):
        read_usage(path, hierarchy(), (2026,))


def test_a_user_value_for_one_effect_changes_only_that_measure(tmp_path: Path) -> None:
    history, projection = world()
    usage = read_usage(usage_file(tmp_path, HAND), projection.hierarchy, history.years)
    book = load_scenarios().with_value("length_of_stay", "bed_days", 1.05)
    base = capacity_projection(projection, usage, "illustrative", "catchment", history=history)
    changed = capacity_projection(projection, usage, "illustrative", "catchment", book=book, history=history)
    c1 = (base["code"] == "c1") & (base["year"] == 2040)
    ratio = changed.loc[c1, "bed_days"].iloc[0] / base.loc[c1, "bed_days"].iloc[0]
    assert ratio == pytest.approx(1.05 / 0.95)
    pd.testing.assert_series_equal(changed["patients"], base["patients"])
    assert np.isnan(base.loc[(base["code"] == "c3"), "bed_days"]).all()
