"""The shared logic of the gridworld games: many copies, one Numba step, egocentric views.

A :class:`GridworldGame` holds ``n_copies`` independent copies of an ``N``-player gridworld.
Its agents are rows, player-major: row ``i·C + c`` is player ``i`` of copy ``c``
(``copies[row] = row % C``), so ``agents: "0:{k·C}"`` of a config drives players
``0..k−1`` of every copy (a Schelling profile). All copies advance in lock-step: every
``episode_length`` steps the step reports ``truncated`` and the loop calls ``reset`` — only
the game restarts, never the learners.

Each step: the pre-step state is saved (for the counterfactual queries), one Numba kernel
steps every copy (``_kernels``) and one draws every agent's view (``_observe``) — on all
cores with ``parallel`` from :data:`PARALLEL_FROM` copies, as one fused kernel
(``_kernels.step_observe_parallel``: one parallel region per step) — then the episode
totals are updated. ``info["metrics"]``
holds the game's per-step metrics and, at the episode's last step, the social outcome
metrics of :mod:`.metrics` (means over copies), which the recorder averages per window.

Counterfactuals re-run the last step from the saved state with the same random numbers
(``_rng``): ``rewards_for`` replays every copy, ``deviation`` replays each agent's copy once
per agent (exact, ``O(n · copy)``).

Capabilities: ``scripted_policy`` (the bots of ``scripted``) and ``global_state`` (each
copy's whole map as planes, ``global_view``, for a centralised critic such as MAPPO).

Subclasses declare ``kind`` (``rules.COINS | HARVEST | CLEANUP``), ``map_family`` (the key
of ``maps.PRESETS``), ``features`` (the view's planes), ``n_actions``, and build their rule
arrays in :meth:`_rules`; they add their own metrics and bots.
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

import numpy as np
from gymnasium import spaces

from incentive_lab.core.capabilities import Capability
from incentive_lab.core.errors import ConfigError
from incentive_lab.core.game import Deviation, Game, GameMetadata, StepResult
from incentive_lab.core.scripted import ScriptedPolicy
from incentive_lab.core.seeding import make_rng
from incentive_lab.core.types import Actions, FloatArray, IntArray, Obs, Rewards
from incentive_lab.games.gridworld import maps, rules
from incentive_lab.games.gridworld._dynamics import neighbour_table
from incentive_lab.games.gridworld._kernels import (
    deviations,
    step_all_parallel,
    step_all_serial,
    step_observe_parallel,
)
from incentive_lab.games.gridworld._observe import (
    as_words,
    code_buffer,
    needs_player_codes,
    observe_parallel,
    observe_serial,
    plane_table,
)
from incentive_lab.games.gridworld.global_view import global_planes, plane_names
from incentive_lab.games.gridworld.metrics import social_outcomes
from incentive_lab.games.gridworld.params import SHAPE_FIELDS, GridworldParams
from incentive_lab.games.gridworld.render import render_rgb
from incentive_lab.games.gridworld.scripted import GridworldBots
from incentive_lab.games.gridworld.state import EpisodeTotals, GridState, initial_state

P = TypeVar("P", bound=GridworldParams)

PARALLEL_FROM = 64
"""Copies from which the step and the views run on all cores (with ``parallel: true``)."""


class GridworldGame(Game[P]):
    """Base class of ``coins``, ``harvest`` and ``cleanup`` (see the module docstring)."""

    capabilities = frozenset({Capability.SCRIPTED_POLICY, Capability.GLOBAL_STATE})
    kind: ClassVar[int]
    map_family: ClassVar[str]
    features: ClassVar[tuple[int, ...]]
    bot_names: ClassVar[tuple[str, str]]
    """The game's names of its cooperative and its defecting bot (``scripted``)."""
    default_view: int = 11
    """View side when ``view_size`` is ``None``."""

    def __init__(self, params: P) -> None:
        super().__init__(params)
        self.grid = maps.load(self.map_family, params.preset)
        self.n_players = params.n_agents
        self.n_copies = params.n_copies
        if self.n_players > self.grid.spawn.shape[0]:
            raise ConfigError(
                "game.params.n_agents",
                params.n_agents,
                f"at most {self.grid.spawn.shape[0]} (spawn points of map {params.preset!r})",
            )
        self.n_agents = self.n_players * self.n_copies
        self.max_steps = params.episode_length
        self._copies = np.tile(np.arange(self.n_copies, dtype=np.int64), self.n_players)
        self._copies.flags.writeable = False
        self.view = params.view_size or self.default_view
        self._words = as_words(plane_table(self.features, params.dtype))
        self._per_player = needs_player_codes(self.features, self.grid.wrap)
        self._blank = code_buffer(self.grid.terrain, self.view)
        self._rivers = (
            self.grid.river_cells[:, 0] * self.grid.shape[1] + self.grid.river_cells[:, 1]
        )
        shape: tuple[int, ...] = (self.view, self.view, len(self.features))
        if params.format == "flat":
            shape = (int(np.prod(shape)),)
        self.observation_space = spaces.Box(0, 1, shape=shape, dtype=np.dtype(params.dtype))
        self._bots: GridworldBots | None = None
        self._rules_changed()
        self._start(make_rng(0))

    # -- rules ----------------------------------------------------------------------------
    def _rules(self) -> tuple[IntArray, FloatArray, IntArray, FloatArray]:
        """``(irules, frules, offsets, regrowth)`` of the current params (``rules``)."""
        raise NotImplementedError

    def _rules_changed(self) -> None:
        self.max_steps = self.params.episode_length
        self._threaded = self.params.parallel and self.n_copies >= PARALLEL_FROM
        self._irules, self._frules, self._offsets, self._regrowth = self._rules()
        height, width = self.grid.shape
        self._neighbours = neighbour_table(
            self.grid.apple_cells, self._offsets, height, width, self.grid.wrap
        )
        self._irules[rules.KIND] = self.kind
        self._irules[rules.WRAP] = int(self.grid.wrap)
        self.metadata = self._metadata()

    def _metadata(self) -> GameMetadata:
        return GameMetadata(action_names=rules.ACTION_NAMES[: self.n_actions], stochastic=True)

    def reconfigure(self, **changes: Any) -> None:
        """Change rates mid-run; the shape parameters (:data:`SHAPE_FIELDS`) are fixed."""
        for key in SHAPE_FIELDS:
            if key in changes and changes[key] != getattr(self.params, key):
                raise ConfigError(f"game.params.{key}", changes[key], "cannot change mid-run")
        super().reconfigure(**changes)

    @property
    def copies(self) -> IntArray:
        """``copies[i·C + c] = c``."""
        return self._copies

    # -- episode --------------------------------------------------------------------------
    def _start(self, rng: np.random.Generator) -> None:
        coins = 0
        if self.kind == rules.COINS:
            coins = 2 if self._irules[rules.SINGLE_COIN] == 1 else 1
        self.state = initial_state(self.grid, self.n_copies, self.n_players, rng, coins)
        self._before = self.state.copy()
        self._t = 0
        self.totals = EpisodeTotals.zeros(self.n_copies, self.n_players)
        self._stats = np.zeros((self.n_copies, 2))
        self._events = np.zeros((self.n_copies, self.n_players, rules.EVENTS), dtype=np.int64)

    def reset(self, rng: np.random.Generator) -> Obs:
        """A new episode in every copy, drawn from ``rng``."""
        self._start(rng)
        return self.observe()

    @property
    def t(self) -> int:
        """Steps played in the current episode."""
        return self._t

    def _kernel_args(self, state: GridState) -> tuple[Any, ...]:
        g = self.grid
        return (
            g.terrain,
            state.items,
            state.count,
            state.row,
            state.col,
            state.orient,
            state.timeout,
            g.spawn,
            g.apple_cells,
            self._rivers,
            self._neighbours,
            self._regrowth,
            self._irules,
            self._frules,
        )

    def _advance(
        self, t: int, state: GridState, actions: Actions, events: Any, stats: FloatArray
    ) -> FloatArray:
        """Step ``state`` in place; fill ``events`` and ``stats``; return ``rewards[C, N]``."""
        rewards = np.empty((self.n_copies, self.n_players))
        kernel = step_all_parallel if self._threaded else step_all_serial
        kernel(t, state.seeds, actions, *self._kernel_args(state), rewards, events, stats)
        return rewards

    def step(self, actions: Actions) -> StepResult:
        """Advance every copy one step (see the module docstring)."""
        rewards, out = self._step_kernels(self.check_actions(actions))
        metrics = self._step_metrics()
        truncated = self._t >= self.params.episode_length
        if truncated:
            metrics.update(self.episode_metrics())
        return StepResult(
            obs=out.reshape(self.n_agents, -1) if self.params.format == "flat" else out,
            rewards=rewards,
            truncated=truncated,
            info={"metrics": metrics},
        )

    def _step_kernels(self, actions: Actions) -> tuple[FloatArray, np.ndarray]:
        """Snapshot, step, views and episode totals; ``(rewards[n], views)``, ``t`` advanced."""
        s = self.state
        self._before.copy_from(s)
        if self._threaded:  # one parallel region per step: the fused kernel
            rewards, out = np.empty((self.n_copies, self.n_players)), self._new_obs()
            step_observe_parallel(
                self._t, s.seeds, actions, *self._kernel_args(s), rewards, self._events,
                self._stats, self._out_words(out), self.view, self._per_player, self._words,
                self._blank,
            )  # fmt: skip
        else:  # serially, two kernels are as fast or faster (Coins: 12 %; benchmarks/README)
            rewards = self._advance(self._t, s, actions, self._events, self._stats)
            out = self._draw()
        self._t += 1
        self._accumulate(rewards, self._events)
        return np.ascontiguousarray(rewards.T).reshape(-1), out

    def _accumulate(self, rewards: FloatArray, events: Any) -> None:
        totals, t = self.totals, self._t
        totals.returns += rewards
        positive = rewards > 0
        totals.time_sums += positive * float(t)
        totals.reward_steps += positive
        totals.tagged += events[:, :, rules.TAGGED]
        totals.cleans += events[:, :, rules.CLEANS]
        totals.own_coins += events[:, :, rules.OWN_COINS]
        totals.other_coins += events[:, :, rules.OTHER_COINS]
        totals.depleted_at[(totals.depleted_at == 0) & (self._stats[:, 0] == 0)] = t
        totals.waste_sum += self._stats[:, 1]

    def _step_metrics(self) -> dict[str, float]:
        """Per-step game metrics (means over copies)."""
        return {}

    def episode_metrics(self) -> dict[str, float]:
        """The social outcome metrics of the episode so far (``metrics``), means over copies."""
        totals, steps = self.totals, max(self._t, 1)
        return social_outcomes(
            totals.returns, totals.time_sums, totals.reward_steps, totals.tagged, steps
        )

    def observe(self) -> Obs:
        """Every agent's view of the current state, ``[n, V, V, K]`` (or flattened)."""
        out = self._draw()
        return out.reshape(self.n_agents, -1) if self.params.format == "flat" else out

    def _draw(self) -> np.ndarray:
        """``[n, V, V, K]``: every agent's view of the current state (``_observe``)."""
        s, out = self.state, self._new_obs()
        kernel = observe_parallel if self._threaded else observe_serial
        kernel(
            self._out_words(out), self.grid.terrain, s.items, s.count, s.row, s.col, s.orient,
            s.timeout, self.view, self.grid.wrap, self._per_player, self._words, self._blank,
        )  # fmt: skip
        return out

    def _new_obs(self) -> np.ndarray:
        """An uninitialised ``[n, V, V, K]`` array (the kernels write every element)."""
        shape = (self.n_agents, self.view, self.view, len(self.features))
        return np.empty(shape, self.params.dtype)

    def _out_words(self, out: np.ndarray) -> np.ndarray:
        """``out`` seen as the word type of the plane table (``_observe.as_words``)."""
        return out.reshape(self.n_agents, -1).view(self._words.dtype)

    def global_state(self) -> np.ndarray:
        """``float32[n_copies, H, W, K]``: each copy's whole map (capability ``global_state``).

        The planes are :attr:`global_plane_names` (``global_view``); a centralised critic
        (``ppo`` with ``critic: centralised``) reads them.
        """
        return global_planes(self.grid, self.state, self.features, self.kind != rules.COINS)

    @property
    def global_plane_names(self) -> tuple[str, ...]:
        """The names of the planes of :meth:`global_state`, in order."""
        return plane_names(self.features, self.n_players, self.kind != rules.COINS)

    # -- counterfactuals ------------------------------------------------------------------
    def rewards_for(self, actions: Actions) -> Rewards:
        """Rewards of ``actions`` replayed from the state before the last step."""
        actions = self.check_actions(actions)
        scratch = self._before.copy()
        events, stats = np.empty_like(self._events), np.empty_like(self._stats)
        rewards = self._advance(max(self._t - 1, 0), scratch, actions, events, stats)
        return np.ascontiguousarray(rewards.T).reshape(-1)

    def deviation(self, actions: Actions, alternative: Actions) -> Deviation:
        """Each agent's unilateral deviation, replaying only its own copy."""
        actions = self.check_actions(actions)
        alternative = self.check_actions(alternative)
        own, welfare = np.empty(self.n_agents), np.empty(self.n_agents)
        b = self._before
        args = (max(self._t - 1, 0), b.seeds, actions, alternative, *self._kernel_args(b))
        deviations(*args, own, welfare)  # type: ignore[call-arg]
        return Deviation(own=own, copy_welfare=welfare)

    # -- presentation ---------------------------------------------------------------------
    def render_rgb(self, copy: int = 0, scale: int = 8) -> np.ndarray:
        """``uint8[H·scale, W·scale, 3]``: a picture of copy ``copy`` now."""
        if not 0 <= copy < self.n_copies:
            raise ConfigError("copy", copy, f"a copy index in 0..{self.n_copies - 1}")
        return render_rgb(self.grid, self.state, copy, scale)

    # -- bots ------------------------------------------------------------------------------
    @property
    def scripted_policy(self) -> ScriptedPolicy:
        """The game's bots (capability ``scripted_policy``, ``scripted.GridworldBots``)."""
        if self._bots is None:
            self._bots = GridworldBots(self, *self.bot_names)
        return self._bots

    @property
    def bot_thresholds(self) -> tuple[float, float]:
        """The cooperative bot's thresholds (Harvest: apples kept; Cleanup: waste density)."""
        return 0.0, 0.0

    @property
    def neighbourhood(self) -> IntArray:
        """``int64[m, 2]``: the cell offsets of the regrowth neighbourhood."""
        return self._offsets

    @property
    def rule_arrays(self) -> tuple[IntArray, FloatArray]:
        """``(irules, frules)`` of the kernels (``rules``)."""
        return self._irules, self._frules
