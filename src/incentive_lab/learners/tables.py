"""Per-agent tables over discrete observations: the storage every tabular learner shares.

A tabular learner group of ``m`` agents keeps one table per agent, stacked into one array
``[m, n_states, n_actions]`` (``n_states = 1`` for stateless games, whose observation is
always ``0``). An agent's row for its current observation is ``table[arange(m), obs]``, a
``[m, n_actions]`` view; updates write back through the same fancy index, so a step costs
``O(m · n_actions)`` with no Python loop over agents.

Tabular learners need a :class:`gymnasium.spaces.Discrete` observation space; anything else
is a :class:`~incentive_lab.core.errors.ConfigError` raised when the group is built.
"""

from __future__ import annotations

import numpy as np

from incentive_lab.core.errors import ConfigError
from incentive_lab.core.learner import LearnerContext
from incentive_lab.core.types import FloatArray, IntArray, Obs


def discrete_states(context: LearnerContext, learner_id: str) -> int:
    """The number of discrete observations, or a ``ConfigError`` for vector observations."""
    n_states = context.n_states
    if n_states is None or n_states < 1:
        raise ConfigError(
            "game.observation_space",
            context.observation_space,
            f"learner {learner_id!r} is tabular and needs a Discrete observation space",
        )
    if context.n_actions < 1:
        raise ConfigError("game.n_actions", context.n_actions, "at least one action")
    return n_states


def new_table(context: LearnerContext, n_states: int, fill: float) -> FloatArray:
    """``float64[m, n_states, n_actions]`` filled with ``fill``."""
    return np.full((context.n_agents, n_states, context.n_actions), fill, dtype=np.float64)


def states(obs: Obs) -> IntArray:
    """Observations as ``int64[m]`` state indices."""
    return np.asarray(obs, dtype=np.int64).reshape(-1)


def rows(table: FloatArray, obs: Obs) -> FloatArray:
    """``[m, n_actions]``: each agent's row of ``table`` for its observation (a copy)."""
    s = states(obs)
    out: FloatArray = table[np.arange(s.shape[0]), s]
    return out
