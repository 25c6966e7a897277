"""The order a professional can follow. Keys, most important first:

1. level of care (BEON): in an acute crisis the acute services first (the acute path); services that meet a
   stated or implied need (acute crisis, detox, coercion, LAR) next, then
   services at or above the needed level, then lower levels (follow-up); within each, the lowest level first
   (outpatient/outreach before day before inpatient before acute);
2. can it start within the guideline deadline: known waiting within it, then unknown, then beyond it;
3. the patient's own catchment area first (its trust has the duty to provide);
4. a stated target group that fits, then not stated, then stated but not fitting;
5. travel cost from home (unknown last);
6. waiting time (unknown last);
7. offer id, so equal offers always come in the same order.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
KEY_BITS = 62  # bits of the one sort key of ranked(): packed keys, travel rank and static rank side by side


def deadline_fit(waiting: FloatArray, weeks: int | None) -> IntArray:
    """0 = known waiting within the deadline, 1 = unknown (or no deadline to compare), 2 = beyond it."""
    if weeks is None:
        return np.ones(waiting.shape, dtype=np.int64)
    # 1 - within + beyond: both comparisons are false for nan (unknown), which so stays 1. Two passes over
    # the candidates instead of six.
    fit: IntArray = np.subtract(waiting > weeks, waiting <= weeks, dtype=np.int64)
    fit += 1
    return fit


def static_order(waiting: FloatArray) -> IntArray:
    """Offer numbers in the order of the last two keys (waiting time, unknown last; then offer number): the part
    of the ranking that does not depend on the profile, computed once per snapshot (``FinderIndex``)."""
    return np.lexsort((np.arange(len(waiting)), np.where(np.isnan(waiting), np.inf, waiting))).astype(
        np.int64
    )


def ranked(
    chosen: IntArray,
    *,
    tier: IntArray,
    level: IntArray,
    fit: IntArray,
    catchment: IntArray,
    target: IntArray,
    travel: FloatArray,
    static_rank: IntArray,
    static_order: IntArray,
) -> IntArray:
    """The offers ``chosen`` (offer numbers) in ranking order: the same order as the seven-key reference ``order`` in
    ``tests/finder/test_ranking.py`` (a property test), in one
    integer sort instead of four sort passes. ``static_rank`` is each offer's place in ``static_order``.

    Each candidate gets one unique integer key: the small keys packed, then the travel cost, then the offer's
    static rank; sorting the keys sorts the candidates, and the static rank in the low bits names the offer. A
    cost that is not negative orders as its IEEE-754 bit pattern does, so its high bits go into the key; when
    two candidates share those bits but not the cost (costs a few millionths apart), or a cost is negative,
    the costs are ranked exactly instead (:func:`_exactly`)."""
    if len(chosen) == 0:
        return chosen.astype(np.int64)
    packed = ((((tier * 8 + level) * 8 + fit) * 8 + catchment) * 8 + target).astype(np.int64, copy=False)
    # The packed keys' rank among the values present (a few dozen at most), to leave the cost more bits.
    present = np.bincount(packed) > 0
    packed = (np.cumsum(present) - 1)[packed].astype(np.int64, copy=False)
    cost = np.where(np.isnan(travel), np.inf, travel)
    static = static_rank[chosen]
    static_bits = max(int(len(static_order) - 1).bit_length(), 1)
    packed_bits = int(packed.max()).bit_length()
    # The 63 bits of a non-negative float64, less what does not fit beside the other two keys.
    dropped = 63 - (KEY_BITS - packed_bits - static_bits)
    if np.signbit(cost).any() or dropped > 52:
        return _exactly(chosen, packed, cost, static, static_bits, static_order)
    high = cost.view(np.int64) >> dropped
    keys = (packed << (63 - dropped + static_bits)) | (high << static_bits) | static
    keys.sort()
    in_order: IntArray = static_order[keys & ((1 << static_bits) - 1)]
    high = keys >> static_bits
    by_offer = np.empty(len(static_order), dtype=np.float64)
    by_offer[chosen] = cost
    sorted_cost = by_offer[in_order]
    if ((high[1:] == high[:-1]) & (sorted_cost[1:] != sorted_cost[:-1])).any():
        return _exactly(chosen, packed, cost, static, static_bits, static_order)
    return in_order


def _exactly(
    chosen: IntArray,
    packed: IntArray,
    cost: FloatArray,
    static: IntArray,
    static_bits: int,
    static_order: IntArray,
) -> IntArray:
    """:func:`ranked` with the costs' exact ranks among the candidates (equal costs equal ranks) in the key."""
    distinct, cost_rank = np.unique(cost, return_inverse=True)
    cost_rank = cost_rank.astype(np.int64).reshape(-1)
    cost_bits = max(int(len(distinct) - 1).bit_length(), 1)
    if int(packed.max()).bit_length() + cost_bits + static_bits > KEY_BITS:
        # Too many offers for one int64 key (millions): sort by the three integer keys instead.
        return chosen[np.lexsort((static, cost_rank, packed))].astype(np.int64)
    keys = (packed << (cost_bits + static_bits)) | (cost_rank << static_bits) | static
    in_order: IntArray = static_order[np.sort(keys) & ((1 << static_bits) - 1)]
    return in_order
