"""The finder's one-sort ranking (``ranked``) puts the candidates in exactly the order of the reference
``order`` (seven keys, ties, near-ties a bit apart and unknown values included)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tsbkart.finder import ranking
from tsbkart.finder.ranking import ranked, static_order

NAN = float("nan")
# Few distinct values, so that ties on every key are common; nan is "unknown".
TRAVEL = st.sampled_from([0.0, 1.5, 1.5000000000000002, 7.25, 300.0, 1e-300, NAN])
# A cost provider might give a negative cost: the exact path then ranks them.
ANY_TRAVEL = st.one_of(TRAVEL, st.sampled_from([-0.0, -2.0]))
WAITING = st.sampled_from([0.0, 2.0, 4.0, 12.5, NAN])


@st.composite
def candidates(draw: st.DrawFn, travel: st.SearchStrategy[float] = TRAVEL) -> dict[str, np.ndarray]:
    offers = draw(st.integers(1, 60))
    chosen = np.array(sorted(draw(st.sets(st.integers(0, offers - 1), max_size=offers))), dtype=np.int64)
    n = len(chosen)

    def small(high: int) -> np.ndarray:
        return np.array(draw(st.lists(st.integers(0, high), min_size=n, max_size=n)), dtype=np.int64)

    return {
        "chosen": chosen,
        "tier": small(3),
        "level": small(4),
        "fit": small(2),
        "catchment": small(1),
        "target": small(2),
        "travel": np.array(draw(st.lists(travel, min_size=n, max_size=n)), dtype=np.float64),
        "waiting": np.array(draw(st.lists(WAITING, min_size=offers, max_size=offers)), dtype=np.float64),
    }


def order(
    *,
    tier: np.ndarray,
    level: np.ndarray,
    fit: np.ndarray,
    catchment: np.ndarray,
    target: np.ndarray,
    travel: np.ndarray,
    waiting: np.ndarray,
    position: np.ndarray,
) -> np.ndarray:
    """Indices that sort the candidates by the keys above (unknown travel and waiting sort last). The reference
    form of the order, written as the keys read; the finder's :func:`ranked` must agree with it."""
    # The small integer keys packed into one (each < 8), most significant first: same order, fewer sort passes.
    packed = (((tier * 8 + level) * 8 + fit) * 8 + catchment) * 8 + target
    keys = (
        position,
        np.where(np.isnan(waiting), np.inf, waiting),
        np.where(np.isnan(travel), np.inf, travel),
        packed,
    )
    # np.lexsort sorts by the last key first.
    return np.lexsort(keys).astype(np.int64)


def _both(c: dict[str, np.ndarray]) -> tuple[list[int], list[int]]:
    chosen, waiting = c["chosen"], c["waiting"]
    keys = {k: c[k] for k in ("tier", "level", "fit", "catchment", "target", "travel")}
    expected = chosen[order(**keys, waiting=waiting[chosen], position=chosen)]
    in_order = static_order(waiting)
    rank = np.empty(len(waiting), dtype=np.int64)
    rank[in_order] = np.arange(len(waiting))
    got = ranked(chosen, **keys, static_rank=rank, static_order=in_order)
    return got.tolist(), expected.tolist()


@given(candidates(ANY_TRAVEL))
def test_ranked_is_the_reference_order(c: dict[str, np.ndarray]) -> None:
    got, expected = _both(c)
    assert got == expected


@given(candidates())
def test_ranked_without_room_for_one_key_sorts_by_three(c: dict[str, np.ndarray]) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ranking, "KEY_BITS", 0)  # as with millions of offers
        got, expected = _both(c)
    assert got == expected


@given(
    st.lists(st.one_of(WAITING, st.floats(-5, 60, allow_nan=False)), max_size=30),
    st.one_of(st.none(), st.integers(0, 52)),
)
def test_deadline_fit_within_unknown_beyond(waiting: list[float], weeks: int | None) -> None:
    fit = ranking.deadline_fit(np.array(waiting, dtype=np.float64), weeks)
    expected = [
        1 if weeks is None or w != w else (0 if w <= weeks else 2)  # w != w: nan, unknown
        for w in waiting
    ]
    assert fit.dtype == np.int64
    assert fit.tolist() == expected
