"""Numba kernels of the ``bottleneck`` game: one day of a point queue, slot by slot.

A day of one instance is the vector ``counts[k]`` of commuters departing in slot ``k``
(start ``a_k = first + k·Δ``, width ``Δ``). Departures of a slot join the queue uniformly
spread over it (inflow rate ``λ_k = counts[k]/Δ``); the queue discharges at capacity ``s``.
With ``Q_k`` vehicles waiting when slot ``k`` opens, the queue ``τ`` hours into the slot is
``Q(τ) = max(0, Q_k + (λ_k − s)·τ)`` (monotone within a slot), and ``Q_{k+1} = Q(Δ)``.
A commuter joining at ``a_k + τ`` waits ``D(τ) = Q(τ)/s`` (first in, first out) and arrives
at ``A(τ) = a_k + τ + D(τ) + t_f``.

:func:`day` integrates ``D``, ``max(0, t* − A)`` and ``max(0, A − t*)`` over each slot
*exactly* (they are piecewise linear in ``τ``, with kinks where the queue empties and where
``A`` crosses ``t*``) and returns their slot means: a commuter of slot ``k`` is equally
likely to be anywhere in it, and its cost is the expectation. An empty slot gets the same
means with ``λ_k = 0`` — the cost of a lone commuter who would move there.

:func:`deviations` replays a day per distinct ``(copy, from, to)`` move with one commuter
moved: the counterfactuals of ``Game.deviation`` in ``O(T)`` each.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def positive_part(p: float, q: float, u: float, v: float) -> float:
    """``∫_u^v max(0, p + q·τ) dτ`` (exact; ``u ≤ v``)."""
    if v <= u:
        return 0.0
    fu = p + q * u
    fv = p + q * v
    if fu >= 0.0 and fv >= 0.0:
        return 0.5 * (fu + fv) * (v - u)
    if fu <= 0.0 and fv <= 0.0:
        return 0.0
    root = -p / q
    if fu > 0.0:
        return 0.5 * fu * (root - u)
    return 0.5 * fv * (v - root)


@njit(cache=True)
def _segment(
    out: np.ndarray, d0: float, d1: float, u: float, v: float, start: float, target: float
) -> None:
    """Add ``∫ D``, ``∫ early``, ``∫ late`` over ``[u, v]`` with ``D(τ) = d0 + d1·τ``.

    ``start`` is the slot start plus the free-flow time; ``target`` is ``t*``. Arrival
    ``A(τ) = start + d0 + (1 + d1)·τ``.
    """
    if v <= u:
        return
    out[0] += d0 * (v - u) + 0.5 * d1 * (v * v - u * u)
    a0 = start + d0
    a1 = 1.0 + d1
    out[1] += positive_part(target - a0, -a1, u, v)
    out[2] += positive_part(a0 - target, a1, u, v)


@njit(cache=True)
def slot_means(
    queue: float,
    n: float,
    start: float,
    width: float,
    capacity: float,
    target: float,
    free_flow: float,
) -> tuple[float, float, float, float]:
    """``(mean delay, mean early, mean late, queue at the slot's end)`` of one slot (hours).

    ``queue``: vehicles waiting when the slot opens; ``n``: departures in the slot.
    """
    rate = n / width
    acc = np.zeros(3)
    shifted = start + free_flow
    slope = (rate - capacity) / capacity
    if rate < capacity and queue > 0.0:
        empty = queue / (capacity - rate)
        cut = min(empty, width)
        _segment(acc, queue / capacity, slope, 0.0, cut, shifted, target)
        _segment(acc, 0.0, 0.0, cut, width, shifted, target)
    elif queue <= 0.0 and rate <= capacity:
        _segment(acc, 0.0, 0.0, 0.0, width, shifted, target)
    else:
        _segment(acc, queue / capacity, slope, 0.0, width, shifted, target)
    end = max(0.0, queue + (rate - capacity) * width)
    return acc[0] / width, acc[1] / width, acc[2] / width, end


@njit(cache=True)
def day_row(
    counts: np.ndarray,
    first: float,
    width: float,
    capacity: float,
    target: float,
    free_flow: float,
    means: np.ndarray,
    queues: np.ndarray,
) -> None:
    """One instance's day: ``means[k] = (delay, early, late)``, ``queues[k]`` at slot end."""
    queue = 0.0
    for k in range(counts.shape[0]):
        delay, early, late, queue = slot_means(
            queue, counts[k], first + k * width, width, capacity, target, free_flow
        )
        means[k, 0] = delay
        means[k, 1] = early
        means[k, 2] = late
        queues[k] = queue


@njit(cache=True)
def day(
    counts: np.ndarray,
    first: float,
    width: float,
    capacity: float,
    target: float,
    free_flow: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Every instance's day: ``means[C, T, 3]`` (delay, early, late) and ``queues[C, T]``."""
    n_copies, n_slots = counts.shape
    means = np.zeros((n_copies, n_slots, 3))
    queues = np.zeros((n_copies, n_slots))
    for c in range(n_copies):
        day_row(counts[c], first, width, capacity, target, free_flow, means[c], queues[c])
    return means, queues


@njit(cache=True)
def deviations(
    counts: np.ndarray,
    moves: np.ndarray,
    first: float,
    width: float,
    capacity: float,
    target: float,
    free_flow: float,
    weights: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Per move ``(copy, from, to)``: the mover's cost and its copy's total cost.

    ``weights = (α, β, γ)``; cost of a slot ``= α·(delay + t_f) + β·early + γ·late``.
    """
    n_slots = counts.shape[1]
    own = np.zeros(moves.shape[0])
    total = np.zeros(moves.shape[0])
    row = np.zeros(n_slots)
    means = np.zeros((n_slots, 3))
    queues = np.zeros(n_slots)
    for m in range(moves.shape[0]):
        c, f, g = moves[m, 0], moves[m, 1], moves[m, 2]
        row[:] = counts[c]
        row[f] -= 1.0
        row[g] += 1.0
        day_row(row, first, width, capacity, target, free_flow, means, queues)
        acc = 0.0
        for k in range(n_slots):
            cost = (
                weights[0] * (means[k, 0] + free_flow)
                + weights[1] * means[k, 1]
                + weights[2] * means[k, 2]
            )
            acc += row[k] * cost
            if k == g:
                own[m] = cost
        total[m] = acc
    return own, total
