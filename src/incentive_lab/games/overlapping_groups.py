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
