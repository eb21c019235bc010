"""Every registered game, with or without a mechanism, as an RLlib ``MultiAgentEnv``.

Take a game and a mechanism from one machine to RLlib (and a Ray cluster) unchanged:
:class:`IncentiveMultiAgentEnv` follows RLlib's new-API-stack multi-agent contract (Ray
2.x, ``ray.rllib.env.multi_agent_env.MultiAgentEnv``): ``possible_agents`` /
``agents`` (``agent_0 .. agent_{n-1}``, agent ``i`` is row ``i`` of the game's arrays),
per-agent ``observation_spaces`` / ``action_spaces`` dicts, ``reset(*, seed, options) ->
(obs, infos)`` and ``step(action_dict) -> (obs, rewards, terminateds, truncateds,
infos)`` with the ``"__all__"`` key in ``terminateds`` and ``truncateds``. It is a thin
layer over :class:`incentive_lab.interop.pettingzoo.IncentiveParallelEnv`, so rewards,
infos, episodes and seeding are exactly those of the PettingZoo adapter:

* every agent is paid its **shaped** reward (what a learner optimises), so RLlib's
  episode return is the sum of shaped rewards over agents and steps; the base reward, the
  transfer and the mechanism's cost of the step are in ``infos[agent]``;
* ``reset(seed=s)`` spawns the game's and a freshly built mechanism's generators from
  ``s`` (``core.seeding.spawn_rngs(s, 2)``): the same seed and actions give the same
  trajectory as ``parallel_env`` and as ``rollout.Simulation`` built with those two
  generators; a reset without a seed continues the streams (RLlib seeds the first reset of
  each env from ``config.debugging(seed=...)``);
* every agent ends together: a game with ``max_steps`` terminates, every game is truncated
  after ``max_cycles`` steps (default: ``max_steps``, the gridworlds' ``episode_length``,
  or 100 for a continuing game). The gridworlds report ``truncated`` with the episode's
  true final observations, so RLlib bootstraps from the right state.

Our metrics in RLlib's results
    At an episode's last step every agent's info carries :data:`EPISODE_KEY` — a dict of
    the episode's ``shaped_return`` (= RLlib's episode return), ``base_return`` (the
    collective return on base rewards: welfare is measured before shaping), ``transfers``
    (sum of money paid to agents), ``cost`` (designer cost), ``length``, and the game's own
    episode metrics (e.g. Coins ``own_coin_rate``, Harvest ``sustainability``, Cleanup
    ``cleaning_share``; the last ``info["metrics"]`` of the episode). Add
    :class:`IncentiveMetricsCallback` to the algorithm config
    (``config.callbacks(IncentiveMetricsCallback)``) and each of them is logged per episode
    (mean over the reporting window) under ``result["env_runners"]["incentive_lab"]``.

Configuration (``env_config``, a plain dict, so a Ray worker can rebuild the env):
``game`` (registered id, required), ``params`` (the game's parameters), ``mechanism`` (an
id, ``{"id": ..., "params": {...}}`` or ``None``), ``max_cycles``. Unknown keys are a
``ConfigError``. Prefer ``n_copies: 1`` (RLlib vectorises envs itself with
``num_envs_per_env_runner``; copies become extra agents), ``dtype: float32`` and, for
RLlib's default MLP encoder, ``format: flat`` on the gridworlds.

Needs ``ray[rllib]`` (the ``rllib`` extra). Ray 2.60's ``ray[rllib]`` pins
``gymnasium==1.2.2``; the package works with it (``docs/tutorials/rllib.md``).

Reference: RLlib documentation, "Multi-agent environments" (new API stack),
https://docs.ray.io/en/latest/rllib/multi-agent-envs.html.

Version history: 0.1.0 — first version.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from ray.rllib.callbacks.callbacks import RLlibCallback
from ray.rllib.env.multi_agent_env import MultiAgentEnv

from incentive_lab.core.errors import ConfigError
from incentive_lab.interop.pettingzoo import IncentiveParallelEnv, parallel_env

EPISODE_KEY = "incentive_lab"
"""Key of the episode summary in every agent's info at an episode's last step."""

AgentDict = dict[Any, Any]
"""RLlib's ``MultiAgentDict``: agent name → value."""

CONFIG_KEYS = ("game", "params", "mechanism", "max_cycles")
"""The keys of ``env_config``."""


def env_settings(config: Mapping[str, Any] | None) -> dict[str, Any]:
    """``config`` checked: a known ``game`` id string and only :data:`CONFIG_KEYS`."""
    settings = dict(config or {})
    unknown = sorted(set(settings) - set(CONFIG_KEYS))
    if unknown:
        raise ConfigError("env_config", unknown, f"allowed keys: {', '.join(CONFIG_KEYS)}")
    if not isinstance(settings.get("game"), str):
        raise ConfigError("env_config.game", settings.get("game"), "a registered game id")
    params = settings.get("params") or {}
    if not isinstance(params, Mapping):
        raise ConfigError("env_config.params", params, "a dict of the game's parameters")
    settings["params"] = dict(params)
    return settings


class IncentiveMultiAgentEnv(MultiAgentEnv):  # type: ignore[misc]
    """A registered game plus a mechanism under RLlib's ``MultiAgentEnv`` API."""

    def __init__(self, config: Mapping[str, Any] | None = None) -> None:
        settings = env_settings(config)
        super().__init__()
        self.parallel: IncentiveParallelEnv = parallel_env(
            settings["game"],
            settings.get("mechanism"),
            max_cycles=settings.get("max_cycles"),
            **settings["params"],
        )
        self.possible_agents = list(self.parallel.possible_agents)
        self.agents = []
        self.observation_spaces = {
            agent: self.parallel.observation_space(str(agent)) for agent in self.possible_agents
        }
        self.action_spaces = {
            agent: self.parallel.action_space(str(agent)) for agent in self.possible_agents
        }
        self._totals = np.zeros(4)  # shaped return, base return, transfers, cost
        self._length = 0
        self._metrics: dict[str, float] = {}

    @property
    def game(self) -> Any:
        """The wrapped game (``core.game.Game``)."""
        return self.parallel.game

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[AgentDict, AgentDict]:
        """Start an episode; a seed re-seeds the game and rebuilds the mechanism."""
        obs, infos = self.parallel.reset(seed=seed, options=options)
        self.agents = list(self.parallel.agents)
        self._totals[:] = 0.0
        self._length = 0
        self._metrics = {}
        return obs, infos

    def step(  # type: ignore[override]  # RLlib's dict step overrides gymnasium's Env.step
        self, action_dict: AgentDict
    ) -> tuple[AgentDict, AgentDict, AgentDict, AgentDict, AgentDict]:
        """One simultaneous step of every live agent (all must act)."""
        obs, rewards, terminated, truncated, infos = self.parallel.step(action_dict)
        self._totals += (
            sum(rewards.values()),
            sum(info["base_reward"] for info in infos.values()),
            sum(info["transfer"] for info in infos.values()),
            next(iter(infos.values()))["cost"] if infos else 0.0,
        )
        self._length += 1
        step_metrics = next(iter(infos.values()))["metrics"] if infos else {}
        if step_metrics:
            self._metrics = dict(step_metrics)
        self.agents = list(self.parallel.agents)
        done_terminated = bool(terminated) and all(terminated.values())
        done_truncated = bool(truncated) and all(truncated.values())
        if done_terminated or done_truncated:
            summary = self.episode_summary()
            for info in infos.values():
                info[EPISODE_KEY] = summary
        return (
            obs,
            rewards,
            {**terminated, "__all__": done_terminated},
            {**truncated, "__all__": done_truncated},
            infos,
        )

    def episode_summary(self) -> dict[str, float]:
        """The current episode's totals and the game's last reported metrics."""
        shaped, base, transfers, cost = (float(x) for x in self._totals)
        return {
            **self._metrics,
            "shaped_return": shaped,
            "base_return": base,
            "transfers": transfers,
            "cost": cost,
            "length": float(self._length),
        }

    def render(self) -> str | None:  # type: ignore[override]
        """The PettingZoo adapter's ``ansi`` rendering (``None`` without a render mode)."""
        return self.parallel.render()


class IncentiveMetricsCallback(RLlibCallback):  # type: ignore[misc]
    """Log each finished episode's :data:`EPISODE_KEY` summary into RLlib's results.

    Values land under ``result["env_runners"]["incentive_lab"][<name>]`` as the mean over
    RLlib's metrics window (its default for episode statistics).
    """

    def on_episode_end(self, *, episode: Any, metrics_logger: Any = None, **kwargs: Any) -> None:
        """Read the last step's infos of ``episode`` and log its summary."""
        if metrics_logger is None:
            return
        summary = episode_summary_of(episode)
        for name, value in summary.items():
            metrics_logger.log_value((EPISODE_KEY, name), float(value), reduce="mean")


def episode_summary_of(episode: Any) -> dict[str, float]:
    """The :data:`EPISODE_KEY` summary of an RLlib ``MultiAgentEpisode`` (``{}`` if none)."""
    last = episode.get_infos(-1)
    for info in last.values():
        if isinstance(info, Mapping) and EPISODE_KEY in info:
            return dict(info[EPISODE_KEY])
    return {}


__all__ = [
    "CONFIG_KEYS",
    "EPISODE_KEY",
    "IncentiveMetricsCallback",
    "IncentiveMultiAgentEnv",
    "env_settings",
    "episode_summary_of",
]
