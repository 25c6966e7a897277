import math

import numpy as np
import pandas as pd
import pytest

from tests.atlas.world import geography, population, snapshot
from tsbkart.analysis.costs import ODMatrix, great_circle_km
from tsbkart.atlas.access import (
    accessibility,
    accessibility_by_area,
    nearest_distance,
    service_types_of,
    share_within_by_area,
    supply_points,
)
from tsbkart.atlas.demand import demand_points


def test_service_types_of_basic_service_and_type() -> None:
    assert set(service_types_of("dogn")) == {"dogn_kort", "dogn_lang", "dogn_utredning"}
    assert service_types_of("lar") == ("lar",)
    with pytest.raises(ValueError, match="neither"):
        service_types_of("sauna")


def test_supply_points_weights() -> None:
    units = supply_points(snapshot(), "dogn")
    assert list(units["unit_id"]) == ["u-alpha", "u-gamma-dogn"]
    assert list(units["weight"]) == [1.0, 1.0]
    beds = supply_points(snapshot(), "dogn", weight="beds")
    assert beds["weight"].iloc[0] == 10.0 and math.isnan(beds["weight"].iloc[1])  # unknown, not 0


def test_nearest_distance_and_shares() -> None:
    demand = demand_points(geography(), population())
    nearest = nearest_distance(demand, supply_points(snapshot(), "avrusning")).set_index("code")
    assert nearest.loc["1001", "cost"] == pytest.approx(0.0, abs=1e-6)
    assert nearest.loc["1002", "cost"] == pytest.approx(
        float(great_circle_km(61.0, 10.0, 60.0, 10.0)), rel=1e-9
    )
    shares = share_within_by_area(nearest.reset_index(), "catchment", (30.0, 120.0))
    north = shares[shares["area_code"] == "north"].set_index("threshold")["share"]
    assert north[30.0] == pytest.approx(1000 / 4000) and north[120.0] == pytest.approx(1.0)
    nation = share_within_by_area(nearest.reset_index(), "nation", (30.0,))
    assert nation["share"].iloc[0] == pytest.approx(1000 / 10507)


def test_no_supply_means_infinite_distance() -> None:
    demand = demand_points(geography(), population())
    nearest = nearest_distance(demand, supply_points(snapshot(with_offers=False), "akutt"))
    assert np.isinf(nearest["cost"]).all()
    assert nearest["nearest_unit_id"].isna().all()


def test_travel_time_provider_is_used() -> None:
    demand = demand_points(geography(), population())
    supply = supply_points(snapshot(), "avrusning")
    table = pd.DataFrame({"from_id": ["1002"], "to_id": ["u-alpha"], "travel_time": [95.0]})
    nearest = nearest_distance(demand, supply, ODMatrix.from_frame(table)).set_index("code")
    assert nearest.loc["1002", "cost"] == 95.0 and nearest.loc["1002", "unit"] == "min"
    assert np.isinf(nearest.loc["1001", "cost"])  # no pair in the matrix: unreachable


def test_two_step_fca_leaves_out_unknown_beds_and_keeps_the_invariant() -> None:
    demand = demand_points(geography(), population())
    supply = supply_points(snapshot(), "dogn", weight="beds")
    points = accessibility(demand, supply, cutoff=200.0)
    assert points.attrs["unknown_weight_units"] == 1
    # Sum_i P_i A_i = served supply (10 beds), A per 10,000.
    total = float((points["population"] * points["access_per_10k"]).sum() / 10_000)
    assert total == pytest.approx(10.0)
    by_area = accessibility_by_area(points, "catchment").set_index("area_code")
    assert by_area.loc["north", "population"] == 4000
    assert accessibility_by_area(points, "nation")["access_per_10k"].iloc[0] == pytest.approx(
        10 * 10_000 / 10507
    )


def test_e2sfca_zero_beyond_thirty_units() -> None:
    demand = demand_points(geography(), population())
    supply = supply_points(snapshot(), "dogn", weight="beds")
    points = accessibility(demand, supply, method="e2sfca").set_index("code")
    assert points.loc["1002", "access_per_10k"] == 0.0  # 111 km away
    assert points.loc["1001", "access_per_10k"] == pytest.approx(10 * 10_000 / 1000)
