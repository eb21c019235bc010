"""Numba kernels of Fermi imitation on a graph (used by :mod:`.fermi_imitation`).

All randomness is drawn *outside* the kernels from the learner's own ``numpy`` Generator
and passed in as arrays, so runs are reproducible and seeded. One uniform ``u`` serves two
purposes in an elementary update: the role model is neighbour ``j = ⌊u·k_x⌋`` of ``x``
and the acceptance test is ``frac(u·k_x) < W`` (given ``j``, the fractional part is again
uniform on ``[0, 1)``, up to the 53-bit resolution of ``u``).

Random sequential (one Monte Carlo step = ``len(picks)`` elementary updates)
    For ``x = picks[t]`` and its role model ``y``: if they differ in strategy, both
    *current* payoffs are evaluated (strategies change during the step) and ``x`` adopts
    ``y``'s strategy with ``W = 1/(1 + exp((π_x − π_y)/K))``. Payoffs follow
    ``core.population.OverlappingGroups``: the kernel keeps the cooperator count ``n_c(g)``
    of every group, so ``π_x = c·(r_c·σ_x − G_x)`` or ``c·r_d·σ_x`` with
    ``σ_x = Σ_{g ∋ x} n_c(g)/G_g`` costs ``O(G)``, and an adoption updates the ``k_x + 1``
    counts of ``x``'s groups: the whole step is ``O(N·G)``.

Synchronous
    Every member compares itself with one random neighbour on the payoffs of the round
    just played and adopts that neighbour's strategy (as played) with probability ``W``.

Abandon the worse (``repel`` > 0; ``repel = 0`` is the rule above, outcome for outcome)
    If ``x`` and its role model ``y`` hold the *same* strategy and ``y`` earns less, ``x``
    moves away from it with ``A = min(1, repel·tanh(max(π_x − π_y, 0)/(2K)))``
    (the same uniform: ``frac(u·k_x) < A``) to another strategy, uniform among the other
    ``n_actions − 1`` (:func:`other_action`, drawn from what is left of that uniform:
    ``frac(u·k_x)/A`` is again uniform on ``[0, 1)``). With two strategies: the other one.

One kernel per update rule: :func:`random_sequential_step` and :func:`synchronous_step` take
``repel`` and ``n_actions`` and serve plain imitation (``repel = 0``) and the abandon rule
alike (until 2026-12 a plain copy of each delegated to a ``*_repel_step`` twin; merged with
every outcome and the golden traces unchanged, and no measurable change in speed). The
lattice kernels (:mod:`._kernels_fermi_lattice`) are the plain rule's fast path on periodic
lattices; ``repel > 0`` runs here on every graph.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit


@njit(cache=True)
def differs(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether two arrays differ in shape or in any entry (stops at the first difference)."""
    if a.shape != b.shape:
        return True
    for i in range(a.shape[0]):
        if a[i] != b[i]:
            return True
    return False


@njit(cache=True)
def group_counts(
    strategies: np.ndarray, indptr: np.ndarray, indices: np.ndarray, cooperative: int
) -> np.ndarray:
    """``int32[n]``: cooperators in the group ``{g} ∪ N(g)`` centred on each agent ``g``."""
    n = indptr.shape[0] - 1
    counts = np.empty(n, dtype=np.int32)
    for g in range(n):
        count = 1 if strategies[g] == cooperative else 0
        for p in range(indptr[g], indptr[g + 1]):
            if strategies[indices[p]] == cooperative:
                count += 1
        counts[g] = count
    return counts


@njit(cache=True)
def local_payoff(
    x: int,
    strategies: np.ndarray,
    counts: np.ndarray,
    inverse_size: np.ndarray,
    indptr: np.ndarray,
    indices: np.ndarray,
    r_c: float,
    r_d: float,
    cost: float,
    cooperative: int,
) -> float:
    """Current total payoff of agent ``x`` over the groups it belongs to."""
    sigma = counts[x] * inverse_size[x]
    for p in range(indptr[x], indptr[x + 1]):
        g = indices[p]
        sigma += counts[g] * inverse_size[g]
    if strategies[x] == cooperative:
        return cost * (r_c * sigma - (indptr[x + 1] - indptr[x] + 1))
    return cost * r_d * sigma


@njit(cache=True, inline="always")
def other_action(own: int, v: float, n_actions: int) -> int:
    """A strategy other than ``own``, uniform among the ``n_actions − 1`` others (``v`` < 1)."""
    pick = int(v * (n_actions - 1))
    return pick + (1 if pick >= own else 0)


@njit(cache=True, inline="always")
def away_probability(px: float, py: float, inverse_k: float, repel: float) -> float:
    """``min(1, repel·tanh((π_x − π_y)/(2K)))`` if ``π_y < π_x``, else 0."""
    if py >= px:
        return 0.0
    return min(1.0, repel * math.tanh(0.5 * (px - py) * inverse_k))


@njit(cache=True)
def random_sequential_step(
    strategies: np.ndarray,
    counts: np.ndarray,
    inverse_size: np.ndarray,
    indptr: np.ndarray,
    indices: np.ndarray,
    r_c: float,
    r_d: float,
    cost: float,
    cooperative: int,
    inverse_k: float,
    repel: float,
    n_actions: int,
    picks: np.ndarray,
    uniforms: np.ndarray,
) -> int:
    """Run ``len(picks)`` elementary updates in place; return the number of strategy changes.

    ``strategies`` (population, in place), ``counts`` (from :func:`group_counts`, kept up
    to date in place), ``inverse_size`` (``1/G_g``), ``inverse_k = 1/K``, ``repel``
    (abandon-the-worse intensity; 0: plain Fermi imitation, whose same-strategy pairs are
    skipped before any payoff is evaluated), ``n_actions`` (strategies a move away chooses
    among), ``picks`` (agents to update, ``int64``), ``uniforms`` (``float64`` in
    ``[0, 1)``). Changes are adoptions and moves away.
    """
    adopted = 0
    for t in range(picks.shape[0]):
        x = picks[t]
        start = indptr[x]
        degree = indptr[x + 1] - start
        if degree == 0:
            continue
        u = uniforms[t] * degree
        j = int(u)
        y = indices[start + j]
        sx = strategies[x]
        sy = strategies[y]
        if sx == sy and repel <= 0.0:
            continue
        px = local_payoff(
            x, strategies, counts, inverse_size, indptr, indices, r_c, r_d, cost, cooperative
        )
        py = local_payoff(
            y, strategies, counts, inverse_size, indptr, indices, r_c, r_d, cost, cooperative
        )
        f = u - j * 1.0
        if sx != sy:
            if f >= 1.0 / (1.0 + math.exp((px - py) * inverse_k)):
                continue
            new = sy
        else:
            a = away_probability(px, py, inverse_k, repel)
            if f >= a:
                continue
            new = other_action(sy, f / a, n_actions)
        strategies[x] = new
        adopted += 1
        change = (1 if new == cooperative else 0) - (1 if sx == cooperative else 0)
        if change != 0:
            counts[x] += change
            for p in range(start, start + degree):
                counts[indices[p]] += change
    return adopted


@njit(cache=True)
def synchronous_step(
    strategies: np.ndarray,
    payoffs: np.ndarray,
    members: np.ndarray,
    indptr: np.ndarray,
    indices: np.ndarray,
    inverse_k: float,
    repel: float,
    n_actions: int,
    uniforms: np.ndarray,
) -> np.ndarray:
    """New strategies of ``members`` after one synchronous Fermi comparison each.

    ``strategies`` / ``payoffs``: the population's strategies and payoffs of the round just
    played (read only); ``repel`` / ``n_actions`` as in :func:`random_sequential_step`;
    ``uniforms``: one ``float64`` in ``[0, 1)`` per member. Members without neighbours keep
    their strategy.
    """
    out = np.empty(members.shape[0], dtype=strategies.dtype)
    for t in range(members.shape[0]):
        x = members[t]
        out[t] = strategies[x]
        start = indptr[x]
        degree = indptr[x + 1] - start
        if degree == 0:
            continue
        u = uniforms[t] * degree
        j = int(u)
        y = indices[start + j]
        f = u - j * 1.0
        if strategies[y] != out[t]:
            w = 1.0 / (1.0 + math.exp((payoffs[x] - payoffs[y]) * inverse_k))
            if f < w:
                out[t] = strategies[y]
        elif repel > 0.0:
            a = away_probability(payoffs[x], payoffs[y], inverse_k, repel)
            if f < a:
                out[t] = other_action(strategies[y], f / a, n_actions)
    return out
