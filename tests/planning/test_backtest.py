import numpy as np
import pytest

from tsbkart.planning.backtest import backtest, ssb_national, ssb_national_comparison
from tsbkart.planning.settings import ProjectionSettings

from .world import growing, hierarchy, stable


def test_a_stable_population_back_tests_to_zero_error_for_every_method() -> None:
    inputs = (hierarchy(), stable(range(2010, 2027), np.array([[50.0, 52.0]] * 6)))
    frame = backtest(2026, inputs=inputs, settings=ProjectionSettings(5, 1, 0.0))
    assert set(frame["method"]) == {"hamilton-perry", "constant population", "constant share"}
    assert set(frame["level"]) == {"unit", "catchment", "region", "nation"}
    assert frame["mape"].max() == pytest.approx(0.0, abs=1e-9)


def test_errors_name_the_worst_area_and_count_the_areas() -> None:
    inputs = (hierarchy(), growing(range(2010, 2027)))
    frame = backtest(2026, inputs=inputs)
    units = frame[(frame["level"] == "unit") & (frame["method"] == "constant population")]
    assert (units["areas"] == 6).all() and units["worst_code"].isin([f"u{i}" for i in range(1, 7)]).all()
    assert (units["worst_ape"] >= units["mape"]).all()
    assert (frame["launch"] == 2021).all()


def test_the_bundled_ssb_extract_matches_its_source_note() -> None:
    main = ssb_national()
    totals = main[main["alternative"] == "MMMM"].groupby(["projection_vintage", "year"])["population"].sum()
    assert totals[(2024, 2040)] == 5_976_950  # population_projection_notes.md
    assert totals[(2026, 2026)] == 5_627_400  # = the registered 1 January 2026 population
    comparison = ssb_national_comparison(years=(2030,))
    total = comparison[comparison["age_group"] == "all"].iloc[0]
    assert total["ssb_2026"] == 5_749_760
    assert total["diff_2026"] == pytest.approx(total["ours"] - 5_749_760)
