from pathlib import Path

import numpy as np
import pytest

from tsbkart.planning.areas import Cube
from tsbkart.planning.capacity import capacity_projection
from tsbkart.planning.projection import PopulationProjection
from tsbkart.planning.scenarios import load_scenarios
from tsbkart.planning.sensitivity import monte_carlo_band, one_at_a_time_band, tornado
from tsbkart.planning.usage import Usage, read_usage

from .test_capacity import HAND, usage_file, world

FLAT = """
factors:
  f:
    title: {nb: F, en: F}
    description: {nb: F, en: F}
    source: test
    effects: {bed_days: {value: 0.9, range: [0.9, 0.9]}}
scenarios:
  s: {title: {nb: S, en: S}, description: {nb: S, en: S}, factors: [f]}
"""


def setup(tmp_path: Path) -> tuple[Cube, PopulationProjection, Usage]:
    history, projection = world()
    usage = read_usage(usage_file(tmp_path, HAND), projection.hierarchy, history.years)
    return history, projection, usage


def test_the_one_at_a_time_band_holds_the_central_value_and_moves_each_parameter(tmp_path: Path) -> None:
    history, projection, usage = setup(tmp_path)
    band = one_at_a_time_band(projection, usage, "illustrative", "catchment", history=history)
    c1 = band[(band["code"] == "c1") & (band["year"] == 2040)].set_index("output")
    assert (c1["low"] <= c1["value"]).all() and (c1["value"] <= c1["high"]).all()
    # bed days: lowest single move is dogn_to_outpatient 0.80 instead of 0.90 -> x 0.8/0.9
    assert c1.loc["bed_days", "low"] == pytest.approx(c1.loc["bed_days", "value"] * 0.8 / 0.9)
    # beds: the highest single move is need_gap's bed days 1.20 instead of 1.05 (utilisation 0.80: x 0.85/0.80)
    beds = c1.loc["beds", "value"]
    assert c1.loc["beds", "high"] == pytest.approx(max(beds * 1.20 / 1.05, beds * 0.85 / 0.80))
    launch = band[(band["year"] == 2026) & (band["output"] != "beds")]  # utilisation is not phased in
    np.testing.assert_allclose(launch["low"].fillna(-1), launch["high"].fillna(-1))  # no factor at launch


def test_monte_carlo_is_reproducible_with_its_seed_and_inside_the_extremes(tmp_path: Path) -> None:
    history, projection, usage = setup(tmp_path)
    a = monte_carlo_band(projection, usage, "illustrative", "catchment", draws=400, seed=5, history=history)
    b = monte_carlo_band(projection, usage, "illustrative", "catchment", draws=400, seed=5, history=history)
    c = monte_carlo_band(projection, usage, "illustrative", "catchment", draws=400, seed=6, history=history)
    np.testing.assert_array_equal(a["low"].to_numpy(), b["low"].to_numpy())
    assert not np.allclose(a["low"].fillna(0), c["low"].fillna(0))
    every = {f: "low" for f in load_scenarios().factors}
    lowest = capacity_projection(
        projection, usage, "illustrative", "catchment", bounds=every, history=history
    )
    row = (a["code"] == "c1") & (a["year"] == 2040) & (a["output"] == "bed_days")
    floor = lowest[(lowest["code"] == "c1") & (lowest["year"] == 2040)]["bed_days"].iloc[0]
    assert floor <= a.loc[row, "low"].iloc[0] <= a.loc[row, "value"].iloc[0] <= a.loc[row, "high"].iloc[0]
    assert a.attrs["seed"] == 5 and a.attrs["draws"] == 400


def test_a_parameter_without_range_gives_no_band(tmp_path: Path) -> None:
    history, projection, usage = setup(tmp_path)
    path = tmp_path / "flat.yaml"
    path.write_text(FLAT, encoding="utf-8")
    book = load_scenarios(path)
    band = one_at_a_time_band(projection, usage, "s", "catchment", book=book, history=history)
    days = band[band["output"] == "bed_days"].dropna()
    np.testing.assert_allclose(days["low"], days["value"])
    np.testing.assert_allclose(days["high"], days["value"])


def test_the_tornado_ranks_the_parameters_by_their_swing(tmp_path: Path) -> None:
    history, projection, usage = setup(tmp_path)
    frame = tornado(projection, usage, "illustrative", "bed_days", 2040, "c1", "catchment", history=history)
    assert list(frame["swing"]) == sorted(frame["swing"], reverse=True)
    assert frame.iloc[0]["parameter"] in {
        "dogn_to_outpatient",
        "length_of_stay",
    }  # both swing 0.2 of bed days
    swing = frame.set_index("parameter")["swing"]
    assert swing["utilisation"] == 0.0  # utilisation does not change bed days
    assert swing["need_gap"] == pytest.approx(frame.attrs["central"] * 0.20 / 1.05)
    with pytest.raises(ValueError, match="unknown output"):
        tornado(projection, usage, "illustrative", "nothing", history=history)
