"""Controls: scale child areas so they add up to their parent area, cell by cell (sex x age).

``rake(child, parent, index)`` multiplies each child (n, S, A) by parent / sum-of-children for its parent's
cell. Where the children sum to (about) 0 in a cell but the parent does not, the parent's value is shared by the
children's share of their parent's population of that sex (all ages), so the sums always hold.
"""

from __future__ import annotations

import numpy as np

from tsbkart.planning.areas import aggregate

__all__ = ["TINY", "rake"]

#: Sums below this many persons count as empty (avoids dividing by rounding residue).
TINY = 1e-9


def rake(child: np.ndarray, parent: np.ndarray, index: np.ndarray) -> np.ndarray:
    """Children (n, S, A) scaled to ``parent`` (m, S, A); ``index`` (n,) names each child's parent."""
    sums = aggregate(child, index, parent.shape[0])
    filled = sums > TINY
    factor = np.where(filled, parent / np.where(filled, sums, 1.0), 0.0)
    scaled: np.ndarray = child * factor[index]
    empty = ~filled & (parent > 0)
    if not empty.any():
        return scaled
    sex_totals = child.sum(axis=-1, keepdims=True)
    parent_totals = aggregate(sex_totals, index, parent.shape[0])[index]
    known = parent_totals > TINY
    share = np.where(known, sex_totals / np.where(known, parent_totals, 1.0), 0.0)
    counts = np.bincount(index, minlength=parent.shape[0])[index][:, None, None]
    share = np.where(known, share, 1.0 / counts)
    return np.asarray(np.where(empty[index], parent[index] * share, scaled))
