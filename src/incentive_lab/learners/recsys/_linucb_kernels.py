"""Numba kernels of ``recsys_linucb`` (same answers as its NumPy reference).

The family's top-``k`` kernel is shared with the ``oracle`` strategy: ``core.top_k``.

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
