"""Copy-wise array operations shared by the mechanisms.

Games run many independent *copies* at once (``game.copies[i]`` is the copy of agent ``i``,
an ``int64[n]`` array of labels that need not be contiguous or sorted, and that a game may
re-draw every step). Every mechanism that looks at "the others in my group" reduces over
copies; these functions do it vectorised with ``np.bincount`` and one stable sort, never with
a per-agent Python loop. All inputs and outputs are arrays over agents (``[n]``).
"""

from __future__ import annotations

import numpy as np

from incentive_lab.core.types import FloatArray, IntArray


def copy_sizes(copies: IntArray) -> IntArray:
    """``int64[n]``: the number of agents in each agent's copy (``n_c`` of agent ``i``)."""
    counts = np.bincount(copies)
    return counts[copies].astype(np.int64)


def copy_sum(values: FloatArray, copies: IntArray) -> FloatArray:
    """``float64[n]``: the total of ``values`` over each agent's copy (itself included)."""
    totals = np.bincount(copies, weights=values)
    return totals[copies].astype(np.float64)


def copy_mean(values: FloatArray, copies: IntArray) -> FloatArray:
    """``float64[n]``: the mean of ``values`` over each agent's copy (itself included)."""
    return copy_sum(values, copies) / copy_sizes(copies)


def others_mean(values: FloatArray, copies: IntArray) -> FloatArray:
    """``float64[n]``: the mean of ``values`` over the *other* members of each agent's copy.

    An agent alone in its copy has no others; its entry is ``0``.
    """
    others = copy_sizes(copies) - 1
    total = copy_sum(values, copies) - values
    return np.divide(total, others, out=np.zeros_like(total), where=others > 0)


def sort_within_copies(values: FloatArray, copies: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    """Order agents by copy, then by value: ``(order, starts, stops)``.

    ``order``: ``int64[n]`` permutation such that ``values[order]`` is ascending inside each
    copy and copies are contiguous. ``starts`` / ``stops``: ``int64[n]``, for each *sorted
    position* the sorted positions where its copy begins and ends (exclusive).
    """
    order = np.lexsort((values, copies)).astype(np.int64)
    sorted_copies = copies[order]
    n = order.shape[0]
    boundary = np.ones(n, dtype=bool)
    boundary[1:] = sorted_copies[1:] != sorted_copies[:-1]
    first = np.flatnonzero(boundary)
    last = np.append(first[1:], n)
    sizes = last - first
    starts = np.repeat(first, sizes).astype(np.int64)
    stops = np.repeat(last, sizes).astype(np.int64)
    return order, starts, stops
