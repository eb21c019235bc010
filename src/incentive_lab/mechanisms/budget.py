"""Budget balance: redistribute a mechanism's net payments inside each copy.

A payment mechanism (a tax, a subsidy) pays ``t_i`` to agent ``i`` (``t_i < 0``: it
collects). Its budget-balanced variant hands the copy's net balance back to the copy's
members in equal shares::

    t̃_i = t_i − (1/n_c) Σ_{j ∈ copy(i)} t_j

so that ``Σ_{j ∈ copy} t̃_j = 0`` for every copy: the designer neither spends nor earns,
money only moves between the members of a group (Clarke-style rebates in the simplest,
equal-share form). The redistribution includes the agent itself, which dilutes the
incentive: in a two-player copy an agent keeps only half of its own fine (the other half
comes back to it), so the tax needed for the same incentive doubles.
"""

from __future__ import annotations

from incentive_lab.core.types import FloatArray, IntArray
from incentive_lab.mechanisms.copies import copy_mean


def balance_within_copies(transfers: FloatArray, copies: IntArray) -> FloatArray:
    """``float64[n]``: ``transfers`` minus their copy mean (sums to zero within each copy)."""
    return transfers - copy_mean(transfers, copies)
