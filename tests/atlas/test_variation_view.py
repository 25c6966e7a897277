import numpy as np
import pandas as pd
import pytest

from tsbkart.analysis.variation import capacity_variation
from tsbkart.atlas.indicators import IndicatorTable, indicator
from tsbkart.atlas.variation_view import indicator_variation, rank_of, ranked


def _table(
    values: list[float], kind_id: str = "beds_per_10k", events: list[float] | None = None
) -> IndicatorTable:
    definition = indicator(kind_id)
    assert definition is not None
    rows = pd.DataFrame(
        {
            "code": [f"a{i}" for i in range(len(values))],
            "name": [f"A{i}" for i in range(len(values))],
            "region_code": "r",
            "value": values,
            "ci_low": np.nan,
            "ci_high": np.nan,
            "population": [1000.0 * (i + 1) for i in range(len(values))],
            "events": events if events is not None else np.nan,
            "note": "",
        }
    )
    return IndicatorTable(definition, rows, None)


def test_matches_capacity_variation_and_leaves_out_unknown() -> None:
    table = _table([1.0, 2.0, np.nan, 4.0])
    stats = indicator_variation(table)
    expected = capacity_variation([1.0, 2.0, 4.0], [1000.0, 2000.0, 4000.0])
    assert stats.n_areas == 3 and stats.n_unknown == 1
    assert stats.eq == pytest.approx(4.0) == pytest.approx(expected["ft1"])
    assert stats.cv_weighted == pytest.approx(expected["cv_weighted"])
    assert stats.cv_unweighted_pct == pytest.approx(expected["cv_unweighted_pct"])
    assert stats.scv is None


def test_zero_minimum_is_flagged_not_a_number() -> None:
    stats = indicator_variation(_table([0.0, 2.0, 4.0]))
    assert stats.min_is_zero and stats.eq is None


def test_scv_where_counts_exist() -> None:
    # Equal rates everywhere: observed = expected, so SCV = -100 * mean(1/E) (the pure random part).
    table = _table([10.0, 10.0], "helseatlas_pasientrate_u18", events=[10.0, 20.0])
    stats = indicator_variation(table)
    assert stats.scv == pytest.approx(-100 * (1 / 10 + 1 / 20) / 2)


def test_rank_ties_share_the_best_rank_and_unknown_last() -> None:
    table = _table([5.0, 5.0, 1.0, np.nan])
    assert rank_of(table, "a0") == (1, 3) and rank_of(table, "a1") == (1, 3)
    assert rank_of(table, "a2") == (3, 3)
    assert rank_of(table, "a3") is None
    assert list(ranked(table)["code"])[-1] == "a3"
