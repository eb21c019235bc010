"""Numba kernels of the recommender learners' slate selection (same answers as NumPy).

* :func:`top_k_rows` — each row's ``k`` largest scores in one pass with a ``(k+1)``-slot
  insertion buffer. The NumPy reference (``_base.top_k_reference``: ``argpartition``, then
  a stable ``argsort`` of the ``k`` picked) has a unique answer when the ``k`` best scores
  are distinct and the ``k``-th is strictly above the ``(k+1)``-th: "the ``k`` largest,
  largest first". Rows where that fails (a tie, a NaN, fewer than ``k + 1`` finite-above-
  ``-inf`` scores) are flagged and the caller hands exactly them to the reference, so the
  result is bit-for-bit the reference's (the same device as the ``oracle`` strategy's
  kernel in ``games.recommender._oracle``). A constant row (every score equal, as for a
  new user whose model is still all zeros) is flagged apart: the reference reads a row
  only through comparisons, so every constant row of a width gets one and the same answer,
  which the caller computes once.
* :func:`ucb_slot` — one slot of LinUCB's greedy slate: per row the ``argmax`` over the
  items not yet taken of ``mean[s, i] + aw[s, g(i)]`` (``aw``: ``α`` times the confidence
  width of context group ``g``), or of the row's uniform scores for an exploring row; the
  same floating-point sums and NumPy's ``argmax`` rule (first maximum; first NaN wins), so
  it equals the ``[S, I]`` array computation it replaces without building those arrays.
* :func:`add_outer_at` — ``np.add.at(a0, agent, x xᵀ)`` and ``np.add.at(b0, agent, r x)``
  as one loop over the rows in order: ``np.add.at`` adds row after row into the target,
  each element receiving ``fl(x_p·x_q)`` in that order, so the loop is bit-identical.
* :func:`rank_one_downdate` — ``inv − (u uᵀ) / d`` in place, the elementwise part of a
  Sherman–Morrison update (the same three roundings per element as the NumPy expression).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from incentive_lab.core.types import BoolArray, FloatArray, IntArray

UNIQUE, TIED, CONSTANT = 0, 1, 2
"""``top_k_rows`` row status: the kernel's answer holds; ask the reference; a constant row."""


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
    last = k
    for s in range(rows):
        values[:] = -np.inf
        index[:] = -1
        first = score[s, 0]
        constant = first == first
        for j in range(n):
            v = score[s, j]
            if v != first:
                constant = False
            if not v > values[last]:
                continue
            p = last
            while p > 0 and values[p - 1] < v:
                values[p] = values[p - 1]
                index[p] = index[p - 1]
                p -= 1
            values[p] = v
            index[p] = j
        for r in range(k):
            out[s, r] = index[r]
            if not values[r] > values[r + 1]:
                status[s] = TIED
        if constant:
            status[s] = CONSTANT
    return out, status


@njit(cache=True, nogil=True)
def ucb_slot(
    mean: FloatArray,
    aw: FloatArray,
    group: IntArray,
    explore: BoolArray,
    uniform: FloatArray,
    taken: BoolArray,
    out: IntArray,
) -> None:  # pragma: no cover
    """Pick one slot per row into ``out[S]`` and mark it in ``taken[S, I]`` (module docstring).

    ``mean[S, I]``, ``aw[S, G]``, ``group[I]`` (context group of each item), ``explore[S]``
    and ``uniform[E, I]`` (the exploring rows' scores, in row order).
    """
    rows, n = mean.shape
    e = 0
    for s in range(rows):
        best = 0
        best_v = -np.inf
        for i in range(n):
            if taken[s, i]:
                v = -np.inf
            elif explore[s]:
                v = uniform[e, i]
            else:
                v = mean[s, i] + aw[s, group[i]]
            if i == 0:
                best_v = v
                if v != v:
                    break
            elif v != v:
                best = i
                break
            elif v > best_v:
                best = i
                best_v = v
        if explore[s]:
            e += 1
        out[s] = best
        taken[s, best] = True


@njit(cache=True, nogil=True)
def add_outer_at(
    a0: FloatArray, b0: FloatArray, agent: IntArray, x: FloatArray, reward: FloatArray
) -> None:  # pragma: no cover
    """``a0[agent[j]] += x_j x_jᵀ`` and ``b0[agent[j]] += r_j x_j`` for ``j`` in order."""
    n, d = x.shape
    for j in range(n):
        a = agent[j]
        for p in range(d):
            xp = x[j, p]
            for q in range(d):
                a0[a, p, q] += xp * x[j, q]
        for p in range(d):
            b0[a, p] += reward[j] * x[j, p]


@njit(cache=True, nogil=True)
def rank_one_downdate(
    inv: FloatArray, u: FloatArray, denom: FloatArray
) -> None:  # pragma: no cover
    """``inv[m] ← inv[m] − (u[m] u[m]ᵀ) / denom[m]`` in place, element by element."""
    m, d = u.shape
    for s in range(m):
        for p in range(d):
            up = u[s, p]
            for q in range(d):
                inv[s, p, q] = inv[s, p, q] - (up * u[s, q]) / denom[s]
