"""The Coin Game (``coins``): picking another player's coin helps you a little and hurts them more.

Rules (Lerer & Peysakhovich 2017, *Maintaining cooperation in complex social dilemmas using
deep RL*; Foerster et al. 2018, *Learning with Opponent-Learning Awareness*; their reference
code alshedivat/lola and JaxMARL's ``coin_game``)
    ``N = n_agents`` players (default 2, red and blue) on a torus (``preset`` ``classic``:
    3×3) with 5 actions: stay, up, down, left, right (``rules``: every agent faces north,
    so ``forward`` is up). Players may share a cell (``blocking: false``). A player stepping
    on a coin picks it: ``+coin_reward`` (1) to the picker and, if the coin is another
    player's colour, ``−coin_penalty`` (2) to that player — so grabbing every coin is
    individually tempting and collectively worse (``+1 − 2 < 0``). ``coins: single`` (LOLA):
    one coin at a time, reappearing at once in a uniformly random colour on a free cell;
    ``per_player`` (JaxMARL): every player's coin is always on the map. Coins never appear
    under a player.

Episodes: ``episode_length`` 50 (the LOLA reference code's ``max_steps``; JaxMARL: 10-step
inner episodes).

Observations
    ``[V, V, 3]`` planes ``own_coin, other_coin, agent`` (``_observe``) centred on the player,
    ``V = view_size`` (default: the map's side, so a player sees the whole torus, as
    JaxMARL's egocentric observation); each player sees its own colour as ``own``.

Metrics: per episode the social outcomes (``metrics``) and ``own_coin_rate`` (coins picked
that were the picker's colour — LOLA's "percentage of own coins").

Bots (``scripted``): ``own_colour`` walks to its own coin and never steps on another's;
``any_colour`` walks to the nearest coin.

Version history: ``coins`` — first version.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field, model_validator

from incentive_lab.core.registry import register
from incentive_lab.core.types import Actions, FloatArray, IntArray
from incentive_lab.games.gridworld import maps, rules
from incentive_lab.games.gridworld._coins import coins_step_parallel, coins_step_serial, view_cells
from incentive_lab.games.gridworld._observe import AGENT_F, OTHER_COIN_F, OWN_COIN_F
from incentive_lab.games.gridworld.base import GridworldGame
from incentive_lab.games.gridworld.metrics import own_coin_rate
from incentive_lab.games.gridworld.params import GridworldParams


class CoinsParams(GridworldParams):
    """Parameters of ``coins``."""

    n_agents: int = Field(2, ge=1, le=12)
    """Players per copy, each with its own colour (classic: 2, red and blue)."""
    preset: str = "classic"
    """Map: ``classic`` (3×3 torus) or ``small`` (5×5 torus)."""
    episode_length: int = Field(50, ge=1)
    """Steps per episode (LOLA reference code: 50)."""
    coins: Literal["single", "per_player"] = "single"
    """One coin at a time in a random colour (LOLA), or every player's coin always present."""
    coin_reward: float = 1.0
    """Reward for picking any coin."""
    coin_penalty: float = 2.0
    """Taken from a coin's owner when another player picks it."""
    blocking: bool = False
    """Whether a player may not enter a cell another player occupies (classic: may)."""

    @model_validator(mode="after")
    def _room(self) -> CoinsParams:
        spec = maps.PRESETS["coins"].get(self.preset)
        if spec is None:
            return self  # the game names the unknown preset
        cells = sum(row.count(" ") for row in spec.rows)
        need = self.n_agents + (self.n_agents if self.coins == "per_player" else 1)
        if need > cells:
            raise ValueError(
                f"{self.n_agents} players and their coins need {need} cells; map "
                f"{self.preset!r} has {cells}"
            )
        return self


@register(
    "game",
    "coins",
    params=CoinsParams,
    description="Coin Game: +1 for any coin, -2 to its owner if another picks it (LOLA)",
    stochastic=True,
)
class Coins(GridworldGame[CoinsParams]):
    """The Coin Game on ``n_copies`` copies (see the module docstring)."""

    kind = rules.COINS
    map_family = "coins"
    features = (OWN_COIN_F, OTHER_COIN_F, AGENT_F)
    bot_names = ("own_colour", "any_colour")
    n_actions = 5

    def __init__(self, params: CoinsParams) -> None:
        self.default_view = max(maps.load("coins", params.preset).shape) | 1
        super().__init__(params)

    def _rules_changed(self) -> None:
        super()._rules_changed()
        self._apples = np.ascontiguousarray(self._neighbours[:, 0])
        height, width = self.grid.shape
        self._cells = view_cells(height, width, self.view, self.grid.wrap)

    def _step_kernels(self, actions: Actions) -> tuple[FloatArray, np.ndarray]:
        """Snapshot, then one kernel for the rest (``_coins``: the generic kernels' results)."""
        s, b, totals = self.state, self._before, self.totals
        if not (s.items.flags.c_contiguous and s.count.flags.c_contiguous):
            return super()._step_kernels(actions)  # a hand-set state: the generic kernels
        copies = self.n_copies
        b.copy_from(s)
        rewards, out = np.empty(self.n_agents), self._new_obs()
        kernel = coins_step_parallel if self._threaded else coins_step_serial
        kernel(
            self._t, actions, self.grid.terrain, self.grid.spawn, self._apples, self._rivers,
            self._irules, self._frules, s.items.reshape(copies, -1),
            s.count.reshape(copies, -1), s.row, s.col, s.orient, s.timeout, s.seeds, rewards,
            self._stats, totals.returns, totals.time_sums, totals.reward_steps, totals.tagged,
            totals.cleans, totals.own_coins, totals.other_coins, totals.depleted_at,
            totals.waste_sum, self._out_words(out), self._cells, self._words,
        )  # fmt: skip
        self._t += 1
        return rewards, out

    def _rules(self) -> tuple[IntArray, FloatArray, IntArray, FloatArray]:
        p = self.params
        irules, frules = rules.empty_rules()
        irules[rules.BLOCKING] = int(p.blocking)
        irules[rules.SINGLE_COIN] = int(p.coins == "single")
        frules[rules.COIN_REWARD] = p.coin_reward
        frules[rules.COIN_PENALTY] = -p.coin_penalty
        return irules, frules, rules.NO_OFFSETS, rules.NO_PROBABILITIES

    def episode_metrics(self) -> dict[str, float]:
        """Social outcomes and the own-coin rate (omitted when no coin was picked)."""
        out = super().episode_metrics()
        rate = own_coin_rate(self.totals.own_coins, self.totals.other_coins)
        if rate is not None:
            out["own_coin_rate"] = rate
        return out

    def describe(self) -> str:
        """The rules in plain text."""
        p = self.params
        height, width = self.grid.shape
        coins = (
            "One coin is on the board at a time, in a random player's colour"
            if p.coins == "single"
            else "Every player's coin is always on the board"
        )
        return (
            f"Coin Game: {p.n_agents} players, each with a colour, on a {width}x{height} "
            f"torus for {p.episode_length} steps. Actions: stay, up, down, left, right. "
            f"Stepping on a coin picks it: +{p.coin_reward:g} to you, and -{p.coin_penalty:g} "
            f"to the coin's owner if it is another player's colour. {coins}; a picked coin "
            "reappears at once on a free cell."
        )
