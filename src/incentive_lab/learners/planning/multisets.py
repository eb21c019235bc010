"""Multisets of local states: counting, ranking and enumerating them.

A multiset of ``k`` local states out of ``L`` (what SUB-SAMPLE-Q's table is indexed by, and
the "mean-field" count state of ``n`` agents) is a count vector ``c ∈ ℕ^L`` with
``Σ c = k``. There are ``C(k + L − 1, L − 1)`` of them (stars and bars).

Ranking (colex order of the combinatorial number system): sort the states
``s_0 ≤ … ≤ s_{k−1}``, set ``x_i = s_i + i`` (strictly increasing in ``0..k+L−2``) and
rank ``= Σ_i C(x_i, i + 1)``. This is a bijection onto ``0..C(k+L−1, k) − 1``, computed
for a whole batch with one sort and one table lookup. Shapes: ``B`` rows.
"""

from __future__ import annotations

from functools import lru_cache
from itertools import combinations_with_replacement
from math import comb

import numpy as np

from incentive_lab.core.types import IntArray


def n_multisets(k: int, n_states: int) -> int:
    """``C(k + L − 1, L − 1)``: multisets of size ``k`` from ``L = n_states`` states."""
    return comb(k + n_states - 1, n_states - 1)


@lru_cache(maxsize=32)
def _binomials(top: int, width: int) -> IntArray:
    """``table[x, j] = C(x, j)`` for ``0 <= x <= top``, ``0 <= j <= width``."""
    table = np.array([[comb(x, j) for j in range(width + 1)] for x in range(top + 1)])
    table = table.astype(np.int64)
    table.flags.writeable = False
    return table


def rank_states(states: IntArray, n_states: int) -> IntArray:
    """``int64[B]``: rank of the multiset of each row of ``states`` (``int64[B, k]``)."""
    states = np.asarray(states, dtype=np.int64)
    k = states.shape[1]
    x = np.sort(states, axis=1) + np.arange(k)
    table = _binomials(k + n_states - 1, k)
    ranks: IntArray = table[x, np.arange(1, k + 1)].sum(axis=1)
    return ranks


def sorted_from_counts(counts: IntArray) -> IntArray:
    """``int64[B, k]``: the sorted states of each count vector row (``int64[B, L]``)."""
    counts = np.asarray(counts, dtype=np.int64)
    k = int(counts[0].sum()) if counts.shape[0] else 0
    bounds = np.cumsum(counts, axis=1)[:, :-1]  # [B, L-1]
    positions = np.arange(k)
    result: IntArray = (positions[None, :, None] >= bounds[:, None, :]).sum(axis=2)
    return result.astype(np.int64, copy=False)


def rank_counts(counts: IntArray) -> IntArray:
    """``int64[B]``: rank of each count vector row (all rows share the same total ``k``)."""
    counts = np.asarray(counts, dtype=np.int64)
    return rank_states(sorted_from_counts(counts), counts.shape[1])


def enumerate_counts(k: int, n_states: int) -> IntArray:
    """``int64[M, L]``: every count vector of total ``k``, row ``r`` having rank ``r``."""
    if k == 0:
        return np.zeros((1, n_states), dtype=np.int64)
    combos = np.array(list(combinations_with_replacement(range(n_states), k)), dtype=np.int64)
    counts = np.zeros((combos.shape[0], n_states), dtype=np.int64)
    np.add.at(counts, (np.repeat(np.arange(combos.shape[0]), k), combos.ravel()), 1)
    out = np.empty_like(counts)
    out[rank_states(combos, n_states)] = counts
    return out


def hypergeometric(population: IntArray, sample: IntArray) -> np.ndarray:
    """``float64[P, S]``: P(drawing the sub-multiset ``sample[s]`` from ``population[p]``).

    ``k`` agents drawn uniformly without replacement from ``n`` whose states have counts
    ``population[p]`` (``[P, L]``, totals ``n``) have counts ``sample[s]`` (``[S, L]``,
    totals ``k``) with probability ``Π_l C(c_l, d_l) / C(n, k)`` (multivariate
    hypergeometric).
    """
    population = np.asarray(population, dtype=np.int64)
    sample = np.asarray(sample, dtype=np.int64)
    n, k = int(population[0].sum()), int(sample[0].sum())
    table = _binomials(n, n).astype(np.float64)
    ways = np.ones((population.shape[0], sample.shape[0]))
    for state in range(population.shape[1]):
        c, d = population[:, state][:, None], sample[:, state][None, :]
        ways *= np.where(d <= c, table[c, np.minimum(d, n)], 0.0)
    result: np.ndarray = ways / comb(n, k)
    return result
