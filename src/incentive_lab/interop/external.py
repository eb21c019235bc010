"""Any external PettingZoo ``ParallelEnv`` as a ``core.game.Game`` in our rollout.

:class:`GameFromParallelEnv` turns an environment's dicts into the library's arrays: agent
``i`` is ``env.possible_agents[i]``; actions become ``int64[n]``; observations
``int64[n]`` (``Discrete`` spaces) or ``float64[n, d]`` (``Box`` spaces, flattened to
``d = prod(shape)``); rewards ``float64[n]``.

Requirements
    Every agent has the same ``Discrete(k)`` action space and the same ``Discrete`` or
    ``Box`` observation space. Anything else raises :class:`~incentive_lab.core.errors.ConfigError`.

Episodes
    The episode ends (for the whole population, as the ``Game`` contract requires) when the
    environment has no live agents left: ``terminated`` if any agent terminated, otherwise
    ``truncated``. An agent that leaves early keeps its last observation, receives reward 0
    and its actions are no longer sent.

Seeding
    ``reset(rng)`` draws the environment's integer seed from ``rng``, so a seeded rollout
    of a deterministic-under-seed environment is reproducible.

Counterfactuals
    An external environment cannot evaluate a joint action it did not play, so
    :meth:`GameFromParallelEnv.rewards_for` (and hence ``welfare`` and ``deviation``) raise
    ``NotImplementedError``. Mechanisms that need only the step's actions and rewards work:
    ``none``, ``team_reward``, ``action_tax``, ``inequity_aversion``, ``svo``,
    ``mutual_welfare``. Counterfactual mechanisms (``difference_rewards``,
    ``pigouvian_tax``) do not.

Version history: 0.1.0 — first version.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from gymnasium import spaces
from pettingzoo import ParallelEnv

from incentive_lab.core.errors import ConfigError
from incentive_lab.core.game import Game, StepResult
from incentive_lab.core.params import Params
from incentive_lab.core.types import Actions, Obs, Rewards


class ExternalEnvParams(Params):
    """Parameters of an external environment (its rules live in the environment itself)."""

    name: str = "external"
    """The environment's name, for ``describe()`` and records."""


class GameFromParallelEnv(Game[ExternalEnvParams]):
    """An external PettingZoo ``ParallelEnv`` seen through the ``Game`` contract."""

    def __init__(self, env: ParallelEnv[Any, Any, Any]) -> None:
        super().__init__(ExternalEnvParams(name=str(env.metadata.get("name", str(env)))))
        self.env = env
        self.agent_ids = list(env.possible_agents)
        if not self.agent_ids:
            raise ConfigError("env.possible_agents", self.agent_ids, "at least one agent")
        self.n_agents = len(self.agent_ids)
        self.n_actions = _common_action_count(env, self.agent_ids)
        self._source_space, self.observation_space = _common_observation_space(env, self.agent_ids)
        self.max_steps = getattr(env, "max_cycles", None)
        self._obs: Obs = self._empty_obs()

    def _empty_obs(self) -> Obs:
        if isinstance(self.observation_space, spaces.Discrete):
            return np.zeros(self.n_agents, dtype=np.int64)
        shape = self.observation_space.shape or ()
        return np.zeros((self.n_agents, *shape), dtype=np.float64)

    def _to_array(self, observations: dict[Any, Any]) -> Obs:
        """Observations dict -> array; absent agents keep their previous row."""
        obs = self._obs.copy()
        for i, agent in enumerate(self.agent_ids):
            if agent in observations:
                obs[i] = np.asarray(observations[agent]).reshape(obs[i].shape)
        return obs

    # -- episode --------------------------------------------------------------------------
    def reset(self, rng: np.random.Generator) -> Obs:
        """Reset the environment with a seed drawn from ``rng``."""
        seed = int(rng.integers(2**31 - 1))
        observations, _ = self.env.reset(seed=seed)
        self._obs = self._empty_obs()
        self._obs = self._to_array(observations)
        return self._obs.copy()

    def step(self, actions: Actions) -> StepResult:
        """Send the live agents' actions; collect arrays of the results."""
        actions = self.check_actions(actions)
        live = set(self.env.agents)
        joint = {agent: int(actions[i]) for i, agent in enumerate(self.agent_ids) if agent in live}
        observations, rewards, terminations, _, infos = self.env.step(joint)
        self._obs = self._to_array(observations)
        reward_array = np.array(
            [float(rewards.get(agent, 0.0)) for agent in self.agent_ids], dtype=np.float64
        )
        over = not self.env.agents
        terminated = over and any(bool(v) for v in terminations.values())
        return StepResult(
            obs=self._obs.copy(),
            rewards=reward_array,
            terminated=terminated,
            truncated=over and not terminated,
            info={"env_infos": infos},
        )

    # -- counterfactuals ------------------------------------------------------------------
    def rewards_for(self, actions: Actions) -> Rewards:
        """Not available: an external environment only reports the rewards it played."""
        raise NotImplementedError(
            f"{self.params.name}: an external PettingZoo environment cannot evaluate "
            "counterfactual joint actions, so rewards_for/welfare/deviation are unavailable; "
            "use a mechanism that needs only the step's rewards (none, team_reward, "
            "action_tax, inequity_aversion, svo, mutual_welfare)"
        )

    def describe(self) -> str:
        """The environment's name, agents and spaces."""
        return (
            f"External PettingZoo environment {self.params.name!r} with {self.n_agents} "
            f"agents {self.agent_ids}, {self.n_actions} actions each, observations "
            f"{self._source_space}."
        )


def from_parallel_env(env: ParallelEnv[Any, Any, Any]) -> GameFromParallelEnv:
    """Wrap ``env`` as a game (see :class:`GameFromParallelEnv`)."""
    return GameFromParallelEnv(env)


def _common_action_count(env: ParallelEnv[Any, Any, Any], agents: list[Any]) -> int:
    counts = set()
    for agent in agents:
        space = env.action_space(agent)
        if not isinstance(space, spaces.Discrete) or int(space.start) != 0:
            raise ConfigError(f"action_space({agent!r})", space, "Discrete(k) starting at 0")
        counts.add(int(space.n))
    if len(counts) != 1:
        raise ConfigError("action_space", sorted(counts), "the same number of actions for all")
    return counts.pop()


def _common_observation_space(
    env: ParallelEnv[Any, Any, Any], agents: list[Any]
) -> tuple[spaces.Space[Any], spaces.Space[Any]]:
    first = env.observation_space(agents[0])
    for agent in agents[1:]:
        if env.observation_space(agent) != first:
            raise ConfigError(
                f"observation_space({agent!r})",
                env.observation_space(agent),
                f"the same space for every agent ({first})",
            )
    if isinstance(first, spaces.Discrete):
        if int(first.start) != 0:
            raise ConfigError("observation_space", first, "Discrete(k) starting at 0")
        return first, spaces.Discrete(int(first.n))
    if isinstance(first, spaces.Box):
        low = np.asarray(first.low, dtype=np.float64).reshape(-1)
        high = np.asarray(first.high, dtype=np.float64).reshape(-1)
        return first, spaces.Box(low, high, dtype=np.float64)
    raise ConfigError("observation_space", first, "Discrete or Box observations")
