"""Independent Q-learning (`q_learning`) and Boltzmann Q-learning (`boltzmann_q`).

Each agent of the group keeps its own Q-table and learns with the one-step TD update of
:mod:`incentive_lab.learners.tabular.q_table`. The two ids differ only in how actions are chosen:

* ``q_learning`` — ``exploration: epsilon_greedy`` (default): with probability ε a uniform
  random action, otherwise a greedy one (ties share the greedy mass equally);
  ``exploration: boltzmann``: ``x_j ∝ exp(Q_j / τ)``.
  ε may decay: after every update ``ε ← max(ε_min, ε · epsilon_decay)`` (``epsilon_decay =
  1``, the default, keeps ε constant; ``0.999`` roughly divides ε by e every 1000 steps).
* ``boltzmann_q`` — Boltzmann (logit, softmax) exploration ``x_j ∝ exp(Q_j / τ)``, computed
  stably. With ``γ = 0`` in a stationary problem with expected payoffs ``f``, ``Q → f`` and
  the policy → ``softmax(f / τ)``; in a population game the group settles at the logit
  (quantal-response) fixed point ``x = softmax(f(x) / τ)``.

Parameters: ``alpha`` (α ∈ (0, 1]), ``gamma`` (γ ∈ [0, 1)), ``initial_q``, and
``epsilon`` / ``epsilon_decay`` / ``epsilon_min`` / ``tau`` / ``exploration`` as above.

References: Watkins & Dayan (1992); Sutton & Barto (2018) §2.3 and §13.1 (softmax);
Tuyls, Hoen & Vanschoenwinkel (2006) on Boltzmann Q-learning dynamics.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from incentive_lab.core.learner import LearnerContext
from incentive_lab.core.registry import register
from incentive_lab.core.types import FloatArray, Probs
from incentive_lab.learners.exploration import epsilon_greedy, softmax
from incentive_lab.learners.tabular.q_table import QParams, TabularQ


class QLearningParams(QParams):
    """Parameters of ``q_learning``."""

    exploration: Literal["epsilon_greedy", "boltzmann"] = "epsilon_greedy"
    """Action selection: ε-greedy, or Boltzmann ``x_j ∝ exp(Q_j/τ)``."""
    epsilon: float = Field(0.1, ge=0.0, le=1.0)
    """Initial exploration probability ε of ε-greedy selection."""
    epsilon_decay: float = Field(1.0, gt=0.0, le=1.0)
    """Factor applied to ε after every update (1 = constant ε)."""
    epsilon_min: float = Field(0.0, ge=0.0, le=1.0)
    """Floor below which ε does not decay."""
    tau: float = Field(1.0, gt=0.0)
    """Temperature τ of Boltzmann selection (used when ``exploration`` is ``boltzmann``)."""


class BoltzmannQParams(QParams):
    """Parameters of ``boltzmann_q``."""

    tau: float = Field(1.0, gt=0.0)
    """Temperature τ > 0 of the Boltzmann policy ``x_j ∝ exp(Q_j/τ)``."""


@register(
    "learner",
    "q_learning",
    params=QLearningParams,
    description="Independent tabular Q-learning with ε-greedy or Boltzmann exploration",
    tabular=True,
    stochastic=True,
    has_policy=True,
)
class QLearning(TabularQ[QLearningParams]):
    """A group of independent ε-greedy (or Boltzmann) tabular Q-learners."""

    learner_id = "q_learning"

    def __init__(
        self, params: QLearningParams, context: LearnerContext, rng: np.random.Generator
    ) -> None:
        super().__init__(params, context, rng)
        self.epsilon = params.epsilon

    def probs(self, q: FloatArray) -> Probs:
        """ε-greedy or Boltzmann probabilities over each agent's Q-row."""
        if self.params.exploration == "boltzmann":
            return softmax(q, self.params.tau)
        return epsilon_greedy(q, self.epsilon)

    def kernel_policy(self) -> tuple[str, float] | None:
        """The fused kernel's policy: the same ε-greedy or Boltzmann rule as :meth:`probs`."""
        if self.params.exploration == "boltzmann":
            return ("softmax", self.params.tau)
        return ("epsilon_greedy", self.epsilon)

    def after_update(self) -> None:
        """Decay ε geometrically towards ``epsilon_min``."""
        if self.params.epsilon_decay < 1.0:
            self.epsilon = max(self.params.epsilon_min, self.epsilon * self.params.epsilon_decay)


@register(
    "learner",
    "boltzmann_q",
    params=BoltzmannQParams,
    description="Tabular Q-learning with Boltzmann (softmax) exploration x ∝ exp(Q/τ)",
    tabular=True,
    stochastic=True,
    has_policy=True,
)
class BoltzmannQ(TabularQ[BoltzmannQParams]):
    """A group of independent Boltzmann Q-learners."""

    learner_id = "boltzmann_q"

    def probs(self, q: FloatArray) -> Probs:
        """``softmax(q / τ)`` per agent."""
        return softmax(q, self.params.tau)

    def kernel_policy(self) -> tuple[str, float] | None:
        """The fused kernel's policy: ``softmax(q / τ)``."""
        return ("softmax", self.params.tau)
