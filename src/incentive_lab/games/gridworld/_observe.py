"""Egocentric views in Numba: every agent's ``V × V`` window as binary feature planes.

Row ``i·C + c`` of ``out: [N·C, V, V, K]`` (any dtype, zero-filled by the caller) is player
``i`` of copy ``c``. The window is centred on the agent and rotated so that the agent faces
up: view cell ``(a, b)`` is the map cell ``h − a`` ahead and ``b − h`` to the right of the
agent (``h = V // 2``). Outside a non-wrapping map reads as wall.

Features (``chan[f]`` is the plane of feature ``f`` or ``-1`` when a game does not show it):
``WALL``, ``APPLE``, ``WASTE``, ``RIVER`` (river and stream), ``AGENT`` (another agent on
the cell), ``REMOVED`` (the whole window is 1 while the agent is tagged out; every other
plane is then 0), ``OWN_COIN`` / ``OTHER_COIN`` (a coin of the agent's colour / another
player's colour, so both players of the Coin Game see the game from their own side).
"""

from __future__ import annotations

import numpy as np
from numba import prange

from incentive_lab.games.gridworld._kernels import compiled
from incentive_lab.games.gridworld.maps import APPLE, COIN, NONE, RIVER, STREAM, WALL, WASTE
from incentive_lab.games.gridworld.rules import DC, DR

WALL_F, APPLE_F, WASTE_F, RIVER_F, AGENT_F, REMOVED_F, OWN_COIN_F, OTHER_COIN_F = range(8)
FEATURES = ("wall", "apple", "waste", "river", "agent", "removed", "own_coin", "other_coin")


def _observe_impl(
    out: np.ndarray,
    terrain: np.ndarray,
    items: np.ndarray,
    count: np.ndarray,
    row: np.ndarray,
    col: np.ndarray,
    orient: np.ndarray,
    timeout: np.ndarray,
    wrap: bool,
    chan: np.ndarray,
) -> None:
    copies, players = row.shape
    height, width = terrain.shape
    size = out.shape[1]
    half = size // 2
    wall_f, river_f, apple_f, waste_f = chan[WALL_F], chan[RIVER_F], chan[APPLE_F], chan[WASTE_F]
    agent_f, removed_f = chan[AGENT_F], chan[REMOVED_F]
    own_f, other_f = chan[OWN_COIN_F], chan[OTHER_COIN_F]
    for j in prange(players * copies):
        i, c = j // copies, j % copies
        view = out[j]
        if timeout[c, i] > 0:
            if removed_f >= 0:
                view[:, :, removed_f] = 1
            continue
        grid, agents = items[c], count[c]
        r0, c0, o = row[c, i], col[c, i], orient[c, i]
        fr, fc = DR[o], DC[o]
        rr, rc = DR[(o + 1) % 4], DC[(o + 1) % 4]
        for a in range(size):
            ahead = half - a
            r = r0 + ahead * fr - half * rr
            cc = c0 + ahead * fc - half * rc
            for b in range(size):
                if b > 0:
                    r += rr
                    cc += rc
                if wrap:
                    y, x = r % height, cc % width
                elif r < 0 or r >= height or cc < 0 or cc >= width:
                    if wall_f >= 0:
                        view[a, b, wall_f] = 1
                    continue
                else:
                    y, x = r, cc
                ground = terrain[y, x]
                if ground == WALL:
                    if wall_f >= 0:
                        view[a, b, wall_f] = 1
                    continue
                if river_f >= 0 and (ground == RIVER or ground == STREAM):
                    view[a, b, river_f] = 1
                item = grid[y, x]
                if item != NONE:
                    if item == APPLE:
                        if apple_f >= 0:
                            view[a, b, apple_f] = 1
                    elif item == WASTE:
                        if waste_f >= 0:
                            view[a, b, waste_f] = 1
                    elif item - COIN == i:
                        if own_f >= 0:
                            view[a, b, own_f] = 1
                    elif other_f >= 0:
                        view[a, b, other_f] = 1
                n_here = agents[y, x]
                if n_here > 0 and agent_f >= 0 and (n_here > 1 or y != r0 or x != c0):
                    view[a, b, agent_f] = 1


observe_serial = compiled(_observe_impl, "observe_serial")
observe_parallel = compiled(_observe_impl, "observe_parallel", parallel=True)
