"""Shared fixtures of the learner tests: tiny contexts.

The learner contract itself (driving learners through a game) is
``incentive_lab.testing.check_learner``.
"""

from __future__ import annotations

import numpy as np
from gymnasium import spaces

from incentive_lab.core import LearnerContext, Topology


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
