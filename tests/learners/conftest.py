"""Shared fixtures of the learner tests: tiny contexts and a random-reward driver."""

from __future__ import annotations

import numpy as np
from gymnasium import spaces

from incentive_lab.core import LearnerContext, Topology, Transition


def make_context(m: int, n_actions: int = 3, n_states: int = 2) -> LearnerContext:
    """A group of ``m`` agents that is the whole population, on a ring."""
    ring = np.stack([np.arange(m), (np.arange(m) + 1) % m], axis=1) if m > 1 else np.empty((0, 2))
    return LearnerContext(
        agents=np.arange(m, dtype=np.int64),
        n_actions=n_actions,
        observation_space=spaces.Discrete(n_states),
        population_size=m,
        topology=Topology.from_edges(m, ring),
        rules="a tiny test game",
        cooperative_action=0,
    )


def drive(learner, env_rng: np.random.Generator, steps: int, n_states: int = 2):
    """Run ``steps`` steps with random states and rewards in [0, 1]; return the actions."""
    m = learner.n_agents
    obs = env_rng.integers(0, n_states, m)
    history = []
    for t in range(steps):
        actions = learner.act(obs)
        history.append(actions.copy())
        rewards = env_rng.random(m)
        next_obs = env_rng.integers(0, n_states, m)
        learner.update(
            Transition(
                obs=obs,
                actions=actions,
                rewards=rewards,
                next_obs=next_obs,
                terminated=(t % 10 == 9),
                population_actions=actions,
                population_rewards=rewards,
            )
        )
        obs = next_obs
    return np.array(history)
