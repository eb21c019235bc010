"""The centralised state of each gridworld copy: the whole map as binary planes (MAPPO).

A centralised critic (MAPPO, Yu et al. 2022, *The surprising effectiveness of PPO in
cooperative multi-agent games*, §4: the critic sees the global state, the actors only their
own observation) needs what no single egocentric view holds: the whole board of a copy.
SocialJax's MAPPO baselines feed the critic the full world observation of the sequential
social dilemmas; here it is the map as ``float32[C, H, W, K]`` feature planes, the same
binary encoding as the egocentric views (``_observe``) but unrotated and uncropped, with
players told apart:

==================  ============================================================  =========
planes              what is 1                                                     games
==================  ============================================================  =========
``wall``            wall cells                                                    harvest,
                                                                                  cleanup
``apple``           cells holding an apple                                        harvest,
                                                                                  cleanup
``waste``           river cells holding waste                                     cleanup
``river``           river and stream cells                                        cleanup
``coin_q``          the cell of player ``q``'s coin, one plane per player         coins
``player_q``        the cell of player ``q`` unless it is tagged out, one plane   all
                    per player
``facing_d``        number of agents facing ``d`` (N, E, S, W) on the cell        harvest,
                                                                                  cleanup
==================  ============================================================  =========

Planes follow the game's ``features`` order, then players, then orientations (the Coin
Game's agents always face north, so it has no orientation planes). The published maps are
at most 38×16 cells (``maps``), small enough for the critic's CNN at full resolution, so the
state is never downsampled. MAPPO appends the one-hot player index itself (agent-specific
global state, Yu et al. §4), so the state is the same for every player of a copy.
"""

from __future__ import annotations

import numpy as np

from incentive_lab.games.gridworld._observe import (
    APPLE_F,
    OTHER_COIN_F,
    OWN_COIN_F,
    RIVER_F,
    WALL_F,
    WASTE_F,
)
from incentive_lab.games.gridworld.maps import APPLE, COIN, RIVER, STREAM, WALL, WASTE, GridMap
from incentive_lab.games.gridworld.state import GridState

DIRECTIONS = ("n", "e", "s", "w")


def plane_names(features: tuple[int, ...], players: int, turning: bool) -> tuple[str, ...]:
    """The names of the planes of :func:`global_planes`, in order (module docstring)."""
    names: list[str] = []
    for feature in features:
        if feature == WALL_F:
            names.append("wall")
        elif feature == APPLE_F:
            names.append("apple")
        elif feature == WASTE_F:
            names.append("waste")
        elif feature == RIVER_F:
            names.append("river")
        elif feature == OWN_COIN_F:
            names.extend(f"coin_{q}" for q in range(players))
    names.extend(f"player_{q}" for q in range(players))
    if turning:
        names.extend(f"facing_{d}" for d in DIRECTIONS)
    return tuple(names)


def global_planes(
    grid: GridMap, state: GridState, features: tuple[int, ...], turning: bool
) -> np.ndarray:
    """``float32[C, H, W, K]``: every copy of ``state`` as the planes of :func:`plane_names`."""
    copies, players = state.row.shape
    height, width = grid.shape
    depth = len(plane_names(features, players, turning))
    out = np.zeros((copies, height, width, depth), dtype=np.float32)
    items, k = state.items, 0
    for feature in features:
        if feature == WALL_F:
            out[..., k] = grid.terrain == WALL
        elif feature == APPLE_F:
            out[..., k] = items == APPLE
        elif feature == WASTE_F:
            out[..., k] = items == WASTE
        elif feature == RIVER_F:
            out[..., k] = (grid.terrain == RIVER) | (grid.terrain == STREAM)
        elif feature == OWN_COIN_F:
            for q in range(players):
                out[..., k + q] = items == COIN + q
            k += players - 1
        elif feature == OTHER_COIN_F:
            continue  # the coin planes above already tell every player's coin apart
        else:  # agent / removed: players are drawn below
            continue
        k += 1
    copy, player = np.nonzero(state.timeout == 0)
    rows, cols = state.row[copy, player], state.col[copy, player]
    out[copy, rows, cols, k + player] = 1.0
    if turning:
        np.add.at(out, (copy, rows, cols, k + players + state.orient[copy, player]), 1.0)
    return out
