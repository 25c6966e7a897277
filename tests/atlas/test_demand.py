import pytest

from tests.atlas.world import geography, population
from tsbkart.atlas.demand import ADULTS, AgeBand, age_band_of_target_group, demand_points


def test_one_point_per_municipality_and_oslo_as_bydeler() -> None:
    frame = demand_points(geography(), population())
    assert list(frame["code"]) == ["030101", "030108", "030199", "1001", "1002", "2001"]
    assert "0301" not in set(frame["code"])


def test_total_equals_kommune_total_and_rest_goes_to_unregistered_bydel() -> None:
    frame = demand_points(geography(), population()).set_index("code")
    assert frame["population"].sum() == 1000 + 3000 + 6000 + 507
    assert frame.loc["030199", "population"] == 7  # 507 - (300 + 200)


def test_bydel_without_point_uses_oslo_point_and_is_approximate() -> None:
    frame = demand_points(geography(), population()).set_index("code")
    assert (frame.loc["030108", "lat"], frame.loc["030108", "lon"]) == (59.9, 10.75)
    assert bool(frame.loc["030108", "approximate"]) and bool(frame.loc["030199", "approximate"])
    assert not bool(frame.loc["030101", "approximate"])
    assert frame.loc["1001", "region_code"] == "r"


def test_age_band_children() -> None:
    frame = demand_points(geography(), population(), AgeBand(0, 17)).set_index("code")
    assert frame.loc["1001", "population"] == 100
    assert frame.attrs["age_band"] == "0-17"


def test_age_band_of_target_group() -> None:
    assert age_band_of_target_group("under_23") == AgeBand(0, 22)
    assert age_band_of_target_group("adults") == ADULTS
    with pytest.raises(ValueError, match="no age band"):
        age_band_of_target_group("opioids")
    with pytest.raises(ValueError, match="unknown target group"):
        age_band_of_target_group("nope")


def test_more_than_one_year_is_rejected() -> None:
    import pandas as pd

    both = pd.concat([population(2025), population(2026)])
    with pytest.raises(ValueError, match="exactly one year"):
        demand_points(geography(), both)
