"""The shared vocabulary of the gridworld games: actions, directions, rule arrays.

Actions (Melting Pot's action set; the Coin Game uses the first five)
    ``0 STAY`` · ``1 FORWARD`` · ``2 BACKWARD`` · ``3 STEP_LEFT`` · ``4 STEP_RIGHT`` ·
    ``5 TURN_LEFT`` · ``6 TURN_RIGHT`` · ``7 ZAP`` (tagging / penalty beam) · ``8 CLEAN``
    (cleaning beam, Cleanup only). Moves are relative to the agent's orientation and do not
    turn it. In the Coin Game every agent always faces north, so its five actions are the
    classic stay / up / down / left / right of Lerer & Peysakhovich (2017).

Directions
    ``0 N``, ``1 E``, ``2 S``, ``3 W``; row offsets :data:`DR`, column offsets :data:`DC`
    (row 0 is the top of the map). The direction right of ``o`` is ``(o + 1) % 4``.

Rule arrays
    The kernels read a game's rules from two small arrays, ``irules: int64[IRULES]`` and
    ``frules: float64[FRULES]``, indexed by the constants below, so that one compiled step
    serves the three games (``KIND`` selects the game-specific phases).
"""

from __future__ import annotations

import numpy as np

STAY, FORWARD, BACKWARD, STEP_LEFT, STEP_RIGHT, TURN_LEFT, TURN_RIGHT, ZAP, CLEAN = range(9)
ACTION_NAMES = (
    "stay",
    "forward",
    "backward",
    "step_left",
    "step_right",
    "turn_left",
    "turn_right",
    "zap",
    "clean",
)

DR = np.array([-1, 0, 1, 0], dtype=np.int64)
"""Row offset of directions N, E, S, W."""
DC = np.array([0, 1, 0, -1], dtype=np.int64)
"""Column offset of directions N, E, S, W."""
MOVE_TURN = np.array([-1, 0, 2, 3, 1, -1, -1, -1, -1], dtype=np.int64)
"""For each action: the move direction relative to the orientation (``-1``: not a move)."""

COINS, HARVEST, CLEANUP = 0, 1, 2
"""Game kinds (``irules[KIND]``)."""

# -- irules: int64 ---------------------------------------------------------------------------
KIND = 0
BLOCKING = 1
"""1: an agent cannot enter a cell another agent occupies (Harvest, Cleanup)."""
WRAP = 2
"""1: the map is a torus."""
ZAP_LENGTH = 3
BEAM_RADIUS = 4
"""Beams are ``2·radius + 1`` cells wide."""
TAG_TIMEOUT = 5
"""Steps an agent hit by the zap beam is removed for (0: never removed)."""
CLEAN_LENGTH = 6
SINGLE_COIN = 7
"""Coin Game: 1 — one coin at a time whose colour is drawn anew (LOLA); 0 — one per player."""
IRULES = 8

# -- frules: float64 -------------------------------------------------------------------------
APPLE_REWARD = 0
COIN_REWARD = 1
COIN_PENALTY = 2
ZAP_PENALTY = 3
"""Reward added to an agent hit by a zap beam, per beam (e.g. −50)."""
ZAP_COST = 4
"""Reward added to the agent firing a zap beam (e.g. −1)."""
CLEAN_COST = 5
APPLE_PROBABILITY = 6
"""Cleanup: the apple spawn probability below the restoration threshold."""
DEPLETION = 7
RESTORATION = 8
WASTE_PROBABILITY = 9
FRULES = 10

# -- per-player events of one step (``events[i, ...]``) --------------------------------------
TAGGED = 0
"""The agent was removed (timed out) during this step."""
APPLES = 1
CLEANS = 2
"""The agent fired the cleaning beam."""
CLEANED = 3
"""Waste cells its beam cleaned."""
ZAPS = 4
HITS = 5
"""Zap beams that hit the agent."""
OWN_COINS = 6
OTHER_COINS = 7
EVENTS = 8


def empty_rules() -> tuple[np.ndarray, np.ndarray]:
    """Zeroed ``(irules, frules)`` arrays."""
    return np.zeros(IRULES, dtype=np.int64), np.zeros(FRULES, dtype=np.float64)


def disc_offsets(radius: float) -> np.ndarray:
    """``int64[m, 2]``: offsets ``(dr, dc) ≠ (0, 0)`` with ``dr² + dc² ≤ radius²``."""
    k = int(np.floor(radius))
    grid = np.arange(-k, k + 1)
    dr, dc = np.meshgrid(grid, grid, indexing="ij")
    keep = (dr**2 + dc**2 <= radius**2 + 1e-9) & ((dr != 0) | (dc != 0))
    return np.stack([dr[keep], dc[keep]], axis=1).astype(np.int64).reshape(-1, 2)


NO_OFFSETS = np.zeros((0, 2), dtype=np.int64)
NO_PROBABILITIES = np.zeros(1)
