"""Nash equilibria of normal-form games, and of games reshaped by a stateless mechanism.

Layout
    A game is a payoff tensor ``float64[(A,)*N + (N,)]``: ``tensor[a_1, …, a_N, k]`` is the
    payoff of player ``k`` at the joint action ``(a_1, …, a_N)`` — the layout of
    ``games.matrix``'s ``payoff_tensor``. This module receives arrays and never builds games.
    A mixed profile is ``float64[N, A]`` (row ``i`` is player ``i``'s distribution).

Pure equilibria (``pure_nash_equilibria``, any ``N``)
    Joint actions where every player's payoff is within ``tol`` of its best unilateral
    deviation; returned as ``int64[k, N]`` in lexicographic order.

Mixed equilibria of two-player games (``support_enumeration``; Nisan et al. 2007, *Algorithmic
Game Theory* §3.3; the same algorithm as nashpy's ``support_enumeration``)
    For every pair of supports ``I`` (row) and ``J`` (column) of equal size ``k``, solve the
    indifference conditions ``A[I, J] y_J = v·1, Σ y_J = 1`` and ``x_Iᵀ B[I, J] = u·1ᵀ,
    Σ x_I = 1`` (all supports of one size in one batched ``numpy.linalg.solve``), and keep the
    solutions with ``x, y ≥ 0`` and no profitable deviation outside the support
    (``A y ≤ v``, ``xᵀB ≤ u``, up to ``tol`` scaled by the largest payoff). In a
    *non-degenerate* game (e.g. continuous random payoffs, almost surely) this finds every
    equilibrium, each exactly once. *Degenerate games*: every pure equilibrium is still
    found (``k = 1`` systems are never singular); singular indifference systems are skipped,
    so equilibria whose supports differ in size and continua of equilibria are found only
    through those of their points that solve an equal-size non-singular system, possibly not
    at all. Duplicates (within ``1e-9``) are dropped; order is by support size, then
    lexicographic supports.

Mechanisms (``reshaped_tensor``)
    A stateless mechanism turns the stage game into another normal-form game: apply its
    reward shaping to every joint action. The equilibria of learners under the mechanism are
    then the equilibria of the reshaped tensor, so learners, dynamics and analysis share one
    definition of the shaped game.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np

from incentive_lab.core.errors import ConfigError
from incentive_lab.core.types import FloatArray, IntArray

Shaping = Callable[[IntArray, FloatArray], FloatArray]
"""``shaping(actions: int64[N], rewards: float64[N]) -> float64[N]`` on one joint action."""


def check_tensor(tensor: FloatArray, field: str = "tensor") -> FloatArray:
    """Validate a payoff tensor of shape ``(A,)*N + (N,)`` (finite float64)."""
    array = np.asarray(tensor, dtype=np.float64)
    shape = array.shape
    n_players = shape[-1] if shape else 0
    if array.ndim < 2 or array.ndim != n_players + 1 or len(set(shape[:-1])) != 1:
        raise ConfigError(field, shape, "a payoff tensor of shape (A,)*N + (N,)")
    if not np.all(np.isfinite(array)):
        raise ConfigError(field, "non-finite payoffs", "finite numbers")
    return array


def pure_nash_equilibria(tensor: FloatArray, tol: float = 1e-12) -> IntArray:
    """Pure Nash equilibria ``int64[k, N]`` of an N-player tensor, lexicographic order."""
    tensor = check_tensor(tensor)
    stable = np.ones(tensor.shape[:-1], dtype=bool)
    for k in range(tensor.shape[-1]):
        own = tensor[..., k]
        stable &= own >= own.max(axis=k, keepdims=True) - tol
    return np.argwhere(stable).astype(np.int64)


def _indifference(payoffs: FloatArray) -> tuple[FloatArray, FloatArray, IntArray]:
    """Solve ``payoffs[p] z = w·1, Σz = 1`` for stacked ``float64[P, k, k]``.

    Returns ``z float64[P', k]``, ``w float64[P']`` and the indices ``int64[P']`` of the
    non-singular systems.
    """
    n_pairs, k, _ = payoffs.shape
    system = np.zeros((n_pairs, k + 1, k + 1))
    system[:, :k, :k] = payoffs
    system[:, :k, k] = -1.0
    system[:, k, :k] = 1.0
    solvable = np.nonzero(np.linalg.cond(system) < 1e12)[0].astype(np.int64)
    rhs = np.zeros((solvable.size, k + 1, 1))
    rhs[:, k, 0] = 1.0
    solution = np.linalg.solve(system[solvable], rhs)[..., 0]
    return solution[:, :k], solution[:, k], solvable


def _seen(found: list[tuple[FloatArray, FloatArray]], x: FloatArray, y: FloatArray) -> bool:
    return any(np.allclose(x, fx, atol=1e-9) and np.allclose(y, fy, atol=1e-9) for fx, fy in found)


def support_enumeration(
    row_payoffs: FloatArray, col_payoffs: FloatArray, tol: float = 1e-10
) -> list[tuple[FloatArray, FloatArray]]:
    """Nash equilibria ``(x float64[m], y float64[n])`` of the bimatrix game ``(A, B)``.

    ``row_payoffs[i, j]`` and ``col_payoffs[i, j]`` are the payoffs of the row and column
    player at ``(i, j)``. See the module docstring for degenerate games.
    """
    a = np.asarray(row_payoffs, dtype=np.float64)
    b = np.asarray(col_payoffs, dtype=np.float64)
    if a.ndim != 2 or a.shape != b.shape or not np.all(np.isfinite(a) & np.isfinite(b)):
        raise ConfigError("col_payoffs", b.shape, f"finite payoffs of the same shape {a.shape}")
    m, n = a.shape
    slack = tol * max(1.0, float(np.abs(a).max()), float(np.abs(b).max()))
    found: list[tuple[FloatArray, FloatArray]] = []
    for k in range(1, min(m, n) + 1):
        rows_i = np.array(list(itertools.combinations(range(m), k)), dtype=np.int64)
        cols_j = np.array(list(itertools.combinations(range(n), k)), dtype=np.int64)
        rows = np.repeat(rows_i, len(cols_j), axis=0)  # [P, k]
        cols = np.tile(cols_j, (len(rows_i), 1))  # [P, k]
        block_a = a[rows[:, :, None], cols[:, None, :]]
        block_b = b[rows[:, :, None], cols[:, None, :]]
        y_j, v, ok_y = _indifference(block_a)
        x_i, u, ok_x = _indifference(block_b.transpose(0, 2, 1))
        both, at_y, at_x = np.intersect1d(ok_y, ok_x, return_indices=True)
        y = np.zeros((both.size, n))
        x = np.zeros((both.size, m))
        y[np.arange(both.size)[:, None], cols[both]] = y_j[at_y]
        x[np.arange(both.size)[:, None], rows[both]] = x_i[at_x]
        keep = (
            (y >= -slack).all(axis=1)
            & (x >= -slack).all(axis=1)
            & ((y @ a.T) <= v[at_y, None] + slack).all(axis=1)
            & ((x @ b) <= u[at_x, None] + slack).all(axis=1)
        )
        for xs, ys in zip(x[keep], y[keep], strict=True):
            xs, ys = np.clip(xs, 0.0, None), np.clip(ys, 0.0, None)
            xs, ys = xs / xs.sum(), ys / ys.sum()
            if not _seen(found, xs, ys):
                found.append((xs, ys))
    return found


def two_player_equilibria(tensor: FloatArray, tol: float = 1e-10) -> FloatArray:
    """Equilibria of a 2-player tensor ``(A, A, 2)`` as profiles ``float64[k, 2, A]``."""
    tensor = check_tensor(tensor)
    if tensor.shape[-1] != 2:
        raise ConfigError("tensor", tensor.shape, "a two-player tensor of shape (A, A, 2)")
    pairs = support_enumeration(tensor[..., 0], tensor[..., 1], tol)
    return np.array([np.stack(pair) for pair in pairs]).reshape(-1, 2, tensor.shape[0])


def reshaped_tensor(tensor: FloatArray, shaping: Shaping) -> FloatArray:
    """The tensor whose entry at every joint action ``a`` is ``shaping(a, tensor[a])``.

    ``shaping`` maps ``(actions int64[N], rewards float64[N])`` to the shaped
    ``float64[N]``, e.g. ``lambda a, r: mechanism.adjust(game, a, r, {}).shaped_rewards`` on
    a one-copy game built by the caller.
    """
    tensor = check_tensor(tensor)
    n_players = tensor.shape[-1]
    shaped = np.empty_like(tensor)
    for joint in np.ndindex(tensor.shape[:-1]):
        actions = np.array(joint, dtype=np.int64)
        value = np.asarray(shaping(actions, tensor[joint].copy()), dtype=np.float64)
        if value.shape != (n_players,):
            raise ConfigError(
                "shaping", value.shape, f"float64[{n_players}] for every joint action"
            )
        shaped[joint] = value
    return shaped
