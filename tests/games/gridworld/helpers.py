"""Arrange a gridworld copy by hand: players, orientations and items on chosen cells."""

from __future__ import annotations

import numpy as np

from incentive_lab.core import make_game
from incentive_lab.core.seeding import make_rng
from incentive_lab.games.gridworld.maps import NONE
from incentive_lab.games.gridworld.rules import STAY

N, E, S, W = range(4)


def game(game_id: str, **params):
    """A fresh game reset with seed 0."""
    g = make_game(game_id, params)
    g.reset(make_rng(0))
    return g


def arrange(g, copy: int, players, items=None, clear: bool = True) -> None:
    """Put player ``i`` at ``players[i] = (row, col, orientation)`` in ``copy``.

    ``items``: ``{(row, col): code}`` placed after clearing every item (``clear``) of the copy.
    """
    s = g.state
    if clear:
        s.items[copy] = NONE
    for (r, c), code in (items or {}).items():
        s.items[copy, r, c] = code
    for i, (r, c, o) in enumerate(players):
        s.row[copy, i], s.col[copy, i], s.orient[copy, i] = r, c, o
        s.timeout[copy, i] = 0
    s.count[copy] = 0
    np.add.at(s.count[copy], (s.row[copy], s.col[copy]), 1)


def actions(g, per_player, copy: int = 0, default: int = STAY) -> np.ndarray:
    """Joint action: ``per_player[i]`` for player ``i`` of ``copy``, ``default`` elsewhere."""
    out = np.full(g.n_agents, default, dtype=np.int64)
    for i, a in enumerate(per_player):
        out[i * g.n_copies + copy] = a
    return out


def row(g, player: int, copy: int = 0) -> int:
    """The game row of ``player`` in ``copy``."""
    return player * g.n_copies + copy
