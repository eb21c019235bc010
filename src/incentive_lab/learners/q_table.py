"""The shared core of the Q-learners: per-agent Q-tables and the one-step TD update.

Each of the ``m`` agents of a group owns a table ``Q[m, n_states, n_actions]``. After a step
in which agent ``i`` played ``a`` in state ``s``, received reward ``r`` and moved to ``s'``::

    Q_i[s, a] ← Q_i[s, a] + η_i · (r + γ · max_b Q_i[s', b] · [not terminated] − Q_i[s, a])

Only the played action's entry changes. ``γ = 0`` (the default) is the stateless / myopic
learner of repeated normal-form games, for which ``Q_i[a]`` is an exponentially weighted
average of the rewards of ``a``. Truncated episodes still bootstrap (the state had a future);
terminated ones do not.

The step size ``η_i`` is ``α`` for plain Q-learning and ``α·min(β/x_{i,a}, 1)`` for FAQ.
Subclasses choose the policy (ε-greedy or Boltzmann) by overriding :meth:`TabularQ.probs` and
the step size by overriding :meth:`TabularQ.step_sizes`. Diagnostics returned by
:meth:`TabularQ.update`: ``td_error``, the group's mean ``|TD error|``.

Reference: Watkins & Dayan (1992), *Q-learning*, Machine Learning 8.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import TypeVar

import numpy as np
from pydantic import Field

from incentive_lab.core.learner import Learner, LearnerContext, Transition
from incentive_lab.core.params import Params
from incentive_lab.core.types import Actions, FloatArray, IntArray, Obs, Probs
from incentive_lab.learners.exploration import sample
from incentive_lab.learners.tabular import discrete_states, new_table, rows, states


class QParams(Params):
    """Parameters every Q-learner has."""

    alpha: float = Field(0.1, gt=0.0, le=1.0)
    """Learning rate α of the TD update, in (0, 1]."""
    gamma: float = Field(0.0, ge=0.0, lt=1.0)
    """Discount factor γ in [0, 1); 0 is the stateless / myopic learner."""
    initial_q: float = 0.0
    """Initial value of every Q-table entry (optimistic values encourage exploration)."""


QP = TypeVar("QP", bound=QParams)


class TabularQ(Learner[QP]):
    """A group of independent tabular Q-learners (one table per agent)."""

    learner_id = "q_table"

    def __init__(self, params: QP, context: LearnerContext, rng: np.random.Generator) -> None:
        super().__init__(params, context, rng)
        self.n_states = discrete_states(context, self.learner_id)
        self.q: FloatArray = new_table(context, self.n_states, params.initial_q)
        self._index: IntArray = np.arange(context.n_agents, dtype=np.int64)

    @abstractmethod
    def probs(self, q: FloatArray) -> Probs:
        """``float64[m, A]``: action probabilities given each agent's Q-row ``q[m, A]``."""

    def step_sizes(self, s: IntArray, a: Actions) -> FloatArray | float:
        """Step size of each agent's update (default: the constant ``α``)."""
        return self.params.alpha

    def policy(self, obs: Obs) -> Probs:
        """``float64[m, A]``: the current policy in each agent's state."""
        return self.probs(rows(self.q, obs))

    def act(self, obs: Obs) -> Actions:
        """``int64[m]``: sample each agent's action from its policy (inverse CDF)."""
        return sample(self.policy(obs), self.rng)

    def update(self, transition: Transition) -> dict[str, float]:
        """One TD update of the played entries; returns the mean ``|TD error|``."""
        s = states(transition.obs)
        a = np.asarray(transition.actions, dtype=np.int64)
        index = self._index
        q_sa = self.q[index, s, a]
        target = np.asarray(transition.rewards, dtype=np.float64)
        gamma = self.params.gamma
        if gamma > 0.0 and not transition.terminated:
            target = target + gamma * self.q[index, states(transition.next_obs)].max(axis=-1)
        td = target - q_sa
        rate = self.step_sizes(s, a)
        self.q[index, s, a] = q_sa + rate * td
        self.after_update()
        return {"td_error": float(np.abs(td).mean())}

    def after_update(self) -> None:
        """Hook for schedules (e.g. ε decay); default: nothing."""
