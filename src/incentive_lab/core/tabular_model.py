"""Known finite-horizon dynamics of a small game, for learners that plan or differentiate exactly.

A game with a handful of joint states and joint actions (the escape room ER(N, M) for small
``N``) can expose its whole model as tables; a learner then evaluates any joint policy
*exactly* by dynamic programming instead of estimating it from sampled episodes (``lio``'s
exact-gradient variant uses it for the giver's objective). The game publishes it as its
``tabular_model`` attribute, and ``LearnerContext.for_game`` passes it on as
``LearnerContext.tabular_model`` (``None`` when the game has none).

Indexing (``S`` joint states, ``N`` agents, ``A`` actions each, ``J = A^N`` joint actions)
    A joint action ``(a_0, …, a_{N−1})`` has index ``j = Σ_i a_i · A^(N−1−i)`` (agent 0 most
    significant); :attr:`TabularModel.joint_actions` is the ``int64[J, N]`` decoding table.

Tables
    ``transition[s, j, s']`` = ``P(s' | s, j)``; ``rewards[s, j, i]`` = agent ``i``'s reward;
    ``terminal[s, j]`` = whether the episode ends after playing ``j`` in ``s``;
    ``observations[s, i]`` = the (discrete) observation agent ``i`` receives in state ``s``;
    ``start`` = the initial state; ``horizon`` = the number of steps before truncation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from incentive_lab.core.errors import ConfigError
from incentive_lab.core.types import FloatArray, IntArray

MAX_TABLE = 4_000_000
"""Largest ``S · J · S`` a game should publish (larger games publish no model)."""


@dataclass(frozen=True)
class TabularModel:
    """The tables of a finite-horizon game with ``N`` agents (see the module docstring)."""

    transition: FloatArray
    rewards: FloatArray
    terminal: np.ndarray
    observations: IntArray
    n_actions: int
    start: int
    horizon: int
    joint_actions: IntArray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        p = np.asarray(self.transition, dtype=np.float64)
        n_agents = int(np.asarray(self.observations).shape[-1])
        expected = self.n_actions**n_agents
        if p.ndim != 3 or p.shape[2] != p.shape[0] or p.shape[1] != expected:
            allowed = f"shape [S, {expected}, S] (A^N joint actions)"
            raise ConfigError("transition", p.shape, allowed)
        n_states, n_joint = p.shape[0], p.shape[1]
        if np.any(p < 0) or not np.allclose(p.sum(axis=-1), 1.0, atol=1e-9):
            raise ConfigError("transition", "rows", "non-negative rows that sum to one")
        if np.asarray(self.rewards).shape != (n_states, n_joint, n_agents):
            raise ConfigError("rewards", np.shape(self.rewards), "shape [S, A^N, N]")
        if np.asarray(self.terminal).shape != (n_states, n_joint):
            raise ConfigError("terminal", np.shape(self.terminal), "shape [S, A^N]")
        if not 0 <= self.start < n_states:
            raise ConfigError("start", self.start, f"a state in [0, {n_states})")
        if self.horizon < 1:
            raise ConfigError("horizon", self.horizon, "at least 1 step")
        powers = self.n_actions ** np.arange(n_agents - 1, -1, -1, dtype=np.int64)
        joint = (np.arange(n_joint, dtype=np.int64)[:, None] // powers) % self.n_actions
        object.__setattr__(self, "transition", p)
        object.__setattr__(self, "rewards", np.asarray(self.rewards, dtype=np.float64))
        object.__setattr__(self, "terminal", np.asarray(self.terminal, dtype=bool))
        object.__setattr__(self, "observations", np.asarray(self.observations, dtype=np.int64))
        object.__setattr__(self, "joint_actions", joint)

    @property
    def n_states(self) -> int:
        """``S``: joint states."""
        return int(self.transition.shape[0])

    @property
    def n_agents(self) -> int:
        """``N``: agents."""
        return int(self.observations.shape[1])

    @property
    def n_joint(self) -> int:
        """``J = A^N``: joint actions."""
        return int(self.transition.shape[1])
