"""Numba kernels of the ``oracle`` slate strategy: top-``k`` per user in one pass.

The NumPy reference (``slates.oracle_slates*``) takes ``argpartition`` then a stable
``argsort`` of each user's scores. Its result is unique when the ``k`` best scores are
distinct and the ``k``-th is strictly above the ``(k+1)``-th; then it is exactly "the
``k`` largest, largest first", which ``core.top_k`` finds with a ``(k+1)``-slot insertion
buffer per row (the general case, :func:`incentive_lab.core.top_k.top_k`; here
:func:`top_k_one_hot` for one-hot items, from ``k²`` candidates). Rows with a tie that
matters (two items of one topic with the same quality, say) are flagged, and the caller
hands exactly those rows to the NumPy reference, so the result — and every run id and
golden trace — is bit-for-bit the reference's.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from incentive_lab.core.top_k import insert_descending
from incentive_lab.core.types import BoolArray, FloatArray, IntArray


@njit(cache=True, nogil=True)
def top_k_one_hot(
    topic_aff: FloatArray,
    topic_ok: BoolArray,
    by_topic: IntArray,
    item_topic: IntArray,
    quality: FloatArray,
    tie: float,
) -> tuple[IntArray, BoolArray]:  # pragma: no cover
    """The one-hot oracle (``slates.oracle_slates_one_hot``) per user, with uniqueness flags.

    The user's ``k`` best non-empty topics, then the ``k`` best of their ``k²`` candidates
    ``by_topic[t, r]`` of score ``aff[t] + tie·q`` (candidates of another topic excluded).
    """
    rows, d = topic_aff.shape
    k = by_topic.shape[1]
    out = np.empty((rows, k), dtype=np.int64)
    unique = np.ones(rows, dtype=np.bool_)
    t_values = np.empty(k + 1)
    t_index = np.empty(k + 1, dtype=np.int64)
    values = np.empty(k + 1)
    index = np.empty(k + 1, dtype=np.int64)
    for s in range(rows):
        t_values[:] = -np.inf
        t_index[:] = -1
        for t in range(d):
            if topic_ok[t]:
                insert_descending(t_values, t_index, topic_aff[s, t], t)
        if not t_values[k - 1] > t_values[k]:
            unique[s] = False
            continue
        values[:] = -np.inf
        index[:] = -1
        for a in range(k):
            t = t_index[a]
            for r in range(k):
                c = by_topic[t, r]
                if item_topic[c] == t:
                    insert_descending(values, index, topic_aff[s, t] + tie * quality[c], c)
        for r in range(k):
            out[s, r] = index[r]
            if not values[r] > values[r + 1]:
                unique[s] = False
    return out, unique
