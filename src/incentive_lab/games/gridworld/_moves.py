"""Numba phases of a step that move agents: geometry, time-outs and respawns, turns, moves.

All functions work on one copy: ``terrain: int8[H, W]``, ``count: int8[H, W]`` (agents on
each cell), ``row``/``col``/``orient``/``timeout``: ``int64[N]`` over the copy's players.
An agent with ``timeout > 0`` is removed from the map (not counted in ``count``).

Order of the phases (see ``_kernels.step_copy``): time-outs and respawns, then turns, then
moves in a random order; an agent removed at the start of the step does not act in it.

Moves (documented rule, simpler than the reference implementations' conflict resolution)
    Agents try their moves one after the other in a uniformly random order drawn for the step
    (``_rng.ORDER``). A move succeeds when the target is inside the map (or the map wraps),
    not a wall and — in blocking games — not occupied by another agent at that moment. So
    two agents heading for one free cell: one (at random) gets it; swaps never happen.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from incentive_lab.games.gridworld._rng import ORDER, RESPAWN, uniform
from incentive_lab.games.gridworld.maps import WALL
from incentive_lab.games.gridworld.rules import (
    DC,
    DR,
    MOVE_TURN,
    TAGGED,
    TURN_LEFT,
    TURN_RIGHT,
)


@njit(cache=True, inline="always")
def offset(
    r: int, c: int, o: int, ahead: int, lateral: int, height: int, width: int, wrap: bool
) -> tuple[bool, int, int]:
    """The cell ``ahead`` cells forward and ``lateral`` cells right of ``(r, c)`` facing ``o``.

    Returns ``(inside, row, col)``; on a torus every cell is inside.
    """
    right = (o + 1) % 4
    rr = r + ahead * DR[o] + lateral * DR[right]
    cc = c + ahead * DC[o] + lateral * DC[right]
    if wrap:
        return True, rr % height, cc % width
    return 0 <= rr < height and 0 <= cc < width, rr, cc


@njit(cache=True)
def respawn(
    i: int,
    seed: np.uint64,
    spawn: np.ndarray,
    count: np.ndarray,
    row: np.ndarray,
    col: np.ndarray,
    orient: np.ndarray,
    fixed_orientation: bool,
) -> bool:
    """Put player ``i`` on a uniformly random free spawn point; ``False`` if none is free."""
    free = 0
    for k in range(spawn.shape[0]):
        free += count[spawn[k, 0], spawn[k, 1]] == 0
    if free == 0:
        return False
    pick = int(uniform(seed, RESPAWN + 2 * i) * free)
    for k in range(spawn.shape[0]):
        if count[spawn[k, 0], spawn[k, 1]] == 0:
            if pick == 0:
                row[i], col[i] = spawn[k, 0], spawn[k, 1]
                count[row[i], col[i]] += 1
                if not fixed_orientation:
                    orient[i] = int(uniform(seed, RESPAWN + 2 * i + 1) * 4)
                return True
            pick -= 1
    return False


@njit(cache=True)
def timeouts(
    seed: np.uint64,
    spawn: np.ndarray,
    count: np.ndarray,
    row: np.ndarray,
    col: np.ndarray,
    orient: np.ndarray,
    timeout: np.ndarray,
    events: np.ndarray,
    acts: np.ndarray,
    fixed_orientation: bool,
) -> None:
    """Count down removed agents, respawn those whose time-out ends; fill ``acts[i]``.

    A removed agent's step counts as tagged (``events[i, TAGGED] = 1``) and it does not act;
    when its time-out reaches 0 it respawns (or waits another step if no spawn point is
    free) and acts from the next step on.
    """
    for i in range(row.shape[0]):
        acts[i] = timeout[i] == 0
        if timeout[i] > 0:
            events[i, TAGGED] = 1
            timeout[i] -= 1
            if timeout[i] == 0 and not respawn(
                i, seed, spawn, count, row, col, orient, fixed_orientation
            ):
                timeout[i] = 1


@njit(cache=True)
def turns(actions: np.ndarray, acts: np.ndarray, orient: np.ndarray) -> None:
    """Apply ``TURN_LEFT`` / ``TURN_RIGHT`` of acting agents."""
    for i in range(orient.shape[0]):
        if acts[i]:
            if actions[i] == TURN_LEFT:
                orient[i] = (orient[i] + 3) % 4
            elif actions[i] == TURN_RIGHT:
                orient[i] = (orient[i] + 1) % 4


@njit(cache=True)
def moves(
    seed: np.uint64,
    actions: np.ndarray,
    acts: np.ndarray,
    terrain: np.ndarray,
    count: np.ndarray,
    row: np.ndarray,
    col: np.ndarray,
    orient: np.ndarray,
    blocking: bool,
    wrap: bool,
    order: np.ndarray,
) -> None:
    """Move acting agents one by one in a random order (see the module docstring).

    ``order: int64[N]`` is scratch space for the order.
    """
    n = row.shape[0]
    height, width = terrain.shape
    for k in range(n):
        order[k] = k
    for k in range(n - 1, 0, -1):  # Fisher–Yates with the step's ORDER draws
        j = int(uniform(seed, ORDER + k) * (k + 1))
        order[k], order[j] = order[j], order[k]
    for k in range(n):
        i = order[k]
        turn = MOVE_TURN[actions[i]]
        if not acts[i] or turn < 0:
            continue
        inside, rr, cc = offset(row[i], col[i], (orient[i] + turn) % 4, 1, 0, height, width, wrap)
        if not inside or terrain[rr, cc] == WALL or (blocking and count[rr, cc] > 0):
            continue
        count[row[i], col[i]] -= 1
        count[rr, cc] += 1
        row[i], col[i] = rr, cc
