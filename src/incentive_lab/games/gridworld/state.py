"""The episode state of many gridworld copies, and the per-episode accumulators.

Shapes (``C`` copies, ``N`` players per copy, map ``H × W``): ``items``, ``count``:
``int8[C, H, W]`` (item on each cell, agents on each cell); ``row``, ``col``, ``orient``,
``timeout``: ``int64[C, N]``; ``seeds``: ``uint64[C]`` (each copy's random stream).
:func:`initial_state` draws a fresh episode from an owned Generator.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
from numba import njit

from incentive_lab.games.gridworld._dynamics import place_coin
from incentive_lab.games.gridworld._rng import draw_seeds
from incentive_lab.games.gridworld.maps import GridMap


@dataclass
class GridState:
    """Arrays of the state of all copies (see the module docstring)."""

    items: np.ndarray
    count: np.ndarray
    row: np.ndarray
    col: np.ndarray
    orient: np.ndarray
    timeout: np.ndarray
    seeds: np.ndarray

    def copy(self) -> GridState:
        """A deep copy."""
        return GridState(**{f.name: getattr(self, f.name).copy() for f in fields(self)})

    def copy_from(self, other: GridState) -> None:
        """Overwrite these arrays with ``other``'s (same shapes), without allocating."""
        for f in fields(self):
            np.copyto(getattr(self, f.name), getattr(other, f.name))


def initial_state(
    grid: GridMap, copies: int, players: int, rng: np.random.Generator, coins: int
) -> GridState:
    """A fresh episode of ``copies`` copies.

    Players stand on distinct spawn points chosen uniformly; they face a uniformly random
    direction (north in the Coin Game). Items start as the map says. ``coins``: 0 — no
    coins; 1 — each player's coin on a uniformly random cell holding no agent and no other
    coin; 2 — one coin of a uniformly random player's colour (LOLA).
    """
    spawn = grid.spawn
    picks = rng.random((copies, spawn.shape[0])).argsort(axis=1)[:, :players]
    row = spawn[picks, 0].astype(np.int64)
    col = spawn[picks, 1].astype(np.int64)
    orient = np.zeros((copies, players), dtype=np.int64)
    if coins == 0:
        orient = rng.integers(0, 4, size=(copies, players), dtype=np.int64)
    height, width = grid.shape
    cells = (np.arange(copies)[:, None] * height + row) * width + col  # agents per cell
    count = np.bincount(cells.ravel(), minlength=copies * height * width).astype(np.int8)
    count = count.reshape(copies, height, width)
    items = np.repeat(grid.items[None], copies, axis=0)
    if coins:
        uniforms = rng.random((copies, players))
        colours = rng.integers(0, players, size=copies) if coins == 2 else np.empty(0, np.int64)
        _place_coins(uniforms, colours, grid.terrain, items, count)
    return GridState(
        items=items,
        count=count,
        row=row,
        col=col,
        orient=orient,
        timeout=np.zeros((copies, players), dtype=np.int64),
        seeds=draw_seeds(rng, copies),
    )


@njit(cache=True)
def _place_coins(
    uniforms: np.ndarray,
    colours: np.ndarray,
    terrain: np.ndarray,
    items: np.ndarray,
    count: np.ndarray,
) -> None:
    """The first coins of every copy (:func:`initial_state`), in one compiled loop.

    ``colours`` empty: each player's coin ``q`` on the cell drawn by ``uniforms[c, q]``;
    otherwise the single coin of colour ``colours[c]`` by ``uniforms[c, colours[c]]``.
    """
    copies, players = uniforms.shape
    for c in range(copies):
        if colours.shape[0] == 0:
            for q in range(players):
                place_coin(q, uniforms[c, q], terrain, items[c], count[c])
        else:
            q = colours[c]
            place_coin(q, uniforms[c, q % players], terrain, items[c], count[c])


@dataclass
class EpisodeTotals:
    """Per-episode sums over steps, ``[C, N]`` unless noted (see ``metrics``)."""

    returns: np.ndarray
    time_sums: np.ndarray
    reward_steps: np.ndarray
    tagged: np.ndarray
    cleans: np.ndarray
    own_coins: np.ndarray
    other_coins: np.ndarray
    depleted_at: np.ndarray
    """``int64[C]``: first step after which the copy had no apple (``0``: not yet)."""
    waste_sum: np.ndarray
    """``float64[C]``: waste density summed over steps."""

    @classmethod
    def zeros(cls, copies: int, players: int) -> EpisodeTotals:
        """Empty totals."""
        shape = (copies, players)
        return cls(
            returns=np.zeros(shape),
            time_sums=np.zeros(shape),
            reward_steps=np.zeros(shape, dtype=np.int64),
            tagged=np.zeros(shape, dtype=np.int64),
            cleans=np.zeros(shape, dtype=np.int64),
            own_coins=np.zeros(shape, dtype=np.int64),
            other_coins=np.zeros(shape, dtype=np.int64),
            depleted_at=np.zeros(copies, dtype=np.int64),
            waste_sum=np.zeros(copies),
        )
