"""Softmax policy gradient with a baseline (`policy_gradient`), tabular REINFORCE.

Each agent has logits ``θ_i[s, :]`` per discrete state (zero at start, i.e. uniform) and plays
``π_i(·|s) = softmax(θ_i[s])``. The score of the softmax is ``∇_θ ln π(a|s) = e_a − π(·|s)``.

* ``gamma = 0`` (default): a per-step update, the stateless / bandit case::

      θ_i[s] ← θ_i[s] + lr · (r − b_i[s]) · (e_a − π_i(·|s))
      b_i[s] ← b_i[s] + baseline_rate · (r − b_i[s])

  (the advantage uses the baseline *before* it moves; ``b`` is a running mean of reward).
* ``gamma > 0``: Monte-Carlo REINFORCE. Steps are buffered until the episode ends
  (``terminated`` or ``truncated``); then, with returns ``G_t = Σ_k γ^k r_{t+k}``, every
  buffered step ``t`` applies ``θ_i[s_t] += lr · (G_t − b_i[s_t]) · (e_{a_t} − π_i(·|s_t))``
  with ``π`` taken at the episode's start, and ``b_i[s_t]`` moves towards ``G_t``. This needs
  an **episodic** game: if no episode ends within ``max_episode_steps`` steps a
  :class:`~incentive_lab.core.errors.ConfigError` is raised instead of buffering forever.

Parameters: ``lr`` (> 0), ``baseline_rate`` ∈ [0, 1] (0 disables the baseline), ``gamma`` ∈
[0, 1), ``max_episode_steps``.

Reference: R. J. Williams (1992), *Simple statistical gradient-following algorithms for
connectionist reinforcement learning*, Machine Learning 8; Sutton & Barto (2018) §2.8, §13.4.
"""

from __future__ import annotations

import numpy as np
from pydantic import Field

from incentive_lab.core.errors import ConfigError
from incentive_lab.core.learner import Learner, LearnerContext, Transition
from incentive_lab.core.params import Params
from incentive_lab.core.registry import register
from incentive_lab.core.types import Actions, FloatArray, IntArray, Obs, Probs
from incentive_lab.learners.exploration import one_hot, sample, softmax
from incentive_lab.learners.tables import discrete_states, new_table, rows, states


class PolicyGradientParams(Params):
    """Parameters of ``policy_gradient``."""

    lr: float = Field(0.1, gt=0.0)
    """Step size of the logit update."""
    baseline_rate: float = Field(0.1, ge=0.0, le=1.0)
    """Rate of the running-mean reward baseline per state (0: no baseline)."""
    gamma: float = Field(0.0, ge=0.0, lt=1.0)
    """Discount γ ∈ [0, 1): 0 updates every step; > 0 uses Monte-Carlo episode returns."""
    max_episode_steps: int = Field(10_000, ge=1)
    """With γ > 0, the longest episode buffered before it is an error (non-episodic game)."""


@register(
    "learner",
    "policy_gradient",
    params=PolicyGradientParams,
    description="Tabular softmax policy gradient (REINFORCE) with a running-mean baseline",
    tabular=True,
    stochastic=True,
    has_policy=True,
)
class PolicyGradient(Learner[PolicyGradientParams]):
    """A group of tabular softmax REINFORCE learners."""

    learner_id = "policy_gradient"

    def __init__(
        self, params: PolicyGradientParams, context: LearnerContext, rng: np.random.Generator
    ) -> None:
        super().__init__(params, context, rng)
        self.n_states = discrete_states(context, self.learner_id)
        self.theta: FloatArray = new_table(context, self.n_states, 0.0)
        self.baseline: FloatArray = np.zeros((context.n_agents, self.n_states))
        self._index: IntArray = np.arange(context.n_agents, dtype=np.int64)
        self._episode: list[tuple[IntArray, Actions, FloatArray]] = []

    def policy(self, obs: Obs) -> Probs:
        """``float64[m, A]``: ``softmax(θ[s])`` per agent."""
        return softmax(rows(self.theta, obs))

    def act(self, obs: Obs) -> Actions:
        """``int64[m]``: sample each agent's action from its softmax policy."""
        return sample(self.policy(obs), self.rng)

    def _step(self, theta: FloatArray, s: IntArray, a: Actions, value: FloatArray) -> float:
        """Apply one score-function step for target ``value``; return the mean |advantage|."""
        index = self._index
        pi = softmax(theta[index, s])
        advantage = value - self.baseline[index, s]
        grad = advantage[:, None] * (one_hot(a, self.context.n_actions) - pi)
        self.theta[index, s] += self.params.lr * grad
        self.baseline[index, s] += self.params.baseline_rate * advantage
        return float(np.abs(advantage).mean())

    def update(self, transition: Transition) -> dict[str, float]:
        """Per-step update (γ = 0) or buffer the step and learn at the episode's end."""
        s = states(transition.obs)
        a = np.asarray(transition.actions, dtype=np.int64)
        r = np.asarray(transition.rewards, dtype=np.float64)
        if self.params.gamma == 0.0:
            return {"advantage": self._step(self.theta, s, a, r)}
        self._episode.append((s, a, r))
        if not (transition.terminated or transition.truncated):
            if len(self._episode) > self.params.max_episode_steps:
                raise ConfigError(
                    "learner.params.gamma",
                    self.params.gamma,
                    "gamma > 0 (Monte-Carlo returns) needs an episodic game whose episodes end "
                    f"within max_episode_steps={self.params.max_episode_steps}; use gamma = 0",
                )
            return {}
        return {"advantage": self._learn_episode()}

    def _learn_episode(self) -> float:
        """REINFORCE over the buffered episode with discounted returns."""
        theta0 = self.theta.copy()
        ret = np.zeros(self.n_agents)
        returns: list[FloatArray] = []
        for _, _, r in reversed(self._episode):
            ret = r + self.params.gamma * ret
            returns.append(ret)
        returns.reverse()
        total = 0.0
        for (s, a, _), g in zip(self._episode, returns, strict=True):
            total += self._step(theta0, s, a, g)
        n = len(self._episode)
        self._episode = []
        return total / n
