"""Numba kernels for the payoffs of overlapping-group public goods games.

The payoff rule is :class:`incentive_lab.core.population.OverlappingGroups` (Szabó–Hauert:
every agent centres one group ``{g} ∪ N(g)``; an agent's payoff sums over the ``k_i + 1``
groups it belongs to). On CSR neighbour arrays ``indptr: int64[n+1]``,
``indices: int64[nnz]`` of an undirected graph the total payoff is two neighbourhood sums::

    n_c = S(cooperating)            S(v)_i = v_i + Σ_{j ∈ N(i)} v_j
    σ   = S(n_c / G)                G_g = k_g + 1
    π_i = c·(r_c·σ_i − G_i)  (cooperator)      π_i = c·r_d·σ_i  (defector)

Each sum is one pass over the CSR arrays, so a round costs O(n·G) with sequential memory
access on a lattice. On the ``L × L`` periodic lattice the same two sums run row by row on
``int8`` cooperator flags (a neighbour row shifted by −1, 0 or +1 column: loops LLVM
vectorises, no index arrays), with rows on Numba threads from :data:`PARALLEL_FROM`
sites (each row writes only itself: results do not depend on the threads);
:func:`cooperation_field` validates, flags and counts a joint action in one pass. The
kernels are compiled on first use (``cache=True`` keeps the machine code between
processes); :meth:`OverlappingGroups.payoffs` is the NumPy reference they are tested
against.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any

import numpy as np
from numba import njit, prange

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


@njit(cache=True)
def _scan(actions: np.ndarray, cooperative: int, n_actions: int) -> tuple[np.ndarray, int, bool]:
    field = np.empty(actions.shape[0], dtype=np.int8)
    cooperators = 0
    valid = True
    for i in range(actions.shape[0]):
        a = actions[i]
        valid &= 0 <= a < n_actions
        c = 1 if a == cooperative else 0
        field[i] = c
        cooperators += c
    return field, cooperators, valid


def cooperation_field(
    actions: Actions, cooperative: int, n_actions: int
) -> tuple[np.ndarray, int, bool]:
    """One pass over integer ``actions``: ``(int8 cooperator flags, cooperators, all valid)``.

    *Valid* means every action lies in ``0 .. n_actions − 1``.
    """
    field, cooperators, valid = _scan(actions, cooperative, n_actions)
    return field, int(cooperators), bool(valid)


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
    cooperating = (np.asarray(actions) == cooperative_action).view(np.int8)
    result: FloatArray = _payoffs(cooperating, indptr, indices, r_c, r_d, cost)
    return result


def _compiled(func: Callable[..., Any], name: str, **options: Any) -> Any:
    """``njit(cache=True, **options)`` of a copy of ``func`` named ``name``.

    Numba's disk cache is keyed by qualified name and line, not by options: a serial and a
    ``parallel=True`` dispatcher of one function would load each other's machine code.
    """
    clone = types.FunctionType(
        func.__code__, func.__globals__, name, func.__defaults__, func.__closure__
    )
    clone.__qualname__, clone.__module__ = name, func.__module__
    return njit(cache=True, **options)(clone)


def _add_shifted(acc: np.ndarray, source: np.ndarray, shift: int) -> None:
    """``acc[c] += source[(c + shift) mod side]`` for ``shift`` in ``{-1, 0, 1}``."""
    side = acc.shape[0]
    if shift == 0:
        for c in range(side):
            acc[c] += source[c]
    elif shift == 1:
        for c in range(side - 1):
            acc[c] += source[c + 1]
        acc[side - 1] += source[0]
    else:
        acc[0] += source[side - 1]
        for c in range(1, side):
            acc[c] += source[c - 1]


def _lattice_payoffs_impl(
    field: np.ndarray,
    drow: np.ndarray,
    dcol: np.ndarray,
    r_c: float,
    r_d: float,
    cost: float,
) -> np.ndarray:
    side = field.shape[0]
    k = drow.shape[0]
    counts = np.empty((side, side), dtype=np.int8)  # n_c of the group centred on each site
    for row in prange(side):
        acc = counts[row]
        acc[:] = field[row]
        for j in range(k):
            add_shifted(acc, field[(row + drow[j]) % side], dcol[j])
    out = np.empty((side, side))
    scale = 1.0 / (k + 1.0)
    for row in prange(side):
        total = counts[row].astype(np.int16)  # Σ_{g ∋ x} n_c(g) <= G² fits int16
        for j in range(k):
            add_shifted(total, counts[(row + drow[j]) % side], dcol[j])
        cooperator = field[row]
        target = out[row]
        for col in range(side):
            sigma = total[col] * scale
            if cooperator[col]:
                target[col] = cost * (r_c * sigma - (k + 1))
            else:
                target[col] = cost * r_d * sigma
    return out.reshape(side * side)


add_shifted = njit(cache=True, inline="always")(_add_shifted)
_lattice_payoffs_serial = _compiled(_lattice_payoffs_impl, "_lattice_payoffs_serial")
_lattice_payoffs_parallel = _compiled(
    _lattice_payoffs_impl, "_lattice_payoffs_parallel", parallel=True
)
PARALLEL_FROM = 1 << 16
"""Lattices of at least this many sites use the multithreaded payoff kernel."""


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
    field = (np.asarray(actions) == cooperative_action).view(np.int8)
    return lattice_field_payoffs(field, side, neighbourhood, r_c, r_d, cost)


def lattice_field_payoffs(
    field: np.ndarray, side: int, neighbourhood: str, r_c: float, r_d: float, cost: float
) -> FloatArray:
    """:func:`lattice_payoffs` from the ``int8`` cooperator flags (1 = cooperates)."""
    drow, dcol = LATTICE_OFFSETS[neighbourhood]
    kernel = _lattice_payoffs_parallel if side * side >= PARALLEL_FROM else _lattice_payoffs_serial
    result: FloatArray = kernel(field.reshape(side, side), drow, dcol, r_c, r_d, cost)
    return result
