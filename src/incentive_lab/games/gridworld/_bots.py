"""Numba kernels of the scripted bots: distance fields and one decision per agent.

Navigation
    A breadth-first search from a set of target cells gives every cell its walking distance
    to the nearest target (``-1``: unreachable; walls and ``blocked`` cells are not entered).
    An agent steps to a neighbour closer to a target, choosing uniformly among the closer
    neighbours that no other agent occupies; if every closer neighbour is occupied it takes a
    random free step half of the time (to break jams) and waits otherwise. Steps are strafes
    relative to the agent's orientation (``FORWARD``, ``STEP_RIGHT``, ``BACKWARD``,
    ``STEP_LEFT``), so walking never needs a turn.

Bots (``policy`` codes, 0 = the cooperator, 1 = the defector)
    * Coins — ``own_colour``: walks to its own coin, never stepping on another player's coin
      (they are obstacles); ``any_colour``: walks to the nearest coin of any colour.
    * Harvest — ``sustainable``: walks only to apples with at least ``threshold`` other
      apples within the regrowth neighbourhood, so it never eats the last apples of a patch
      (their cell would then regrow slowly or never); waits when none qualifies.
      ``greedy``: walks to the nearest apple.
    * Cleanup — ``cleaner``: once the waste density exceeds ``threshold`` it cleans until the
      density is down to ``stop`` (hysteresis, remembered per agent in ``mode``; without it
      every cleaner would commute between river and orchard at each crossing of one
      threshold and harvest nothing): it fires the cleaning beam when that would remove
      waste, else turns towards a side where it would, else walks towards the nearest waste.
      Otherwise it harvests like the ``harvester``, which walks to the nearest apple, or
      into the orchard when there is none.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from incentive_lab.games.gridworld._beams import beam_hits_waste
from incentive_lab.games.gridworld._dynamics import waste_density
from incentive_lab.games.gridworld._moves import offset
from incentive_lab.games.gridworld._rng import uniform
from incentive_lab.games.gridworld.maps import APPLE, COIN, WALL, WASTE
from incentive_lab.games.gridworld.rules import (
    BACKWARD,
    BEAM_RADIUS,
    BLOCKING,
    CLEAN,
    CLEAN_LENGTH,
    CLEANUP,
    COINS,
    FORWARD,
    HARVEST,
    KIND,
    STAY,
    STEP_LEFT,
    STEP_RIGHT,
    TURN_LEFT,
    TURN_RIGHT,
    WRAP,
)

RELATIVE = np.array([FORWARD, STEP_RIGHT, BACKWARD, STEP_LEFT], dtype=np.int64)
"""The strafe towards absolute direction ``d`` when facing ``o``: ``RELATIVE[(d − o) % 4]``."""
ARRIVED = -2


@njit(cache=True)
def distances(
    dist: np.ndarray, sources: np.ndarray, terrain: np.ndarray, blocked: np.ndarray, wrap: bool
) -> None:
    """Multi-source BFS into ``dist: int32[H, W]`` from the cells where ``sources`` is true."""
    height, width = terrain.shape
    dist[:, :] = -1
    queue = np.empty(height * width, dtype=np.int64)
    head = tail = 0
    for r in range(height):
        for c in range(width):
            if sources[r, c]:
                dist[r, c] = 0
                queue[tail] = r * width + c
                tail += 1
    while head < tail:
        r, c = divmod(queue[head], width)
        head += 1
        for d in range(4):
            inside, rr, cc = offset(r, c, d, 1, 0, height, width, wrap)
            if not inside or terrain[rr, cc] == WALL or blocked[rr, cc] or dist[rr, cc] >= 0:
                continue
            dist[rr, cc] = dist[r, c] + 1
            queue[tail] = rr * width + cc
            tail += 1


@njit(cache=True)
def step_toward(
    dist: np.ndarray,
    r: int,
    c: int,
    o: int,
    terrain: np.ndarray,
    count: np.ndarray,
    blocking: bool,
    wrap: bool,
    u: float,
    v: float,
) -> int:
    """The strafe bringing ``(r, c)`` closer to a target (module docstring).

    ``ARRIVED`` on a target, ``STAY`` when no target is reachable or the way is jammed.
    """
    here = dist[r, c]
    if here < 0:
        return STAY
    if here == 0:
        return ARRIVED
    height, width = terrain.shape
    closer = np.empty(4, dtype=np.int64)
    free = np.empty(4, dtype=np.int64)
    n_closer = n_free = 0
    jammed = False
    for d in range(4):
        inside, rr, cc = offset(r, c, d, 1, 0, height, width, wrap)
        if not inside or terrain[rr, cc] == WALL:
            continue
        occupied = blocking and count[rr, cc] > 0
        if not occupied:
            free[n_free] = d
            n_free += 1
        if 0 <= dist[rr, cc] < here:
            if occupied:
                jammed = True
            else:
                closer[n_closer] = d
                n_closer += 1
    if n_closer > 0:
        return RELATIVE[(closer[int(u * n_closer)] - o) % 4]
    if jammed and n_free > 0 and v < 0.5:
        return RELATIVE[(free[int(2.0 * v * n_free)] - o) % 4]
    return STAY


@njit(cache=True)
def random_step(
    r: int, c: int, o: int, terrain: np.ndarray, count: np.ndarray, wrap: bool, u: float
) -> int:
    """A uniformly random strafe to a free neighbour (``STAY`` if there is none)."""
    height, width = terrain.shape
    free = np.empty(4, dtype=np.int64)
    n_free = 0
    for d in range(4):
        inside, rr, cc = offset(r, c, d, 1, 0, height, width, wrap)
        if inside and terrain[rr, cc] != WALL and count[rr, cc] == 0:
            free[n_free] = d
            n_free += 1
    if n_free == 0:
        return STAY
    return RELATIVE[(free[int(u * n_free)] - o) % 4]


@njit(cache=True)
def eligible_apples(
    items: np.ndarray, apple_cells: np.ndarray, offsets: np.ndarray, threshold: int, wrap: bool
) -> np.ndarray:
    """``bool[H, W]``: apples with at least ``threshold`` other apples in ``offsets``."""
    height, width = items.shape
    out = np.zeros((height, width), dtype=np.bool_)
    for k in range(apple_cells.shape[0]):
        r, c = apple_cells[k, 0], apple_cells[k, 1]
        if items[r, c] != APPLE:
            continue
        near = 0
        for m in range(offsets.shape[0]):
            rr, cc = r + offsets[m, 0], c + offsets[m, 1]
            if wrap:
                rr, cc = rr % height, cc % width
            elif rr < 0 or rr >= height or cc < 0 or cc >= width:
                continue
            near += items[rr, cc] == APPLE
        out[r, c] = near >= threshold
    return out


@njit(cache=True)
def _cleaner(
    r: int, c: int, o: int, terrain: np.ndarray, items: np.ndarray, count: np.ndarray,
    waste_dist: np.ndarray, irules: np.ndarray, u: float, v: float,
) -> int:  # fmt: skip
    wrap = irules[WRAP] == 1
    radius, length = irules[BEAM_RADIUS], irules[CLEAN_LENGTH]
    if beam_hits_waste(r, c, o, terrain, items, radius, length, wrap) > 0:
        return CLEAN
    if beam_hits_waste(r, c, (o + 1) % 4, terrain, items, radius, length, wrap) > 0:
        return TURN_RIGHT
    if beam_hits_waste(r, c, (o + 3) % 4, terrain, items, radius, length, wrap) > 0:
        return TURN_LEFT
    if beam_hits_waste(r, c, (o + 2) % 4, terrain, items, radius, length, wrap) > 0:
        return TURN_RIGHT
    action = step_toward(waste_dist, r, c, o, terrain, count, irules[BLOCKING] == 1, wrap, u, v)
    return random_step(r, c, o, terrain, count, wrap, u) if action == ARRIVED else action


@njit(cache=True)
def bot_actions(
    policy: int,
    rows: np.ndarray,
    threshold: float,
    stop: float,
    mode: np.ndarray,
    seed: np.uint64,
    terrain: np.ndarray,
    items: np.ndarray,
    count: np.ndarray,
    row: np.ndarray,
    col: np.ndarray,
    orient: np.ndarray,
    timeout: np.ndarray,
    apple_cells: np.ndarray,
    river_cells: np.ndarray,
    orchard_dist: np.ndarray,
    offsets: np.ndarray,
    irules: np.ndarray,
) -> np.ndarray:
    """``int64[len(rows)]``: bot ``policy`` (0 cooperator, 1 defector) for global ``rows``.

    ``mode: bool[n]`` (global rows) is the cleaners' memory: true while cleaning.
    """
    copies, players = row.shape
    height, width = terrain.shape
    kind, wrap, blocking = irules[KIND], irules[WRAP] == 1, irules[BLOCKING] == 1
    needed = np.zeros(copies, dtype=np.bool_)
    for k in range(rows.shape[0]):
        needed[rows[k] % copies] = True
    fields = players if kind == COINS and policy == 0 else 1
    dist = np.full((copies, fields, height, width), -1, dtype=np.int32)
    waste_dist = np.full((copies, height, width), -1, dtype=np.int32)
    density = np.zeros(copies)
    none = np.zeros((height, width), dtype=np.bool_)
    for c in range(copies):
        if not needed[c]:
            continue
        grid = items[c]
        if kind == COINS:
            for q in range(fields):
                own = grid == COIN + q if policy == 0 else grid >= COIN
                others = (grid >= COIN) & ~own if policy == 0 else none
                distances(dist[c, q], own, terrain, others, wrap)
        elif kind == HARVEST and policy == 0:
            targets = eligible_apples(grid, apple_cells, offsets, int(threshold), wrap)
            distances(dist[c, 0], targets, terrain, none, wrap)
        else:
            distances(dist[c, 0], grid == APPLE, terrain, none, wrap)
        if kind == CLEANUP and policy == 0:
            density[c] = waste_density(grid, river_cells)
            if density[c] > stop:
                distances(waste_dist[c], grid == WASTE, terrain, none, wrap)
    out = np.empty(rows.shape[0], dtype=np.int64)
    for k in range(rows.shape[0]):
        i, c = rows[k] // copies, rows[k] % copies
        u, v = uniform(seed, 2 * k), uniform(seed, 2 * k + 1)
        r, cc, o = row[c, i], col[c, i], orient[c, i]
        if timeout[c, i] > 0:
            out[k] = STAY
            continue
        if kind == CLEANUP and policy == 0:
            if density[c] > threshold:
                mode[rows[k]] = True
            elif density[c] <= stop:
                mode[rows[k]] = False
            if mode[rows[k]]:
                out[k] = _cleaner(
                    r, cc, o, terrain, items[c], count[c], waste_dist[c], irules, u, v
                )
                continue
        field = dist[c, i] if kind == COINS and policy == 0 else dist[c, 0]
        action = step_toward(field, r, cc, o, terrain, count[c], blocking, wrap, u, v)
        if kind == CLEANUP and field[r, cc] < 0:  # no apple: wait in the orchard
            action = step_toward(orchard_dist, r, cc, o, terrain, count[c], blocking, wrap, u, v)
        out[k] = STAY if action == ARRIVED else action
    return out
