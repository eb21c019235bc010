"""Every registered game, with or without a mechanism, as a PettingZoo ``ParallelEnv``.

:func:`parallel_env` builds the game ``game_id`` through ``core.registry`` and exposes it
under the PettingZoo Parallel API (1.24+): agents ``agent_0 .. agent_{n-1}`` (agent ``i`` is
row ``i`` of the game's arrays), ``reset(seed=..., options=...) -> (obs, infos)``,
``step(actions) -> (obs, rewards, terminations, truncations, infos)``. Dicts keyed by agent
name exist only here; inside, the game still sees ``int64[n]`` actions.

Rewards and infos
    With a mechanism, every agent receives its *shaped* reward (what a learner optimises).
    The base reward, the transfer paid to the agent and the mechanism's cost of the step
    are in ``infos[agent]`` as ``"base_reward"``, ``"transfer"`` and ``"cost"`` (plain
    floats), so a user can measure outcomes on base rewards. Game metrics (the
    ``"metrics"`` entry of the game's step info) are passed on under ``"metrics"``.

Episodes
    A game with ``max_steps`` ends by itself (``terminations``); every game is also
    truncated after ``max_cycles`` steps, which defaults to the game's ``max_steps`` or, for
    a continuing game, to :data:`DEFAULT_MAX_CYCLES`. All agents end together and are then
    removed from ``agents``.

Seeding
    ``reset(seed=s)`` spawns, through ``core.seeding``, one generator for the game and one
    for a freshly built mechanism, so two environments reset with the same seed and fed the
    same actions produce identical trajectories. ``reset()`` without a seed continues the
    existing streams (and keeps an adaptive mechanism's learned state); the very first
    unseeded reset draws OS entropy.

The reverse direction (an external ``ParallelEnv`` used as a game in our rollout) is
:class:`incentive_lab.interop.external.GameFromParallelEnv`.

Version history: 0.1.0 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from gymnasium import spaces
from pettingzoo import ParallelEnv

from incentive_lab.core.errors import ConfigError
from incentive_lab.core.game import Game
from incentive_lab.core.mechanism import Mechanism
from incentive_lab.core.registry import make_game, make_mechanism
from incentive_lab.core.seeding import make_rng, spawn_rngs
from incentive_lab.core.types import Actions

DEFAULT_MAX_CYCLES = 100
"""Truncation horizon of a continuing game (no ``max_steps``) when none is given."""

RENDER_MODES = ("ansi",)


def agent_names(n: int) -> list[str]:
    """The PettingZoo names of ``n`` agents: ``agent_0 .. agent_{n-1}``."""
    return [f"agent_{i}" for i in range(n)]


def mechanism_spec(mechanism: str | dict[str, Any] | None) -> tuple[str, dict[str, Any]]:
    """``(id, params)`` of a mechanism given as an id, ``{"id": ..., "params": ...}`` or None."""
    if mechanism is None:
        return "none", {}
    if isinstance(mechanism, str):
        return mechanism, {}
    if isinstance(mechanism, dict) and set(mechanism) <= {"id", "params"} and "id" in mechanism:
        return mechanism["id"], dict(mechanism.get("params") or {})
    raise ConfigError(
        "mechanism", mechanism, 'an id, {"id": <id>, "params": {...}} or None (no mechanism)'
    )


class IncentiveParallelEnv(ParallelEnv[str, Any, int]):
    """A registered game plus a mechanism under the PettingZoo Parallel API."""

    def __init__(
        self,
        game: Game[Any],
        mechanism: str | dict[str, Any] | None = None,
        *,
        max_cycles: int | None = None,
        render_mode: str | None = None,
        name: str = "incentive_lab",
    ) -> None:
        if render_mode is not None and render_mode not in RENDER_MODES:
            raise ConfigError(
                "render_mode", render_mode, f"allowed: None, {', '.join(RENDER_MODES)}"
            )
        if max_cycles is not None and max_cycles < 1:
            raise ConfigError("max_cycles", max_cycles, "a positive integer or None")
        self.game = game
        self._mechanism_id, self._mechanism_params = mechanism_spec(mechanism)
        self.mechanism: Mechanism[Any] = self._build_mechanism(make_rng(0))
        self.render_mode = render_mode
        self.metadata = {"name": name, "is_parallelizable": True, "render_modes": [*RENDER_MODES]}
        if max_cycles is None:
            max_cycles = game.max_steps if game.max_steps is not None else DEFAULT_MAX_CYCLES
        self.max_cycles = max_cycles
        self.possible_agents = agent_names(game.n_agents)
        self.agents: list[str] = []
        # one shared space object per agent kind: the same object on every call
        self._observation_space = game.observation_space
        self._action_space = spaces.Discrete(game.n_actions)
        self.state_space = _state_space(game.observation_space, game.n_agents)
        self._game_rng: np.random.Generator | None = None
        self._obs: Any = None
        self._last: tuple[Actions, np.ndarray] | None = None
        self.num_steps = 0

    def _build_mechanism(self, rng: np.random.Generator) -> Mechanism[Any]:
        return make_mechanism(self._mechanism_id, self._mechanism_params, self.game, rng)  # type: ignore[no-any-return]

    # -- spaces ---------------------------------------------------------------------------
    def observation_space(self, agent: str) -> spaces.Space[Any]:
        """The observation space of ``agent`` (the same object every call)."""
        return self._observation_space

    def action_space(self, agent: str) -> spaces.Space[Any]:
        """The action space of ``agent`` (the same object every call)."""
        return self._action_space

    # -- episode --------------------------------------------------------------------------
    def reset(
        self, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
        """Start an episode; a seed re-seeds the game and rebuilds the mechanism."""
        if seed is not None or self._game_rng is None:
            game_rng, mechanism_rng = spawn_rngs(seed, 2)
            self._game_rng = game_rng
            self.mechanism = self._build_mechanism(mechanism_rng)
        obs = self.game.reset(self._game_rng)
        self.agents = self.possible_agents[:]
        self.num_steps = 0
        self._obs = np.array(obs, copy=True)
        self._last = None
        return self._split(self._obs), {agent: {} for agent in self.agents}

    def step(
        self, actions: dict[str, Any]
    ) -> tuple[
        dict[str, Any],
        dict[str, float],
        dict[str, bool],
        dict[str, bool],
        dict[str, dict[str, Any]],
    ]:
        """Play one simultaneous step; every live agent must have an action."""
        if not self.agents:
            return {}, {}, {}, {}, {}
        missing = [agent for agent in self.agents if agent not in actions]
        if missing:
            raise ConfigError(
                "actions", sorted(actions), f"an action for every live agent; missing {missing}"
            )
        joint = self.game.check_actions(
            [np.asarray(actions[agent]).item() for agent in self.agents]
        )
        result = self.game.step(joint)
        adjustment = self.mechanism.adjust(self.game, joint, result.rewards, result.info)
        self.mechanism.update(self.game, joint, result.rewards, adjustment)
        self.num_steps += 1
        terminated = bool(result.terminated)
        truncated = bool(result.truncated) or (not terminated and self.num_steps >= self.max_cycles)
        self._obs = np.array(result.obs, copy=True)
        self._last = (joint, adjustment.shaped_rewards)
        agents = self.agents
        shaped = adjustment.shaped_rewards.tolist()
        base = np.asarray(result.rewards, dtype=np.float64).tolist()
        transfers = adjustment.transfers.tolist()
        cost = float(adjustment.cost)
        metrics = {k: float(v) for k, v in result.info.get("metrics", {}).items()}
        rewards = dict(zip(agents, shaped, strict=True))
        infos = {
            agent: {"base_reward": b, "transfer": t, "cost": cost, "metrics": metrics}
            for agent, b, t in zip(agents, base, transfers, strict=True)
        }
        terminations = dict.fromkeys(agents, terminated)
        truncations = dict.fromkeys(agents, truncated)
        observations = self._split(self._obs)
        if terminated or truncated:
            self.agents = []
        return observations, rewards, terminations, truncations, infos

    def _split(self, obs: np.ndarray) -> dict[str, Any]:
        return dict(zip(self.possible_agents, obs, strict=True))

    def state(self) -> np.ndarray:
        """The global state: every agent's observation stacked (``[n, ...]``)."""
        if self._obs is None:
            raise RuntimeError("call reset() before state()")
        return np.array(self._obs, copy=True)

    # -- presentation ---------------------------------------------------------------------
    def render(self) -> str | None:
        """In ``"ansi"`` mode: the rules, then the last joint action and shaped rewards."""
        if self.render_mode != "ansi":
            return None
        lines = [self.game.describe(), f"step {self.num_steps}"]
        if self._last is not None:
            actions, rewards = self._last
            lines.append(f"actions: {actions.tolist()}")
            lines.append(f"rewards: {np.round(rewards, 4).tolist()}")
        return "\n".join(lines)

    def close(self) -> None:
        """Nothing to release."""

    def __str__(self) -> str:
        return str(self.metadata["name"])


def _state_space(space: spaces.Space[Any], n: int) -> spaces.Space[Any]:
    if isinstance(space, spaces.Discrete):
        return spaces.MultiDiscrete(
            np.full(n, space.n, dtype=np.int64), start=np.full(n, space.start)
        )
    if isinstance(space, spaces.Box):
        shape = (n, *space.shape)
        return spaces.Box(
            np.broadcast_to(space.low, shape), np.broadcast_to(space.high, shape), dtype=space.dtype
        )
    raise ConfigError("observation_space", space, "Discrete or Box per-agent observations")


def parallel_env(
    game_id: str,
    mechanism: str | dict[str, Any] | None = None,
    *,
    max_cycles: int | None = None,
    render_mode: str | None = None,
    **params: Any,
) -> IncentiveParallelEnv:
    """The registered game ``game_id`` built with ``params`` as a PettingZoo ``ParallelEnv``.

    ``mechanism`` is a mechanism id, ``{"id": ..., "params": {...}}`` or ``None`` (no
    mechanism). Example: ``parallel_env("prisoners_dilemma", "team_reward", n_copies=2)``.
    """
    game = make_game(game_id, params)
    mechanism_id, _ = mechanism_spec(mechanism)
    name = game_id if mechanism_id == "none" else f"{game_id}+{mechanism_id}"
    return IncentiveParallelEnv(
        game, mechanism, max_cycles=max_cycles, render_mode=render_mode, name=name
    )
