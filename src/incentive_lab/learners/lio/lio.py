"""``lio``: Learning to Incentivize Others, exact-gradient tabular variant.

Yang, Li, Farajtabar, Sunehag, Hughes & Zha (2020), "Learning to Incentivize Other Learning
Agents", NeurIPS. Every agent of the group has a tabular softmax policy ``π_i = softmax(θ_i[s])``
and an incentive function ``η_i[s, a]``: it pays each *other* member ``r_max · σ(η_i[s', a'])``
when that member, observing ``s'``, plays ``a'`` (see :mod:`.lio_gradients` for the
formulas).

Learning, once per segment (an episode, or ``horizon`` steps of a continuing game)
    1. **Incentive step** (from the second segment on): each giver ascends its own
       *environment* return after the recipients' last policy update — the Jacobian of the
       update with respect to the incentive parameters is exact for tabular softmax
       REINFORCE, the outer gradient ``∇_θ̂ J`` is the score-function estimate on the
       segment just played by the updated policies — minus ``cost`` times the incentives it
       gave (:func:`~.lio_gradients.incentive_gradient`). The Jacobian belongs to the
       incentive parameters of the previous segment; it is applied to the current ones
       (a one-segment lag, as in an online implementation of LIO).
    2. **Policy step**: REINFORCE with discount ``gamma`` on env reward + received
       incentives, with a running-mean baseline per state (``baseline_rate``).

Accounting of incentives (no mechanism involved)
    Incentives are transfers *inside the learner group*: a giver's payment is a recipient's
    income, so they sum to zero over the group and never change the game's base rewards,
    which is what the recorder measures (team welfare is unaffected by the transfers
    themselves). Policies learn from env reward + incentives *received*; what a giver pays
    enters only its incentive objective, through ``cost``, as in the paper. ``update``
    reports the step's flows as diagnostics, which the rollout records under
    ``learner<k>/…``: ``incentive_given`` (total paid by the group this step),
    ``incentive_received_max`` (largest amount one agent received), and, at segment ends,
    ``segment_return`` (mean env return per agent of the segment).

Parameters: ``lr`` (policy step β), ``lr_incentive``, ``r_max``, ``cost``, ``gamma``,
``baseline_rate``, ``epsilon`` (exploration mixed into the behaviour policy, as in the
paper's escape-room runs), ``horizon``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from pydantic import Field

from incentive_lab.core.capabilities import Capability
from incentive_lab.core.errors import ConfigError
from incentive_lab.core.learner import Learner, LearnerContext, Transition
from incentive_lab.core.params import Params
from incentive_lab.core.registry import register
from incentive_lab.core.types import Actions, FloatArray, IntArray, Obs, Probs
from incentive_lab.learners.exploration import sample, softmax
from incentive_lab.learners.lio.joint_policy_dp import value_gradient
from incentive_lab.learners.lio.lio_gradients import (
    exact_incentive_gradient,
    giving_counts,
    incentive_gradient,
    incentive_matrix,
    policy_step,
    returns_to_go,
    scores,
    sigmoid,
)
from incentive_lab.learners.tables import discrete_states, new_table, rows, states


class LioParams(Params):
    """Parameters of ``lio``."""

    lr: float = Field(0.1, gt=0.0)
    """Policy step β of the REINFORCE update (the recipients' update the givers model)."""
    lr_incentive: float = Field(0.01, gt=0.0)
    """Step size of each giver's incentive parameters."""
    r_max: float = Field(3.0, gt=0.0)
    """Largest incentive one giver pays one recipient per step (amounts in ``[0, r_max]``)."""
    cost: float = Field(0.01, ge=0.0)
    """Weight of the incentives a giver pays in its incentive objective."""
    gamma: float = Field(0.99, ge=0.0, le=1.0)
    """Discount of the returns within a segment."""
    baseline_rate: float = Field(0.1, ge=0.0, le=1.0)
    """Rate of the running-mean return baselines per state (0: no baseline)."""
    epsilon: float = Field(0.1, ge=0.0, le=1.0)
    """Exploration: act with ``(1 − ε)·π + ε/A`` (the updates treat actions as on-policy)."""
    horizon: int = Field(100, ge=1)
    """Longest segment: learning also happens every ``horizon`` steps of a long episode."""
    incentive_init: float = Field(0.0, ge=-10.0, le=10.0)
    """Initial incentive logit ``η`` (every amount starts at ``r_max·σ(incentive_init)``)."""
    gradient: Literal["exact", "sampled"] = "exact"
    """The giver's outer gradient ``∇_θ̂ J``: ``exact`` by dynamic programming on the game's
    tables (games that publish ``tabular_model``, e.g. ``escape_room``), or ``sampled``
    (score-function estimate on the next segment, any discrete game)."""


@dataclass(frozen=True)
class Segment:
    """What the incentive step needs from the segment the policies last learned from."""

    s: IntArray
    a: IntArray
    psi: FloatArray
    dsig: FloatArray


def _needs(params: LioParams) -> frozenset[Capability]:
    """The exact giver gradient reads the game's tables; the sampled one needs nothing."""
    return frozenset({Capability.TABULAR_MODEL}) if params.gradient == "exact" else frozenset()


@register(
    "learner",
    "lio",
    params=LioParams,
    description="Learning to Incentivize Others: tabular softmax policies paying each other",
    requires=_needs,
    tabular=True,
    stochastic=True,
    has_policy=True,
)
class Lio(Learner[LioParams]):
    """A group of LIO agents (policies + incentive functions), vectorised over the group."""

    learner_id = "lio"

    def __init__(
        self, params: LioParams, context: LearnerContext, rng: np.random.Generator
    ) -> None:
        super().__init__(params, context, rng)
        self.n_states = discrete_states(context, self.learner_id)
        self.theta: FloatArray = new_table(context, self.n_states, 0.0)
        self.eta: FloatArray = new_table(context, self.n_states, params.incentive_init)
        self.baseline: FloatArray = np.zeros((context.n_agents, self.n_states))
        self.env_baseline: FloatArray = np.zeros((context.n_agents, self.n_states))
        self._buffer: list[tuple[IntArray, Actions, FloatArray, FloatArray]] = []
        self._previous: Segment | None = None
        self.model = context.tabular_model
        if params.gradient == "exact":
            self._check_model()

    def _check_model(self) -> None:
        model, context = self.model, self.context
        if model is None:
            raise ConfigError(
                "learner.gradient",
                "exact",
                "a game that publishes its tables (tabular_model, e.g. escape_room with few "
                "agents), or gradient: sampled",
            )
        if model.n_agents != context.n_agents or context.population_size != context.n_agents:
            raise ConfigError(
                "learner.gradient",
                "exact",
                f"one lio group driving all {model.n_agents} agents, or gradient: sampled",
            )
        if model.observations.max() >= self.n_states:
            raise ConfigError("game.tabular_model", "observations", "codes below n_states")

    def policy(self, obs: Obs) -> Probs:
        """``float64[m, A]``: ``softmax(θ[s])`` per agent."""
        return softmax(rows(self.theta, obs))

    def act(self, obs: Obs) -> Actions:
        """``int64[m]``: sample each agent's action from its softmax policy."""
        eps = self.params.epsilon
        probs = (1.0 - eps) * self.policy(obs) + eps / self.context.n_actions
        return sample(probs, self.rng)

    def incentives(self, obs: Obs, actions: Actions) -> FloatArray:
        """``[m, m]``: what each member (row) pays each other member (column) for this step."""
        return incentive_matrix(
            self.eta, states(obs), np.asarray(actions, dtype=np.int64), self.params.r_max
        )

    def update(self, transition: Transition) -> dict[str, float]:
        """Pay this step's incentives; learn at the end of a segment."""
        s = states(transition.obs)
        a = np.asarray(transition.actions, dtype=np.int64)
        r = np.asarray(transition.rewards, dtype=np.float64)
        paid = self.incentives(s, a)
        received = paid.sum(axis=0)
        self._buffer.append((s, a, r, received))
        stats = {
            "incentive_given": float(paid.sum()),
            "incentive_received_max": float(received.max()),
        }
        ended = transition.terminated or transition.truncated
        if ended or len(self._buffer) >= self.params.horizon:
            stats["segment_return"] = self._learn()
        return stats

    def _learn(self) -> float:
        """Incentive step (through the last policy update), then the policy step."""
        p = self.params
        s = np.stack([step[0] for step in self._buffer])
        a = np.stack([step[1] for step in self._buffer])
        env = np.stack([step[2] for step in self._buffer])
        received = np.stack([step[3] for step in self._buffer])
        self._buffer = []
        agents = np.broadcast_to(np.arange(self.n_agents), s.shape)
        psi = scores(softmax(self.theta[agents, s]), a)
        sig = sigmoid(self.eta)
        dsig = p.r_max * sig * (1.0 - sig)  # σ̇ of the parameters that paid this segment
        grad = -p.cost * dsig * giving_counts(s, a, self.n_states, self.context.n_actions)
        totals = returns_to_go(env + received, p.gamma)
        advantage = totals - self.baseline[agents, s]
        theta_hat = policy_step(self.theta, s, psi, advantage, p.lr)
        np.add.at(self.baseline, (agents, s), p.baseline_rate * advantage / s.shape[0])
        if self.model is not None and p.gradient == "exact":
            # 1. incentive step: exact ∇_θ̂ J of every giver at the updated policies
            _, outer = value_gradient(self.model, softmax(theta_hat), p.gamma)
            grad += exact_incentive_gradient(outer, s, a, psi, dsig, p.lr, p.gamma)
            self.eta += p.lr_incentive * grad
            self.theta = theta_hat  # 2. policy step
            return float(env.sum(axis=0).mean())
        # 1. incentive step: own env return through the recipients' last update, minus cost
        env_returns = returns_to_go(env, p.gamma)
        env_advantage = env_returns - self.env_baseline[agents, s]
        if self._previous is not None:
            prev = self._previous
            grad += incentive_gradient(
                env_advantage, s, psi, prev.s, prev.a, prev.psi, prev.dsig, p.lr, p.gamma
            )
        self.eta += p.lr_incentive * grad
        # 2. policy step on env reward + received incentives
        self.theta = theta_hat
        np.add.at(self.env_baseline, (agents, s), p.baseline_rate * env_advantage / s.shape[0])
        self._previous = Segment(s=s, a=a, psi=psi, dsig=dsig)
        return float(env.sum(axis=0).mean())
