"""Each row's ``k`` largest scores, largest first: one NumPy reference, one Numba pass.

The reference (:func:`top_k_reference`) takes ``argpartition`` and then a stable
``argsort`` of the ``k`` picked. Its answer is unique when the ``k`` best scores are
distinct and the ``k``-th is strictly above the ``(k+1)``-th: it is then exactly "the ``k``
largest, largest first", which :func:`top_k_rows` finds in one pass with a ``(k+1)``-slot
insertion buffer per row (``O(n)`` per row, no sort, no temporary ``[S, n]`` index arrays).
Rows where that fails (a tie, a NaN, fewer than ``k + 1`` scores above ``−∞``) are flagged
``TIED``, and :func:`top_k` hands exactly those rows to the reference, so its result is bit
for bit the reference's. A constant row (every score equal, as for a new user whose model
is still all zeros) is flagged ``CONSTANT``: the reference reads a row only through
comparisons, so every constant row of one width gets one and the same answer, computed
once.

Used by the ``recommender`` game's ``oracle`` strategy and by the ``recsys_*`` learners'
slates, which meet here (games and learners do not import each other).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from incentive_lab.core.types import FloatArray, IntArray

UNIQUE, TIED, CONSTANT = 0, 1, 2
""":func:`top_k_rows` row status: the kernel's answer holds; ask the reference; a constant row."""


@njit(cache=True, nogil=True)
def insert_descending(
    values: FloatArray, index: IntArray, v: float, j: int
) -> None:  # pragma: no cover
    """Insert ``(v, j)`` into the descending buffer if ``v`` beats its last entry."""
    last = values.shape[0] - 1
    if not v > values[last]:
        return
    p = last
    while p > 0 and values[p - 1] < v:
        values[p] = values[p - 1]
        index[p] = index[p - 1]
        p -= 1
    values[p] = v
    index[p] = j


@njit(cache=True, nogil=True)
def top_k_rows(score: FloatArray, k: int) -> tuple[IntArray, IntArray]:  # pragma: no cover
    """``(int64[S, k], int64[S])``: each row's ``k`` largest entries, largest first.

    The status says whether that answer is unique (``UNIQUE``: no tie among them nor at the
    boundary, no NaN in the row), the row is ``CONSTANT`` (all scores equal, no NaN), or
    it is ``TIED`` otherwise (the caller asks the reference).
    """
    rows, n = score.shape
    out = np.empty((rows, k), dtype=np.int64)
    status = np.zeros(rows, dtype=np.int64)
    values = np.empty(k + 1)
    index = np.empty(k + 1, dtype=np.int64)
    for s in range(rows):
        values[:] = -np.inf
        index[:] = -1
        first = score[s, 0]
        constant = first == first
        for j in range(n):
            v = score[s, j]
            if v != first:
                constant = False
            insert_descending(values, index, v, j)
        for r in range(k):
            out[s, r] = index[r]
            if not values[r] > values[r + 1]:
                status[s] = TIED
        if constant:
            status[s] = CONSTANT
    return out, status


def top_k_reference(score: FloatArray, k: int) -> IntArray:
    """``int64[S, k]``: the NumPy reference of :func:`top_k` (``argpartition``, stable sort).

    ``k`` may equal the row length (a slate of the whole catalogue): then ``argpartition``
    still decides the order of tied scores, as the ``oracle`` strategy always has.
    """
    part = np.argpartition(-score, k - 1, axis=1)[:, :k]
    ranked = np.argsort(-np.take_along_axis(score, part, 1), axis=1, kind="stable")
    return np.take_along_axis(part, ranked, 1).astype(np.int64)


def top_k(score: FloatArray, k: int) -> IntArray:
    """``int64[S, k]``: each row's ``k`` largest entries, largest first.

    Exactly :func:`top_k_reference`'s answer: the one-pass kernel where that answer is
    unique, the reference on the rows it flags (ties, NaN), and on one of the constant rows
    for all of them (module docstring).
    """
    if not 0 < k < score.shape[1] or score.dtype != np.float64:
        return top_k_reference(score, k)
    out, status = top_k_rows(np.ascontiguousarray(score), k)
    tied = np.flatnonzero(status == TIED)
    if tied.shape[0]:
        out[tied] = top_k_reference(score[tied], k)
    constant = np.flatnonzero(status == CONSTANT)
    if constant.shape[0]:
        out[constant] = top_k_reference(score[constant[:1]], k)
    return out
