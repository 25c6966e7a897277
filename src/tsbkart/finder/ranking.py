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


def deadline_fit(waiting: FloatArray, weeks: int | None) -> IntArray:
    """0 = known waiting within the deadline, 1 = unknown (or no deadline to compare), 2 = beyond it."""
    fit = np.ones(waiting.shape, dtype=np.int64)
    if weeks is None:
        return fit
    known = ~np.isnan(waiting)
    fit[known & (waiting <= weeks)] = 0
    fit[known & (waiting > weeks)] = 2
    return fit


def order(
    *,
    tier: IntArray,
    level: IntArray,
    fit: IntArray,
    catchment: IntArray,
    target: IntArray,
    travel: FloatArray,
    waiting: FloatArray,
    position: IntArray,
) -> IntArray:
    """Indices that sort the candidates by the keys above (unknown travel and waiting sort last)."""
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
