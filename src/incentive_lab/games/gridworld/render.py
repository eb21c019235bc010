"""Pictures of a gridworld copy: ``render_rgb`` draws one copy's state as an RGB array.

Each map cell becomes a ``scale × scale`` block: floor (sand), walls (grey), orchard
(grass), river and stream (blue), waste (brown), apples (red dot on grass, as Melting Pot),
coins (a dot in their owner's colour) and agents (a square in the player's colour with a
dark bar on the side it faces). Tagged-out agents are not drawn. Player colours cycle
through :data:`PLAYER_COLOURS` (player 0 red, 1 blue — the Coin Game's red and blue).
"""

from __future__ import annotations

import numpy as np

from incentive_lab.games.gridworld.maps import (
    APPLE,
    COIN,
    FLOOR,
    ORCHARD,
    RIVER,
    STREAM,
    WALL,
    WASTE,
    GridMap,
)
from incentive_lab.games.gridworld.state import GridState

TERRAIN_COLOURS = {
    FLOOR: (222, 221, 189),
    WALL: (95, 95, 95),
    RIVER: (66, 173, 212),
    STREAM: (66, 173, 212),
    ORCHARD: (164, 189, 75),
}
WASTE_COLOUR = (113, 75, 24)
APPLE_COLOUR = (212, 80, 57)
PLAYER_COLOURS = (
    (214, 39, 40),
    (31, 119, 180),
    (44, 160, 44),
    (255, 127, 14),
    (148, 103, 189),
    (23, 190, 207),
    (227, 119, 194),
    (188, 189, 34),
)


def player_colour(i: int) -> tuple[int, int, int]:
    """The colour of player ``i``."""
    return PLAYER_COLOURS[i % len(PLAYER_COLOURS)]


def render_rgb(grid: GridMap, state: GridState, copy: int, scale: int = 8) -> np.ndarray:
    """``uint8[H·scale, W·scale, 3]``: copy ``copy`` of ``state`` on ``grid``."""
    if scale < 3:
        raise ValueError("scale must be at least 3 pixels per cell")
    height, width = grid.shape
    cells = np.zeros((height, width, 3), dtype=np.uint8)
    for code, colour in TERRAIN_COLOURS.items():
        cells[grid.terrain == code] = colour
    items = state.items[copy]
    cells[items == WASTE] = WASTE_COLOUR
    image = np.repeat(np.repeat(cells, scale, axis=0), scale, axis=1)
    inner = slice(scale // 4, scale - scale // 4)

    def block(r: int, c: int) -> np.ndarray:
        return image[r * scale : (r + 1) * scale, c * scale : (c + 1) * scale]

    for r, c in np.argwhere(items == APPLE):
        block(r, c)[inner, inner] = APPLE_COLOUR
    for r, c in np.argwhere(items >= COIN):
        block(r, c)[inner, inner] = player_colour(int(items[r, c]) - COIN)
    bar = max(1, scale // 5)
    for i in range(state.row.shape[1]):
        if state.timeout[copy, i] > 0:
            continue
        cell = block(int(state.row[copy, i]), int(state.col[copy, i]))
        cell[1:-1, 1:-1] = player_colour(i)
        dark = tuple(v // 3 for v in player_colour(i))
        side = (
            (slice(1, 1 + bar), slice(1, -1)),
            (slice(1, -1), slice(-1 - bar, -1)),
            (slice(-1 - bar, -1), slice(1, -1)),
            (slice(1, -1), slice(1, 1 + bar)),
        )[int(state.orient[copy, i])]
        cell[side] = dark
    return image
