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

**Fused kernels.** ``act`` and ``update`` run as one Numba pass each
(:mod:`incentive_lab.learners.kernels_tabular`) when the subclass says what its policy and
step size are: :meth:`TabularQ.kernel_policy` returns ``("softmax", τ)`` or
``("epsilon_greedy", ε)`` (default ``None``: the NumPy path of ``probs`` + ``sample``), and
:meth:`TabularQ.kernel_beta` returns FAQ's ``β`` (the update then uses the rate
``α·min(β/x_a, 1)`` with the τ of the softmax policy). The constant rate ``α`` needs nothing:
a subclass that does not override ``step_sizes`` gets the fused update. Both paths draw the
same uniforms from the group's generator and agree to floating-point tolerance.

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
from incentive_lab.learners import kernels_tabular as kernels
from incentive_lab.learners.exploration import sample
from incentive_lab.learners.tables import discrete_states, new_table, rows, states


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
    fresh_actions = True
    """``act`` returns a new array each call (the rollout may skip its copy)."""

    def __init__(self, params: QP, context: LearnerContext, rng: np.random.Generator) -> None:
        super().__init__(params, context, rng)
        self.n_states = discrete_states(context, self.learner_id)
        self.q: FloatArray = new_table(context, self.n_states, params.initial_q)
        self._index: IntArray = np.arange(context.n_agents, dtype=np.int64)
        self._rows: kernels.SoftmaxRows | None = None  # the last act's softmax rows

    @abstractmethod
    def probs(self, q: FloatArray) -> Probs:
        """``float64[m, A]``: action probabilities given each agent's Q-row ``q[m, A]``."""

    def step_sizes(self, s: IntArray, a: Actions) -> FloatArray | float:
        """Step size of each agent's update (default: the constant ``α``)."""
        return self.params.alpha

    def kernel_policy(self) -> tuple[str, float] | None:
        """``("softmax", τ)`` or ``("epsilon_greedy", ε)`` if :meth:`probs` is that policy.

        Then :meth:`act` runs the fused kernel; ``None`` (default) keeps the NumPy path.
        """
        return None

    def kernel_beta(self) -> float | None:
        """FAQ's ``β`` if :meth:`step_sizes` is ``α·min(β/x_a, 1)`` of the softmax policy."""
        return None

    def _kernel_ready(self) -> bool:
        q = self.q
        return bool(
            q.ndim == 3 and q.dtype == np.float64 and q.flags.c_contiguous and q.flags.writeable
        )

    def policy(self, obs: Obs) -> Probs:
        """``float64[m, A]``: the current policy in each agent's state."""
        return self.probs(rows(self.q, obs))

    def act(self, obs: Obs) -> Actions:
        """``int64[m]``: sample each agent's action from its policy (inverse CDF)."""
        rule = self.kernel_policy()
        if rule is None or not self._kernel_ready():
            return sample(self.policy(obs), self.rng)
        m, n_actions = int(self.q.shape[0]), int(self.q.shape[2])
        u = self.rng.random(m)
        if rule[0] == "softmax":
            if self._rows is None or self._rows.logits.shape != (m, n_actions):
                self._rows = kernels.SoftmaxRows(m, n_actions)
            return kernels.sample_softmax(self.q, states(obs), rule[1], u, self._rows)
        return kernels.sample_epsilon_greedy(self.q, states(obs), rule[1], u)

    def _fused_update(self, transition: Transition) -> dict[str, float] | None:
        """The kernel update, or ``None`` if this learner's step size has no kernel."""
        beta = self.kernel_beta()
        rule = self.kernel_policy()
        if beta is not None:
            if rule is None or rule[0] != "softmax":
                return None
            tau = rule[1]
        elif type(self).step_sizes is TabularQ.step_sizes:
            tau = 1.0
        else:
            return None
        if not self._kernel_ready():
            return None
        gamma = self.params.gamma
        bootstrap = gamma > 0.0 and not transition.terminated
        total = kernels.td_update(
            self.q,
            transition.obs,
            transition.actions,
            transition.rewards,
            transition.next_obs if bootstrap else None,
            self.params.alpha,
            beta,
            tau,
            gamma,
            self._rows,
        )
        self.after_update()
        m = self.q.shape[0]
        return {"td_error": total / m if m else float("nan")}

    def update(self, transition: Transition) -> dict[str, float]:
        """One TD update of the played entries; returns the mean ``|TD error|``."""
        fused = self._fused_update(transition)
        if fused is not None:
            return fused
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
