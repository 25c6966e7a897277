import numpy as np

from tsbkart.planning.areas import bundled_history
from tsbkart.reference.population import load_population


def test_small_areas_add_up_to_the_nation_every_year() -> None:
    hierarchy, history = bundled_history()
    population = load_population()
    national = population[population["level"] == "kommune"].groupby("year")["population"].sum()
    np.testing.assert_allclose(history.values.sum(axis=(1, 2, 3)), national.to_numpy(dtype=float))
    assert "0301" not in hierarchy.units and "030199" in hierarchy.units
    assert len(hierarchy.catchments) == 21 and len(hierarchy.regions) == 4


def test_the_alesund_haram_halves_before_2024_are_split_by_their_2024_shares() -> None:
    hierarchy, history = bundled_history()
    alesund, haram = hierarchy.units.index("1508"), hierarchy.units.index("1580")
    raw = load_population()
    before = raw[(raw["code"].isin(["1508", "1580"])) & (raw["year"] == 2023)]["population"].sum()
    totals = history.values[:, [alesund, haram]].sum(axis=(2, 3))
    year = history.years.index(2023)
    assert totals[year].sum() == before  # unchanged total
    share_2024 = totals[history.years.index(2024), 1] / totals[history.years.index(2024)].sum()
    assert abs(totals[year, 1] / totals[year].sum() - share_2024) < 0.01  # Haram ~14 %, not 50 %
