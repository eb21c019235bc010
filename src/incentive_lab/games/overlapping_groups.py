"""Numba kernels for the payoffs of overlapping-group public goods games.

The payoff rule is :class:`incentive_lab.core.population.OverlappingGroups` (Szabó–Hauert:
every agent centres one group ``{g} ∪ N(g)``; an agent's payoff sums over the ``k_i + 1``
groups it belongs to). On CSR neighbour arrays ``indptr: int64[n+1]``,
``indices: int64[nnz]`` of an undirected graph the total payoff is two neighbourhood sums::

    n_c = S(cooperating)            S(v)_i = v_i + Σ_{j ∈ N(i)} v_j
    σ   = S(n_c / G)                G_g = k_g + 1
    π_i = c·(r_c·σ_i − G_i)  (cooperator)      π_i = c·r_d·σ_i  (defector)

Each sum is one pass over the CSR arrays, so a round costs O(n·G) with sequential memory
access on a lattice. The kernels are compiled on first use (``cache=True`` keeps the
machine code between processes); :meth:`OverlappingGroups.payoffs` is the NumPy reference
they are tested against.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from incentive_lab.core.types import Actions, FloatArray, IntArray


@njit(cache=True)
def _payoffs(
    cooperating: np.ndarray,
    indptr: np.ndarray,
    indices: np.ndarray,
    r_c: float,
    r_d: float,
    cost: float,
) -> np.ndarray:
    n = indptr.shape[0] - 1
    share = np.empty(n)  # n_c(g) / G_g
    for g in range(n):
        count = cooperating[g]
        for p in range(indptr[g], indptr[g + 1]):
            count += cooperating[indices[p]]
        share[g] = count / (indptr[g + 1] - indptr[g] + 1)
    out = np.empty(n)
    for i in range(n):
        sigma = share[i]
        for p in range(indptr[i], indptr[i + 1]):
            sigma += share[indices[p]]
        if cooperating[i]:
            out[i] = cost * (r_c * sigma - (indptr[i + 1] - indptr[i] + 1))
        else:
            out[i] = cost * r_d * sigma
    return out


def group_payoffs(
    actions: Actions,
    indptr: IntArray,
    indices: IntArray,
    r_c: float,
    r_d: float,
    cost: float,
    cooperative_action: int = 0,
) -> FloatArray:
    """``float64[n]``: each agent's payoff summed over the groups it belongs to."""
    cooperating = (np.asarray(actions) == cooperative_action).astype(np.int8)
    result: FloatArray = _payoffs(cooperating, indptr, indices, r_c, r_d, cost)
    return result


@njit(cache=True)
def _lattice_payoffs(
    cooperating: np.ndarray,
    side: int,
    drow: np.ndarray,
    dcol: np.ndarray,
    r_c: float,
    r_d: float,
    cost: float,
) -> np.ndarray:
    k = drow.shape[0]
    rows = np.empty((k, side), dtype=np.int64)  # wrapped row / column of each offset
    cols = np.empty((k, side), dtype=np.int64)
    for j in range(k):
        for a in range(side):
            rows[j, a] = (a + drow[j]) % side
            cols[j, a] = (a + dcol[j]) % side
    field = cooperating.reshape(side, side)
    counts = np.empty((side, side), dtype=np.int8)
    for row in range(side):
        for col in range(side):
            count = field[row, col]
            for j in range(k):
                count += field[rows[j, row], cols[j, col]]
            counts[row, col] = count
    out = np.empty((side, side))
    scale = 1.0 / (k + 1.0)
    for row in range(side):
        for col in range(side):
            total = np.int64(counts[row, col])
            for j in range(k):
                total += counts[rows[j, row], cols[j, col]]
            sigma = total * scale
            if field[row, col]:
                out[row, col] = cost * (r_c * sigma - (k + 1))
            else:
                out[row, col] = cost * r_d * sigma
    return out.reshape(side * side)


LATTICE_OFFSETS = {
    "von_neumann": (np.array([0, 1, 0, -1]), np.array([1, 0, -1, 0])),
    "moore": (np.array([0, 1, 0, -1, 1, 1, -1, -1]), np.array([1, 0, -1, 0, 1, -1, 1, -1])),
}
"""``(drow, dcol)`` of each neighbourhood (the order of ``Topology.lattice``)."""


def lattice_payoffs(
    actions: Actions,
    side: int,
    neighbourhood: str,
    r_c: float,
    r_d: float,
    cost: float,
    cooperative_action: int = 0,
) -> FloatArray:
    """``float64[n]``: :func:`group_payoffs` on the ``side × side`` periodic lattice."""
    drow, dcol = LATTICE_OFFSETS[neighbourhood]
    cooperating = (np.asarray(actions) == cooperative_action).astype(np.int8)
    result: FloatArray = _lattice_payoffs(cooperating, side, drow, dcol, r_c, r_d, cost)
    return result
