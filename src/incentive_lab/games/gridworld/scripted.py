"""The gridworld games' bots as a ``core.scripted.ScriptedPolicy`` (capability ``scripted_policy``).

Each game names its cooperative and its defecting bot (Coins ``own_colour`` / ``any_colour``,
Harvest ``sustainable`` / ``greedy``, Cleanup ``cleaner`` / ``harvester``; the behaviours are
documented in ``_bots``); ``cooperator`` and ``defector`` are accepted as aliases. A bot reads
the game's current state — the same state the agents' observations were drawn from — and
draws its random tie-breaks from the generator it is given.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from incentive_lab.core.errors import ConfigError
from incentive_lab.core.scripted import COOPERATOR, DEFECTOR
from incentive_lab.core.types import Actions, IntArray
from incentive_lab.games.gridworld._bots import bot_actions, distances
from incentive_lab.games.gridworld.maps import ORCHARD, GridMap


def orchard_distances(grid: GridMap) -> np.ndarray:
    """``int32[H, W]``: walking distance to the nearest orchard cell (``-1``: none)."""
    dist = np.empty(grid.shape, dtype=np.int32)
    blocked = np.zeros(grid.shape, dtype=np.bool_)
    distances(dist, grid.terrain == ORCHARD, grid.terrain, blocked, grid.wrap)
    return dist


class GridworldBots:
    """The cooperative (code 0) and defecting (code 1) bot of one gridworld game.

    ``game`` is the ``base.GridworldGame`` whose state the bots read (not imported here:
    the base class builds its bots).
    """

    def __init__(self, game: Any, cooperator: str, defector: str) -> None:
        self.game = game
        self._names = (cooperator, defector)
        self._orchard = orchard_distances(game.grid)
        self.mode = np.zeros(game.n_agents, dtype=np.bool_)
        """Per agent (global row): whether a ``cleaner`` is in its cleaning phase."""

    @property
    def policies(self) -> tuple[str, ...]:
        """``("cooperator", "defector", <cooperator's name>, <defector's name>)``."""
        return (COOPERATOR, DEFECTOR, *self._names)

    @property
    def cooperator(self) -> str:
        """The cooperative bot's name."""
        return self._names[0]

    @property
    def defector(self) -> str:
        """The defecting bot's name."""
        return self._names[1]

    def code(self, policy: str) -> int:
        """0 for the cooperator, 1 for the defector; a ``ConfigError`` for another name."""
        if policy in (COOPERATOR, self._names[0]):
            return 0
        if policy in (DEFECTOR, self._names[1]):
            return 1
        raise ConfigError("learner.params.policy", policy, f"allowed: {', '.join(self.policies)}")

    def actions(self, policy: str, rows: IntArray, rng: np.random.Generator) -> Actions:
        """``int64[len(rows)]``: what bot ``policy`` plays now for the agents ``rows``."""
        code = self.code(policy)
        game = self.game
        rows = np.ascontiguousarray(rows, dtype=np.int64)
        if rows.size and (rows.min() < 0 or rows.max() >= game.n_agents):
            raise ConfigError(
                "rows", [int(rows.min()), int(rows.max())], "agent indices of the game"
            )
        seed = np.uint64(rng.integers(0, np.iinfo(np.int64).max))
        s, g = game.state, game.grid
        threshold, stop = game.bot_thresholds
        out: Actions = bot_actions(
            code, rows, threshold, stop, self.mode, seed, g.terrain, s.items, s.count, s.row,
            s.col, s.orient, s.timeout, g.apple_cells, g.river_cells, self._orchard,
            game.neighbourhood, game.rule_arrays[0],
        )  # fmt: skip
        return out
