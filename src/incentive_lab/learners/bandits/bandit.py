"""Multi-armed bandits for recommender agents (``bandit``), vectorised over the group.

Every agent of the group is an independent bandit over the game's ``K`` actions (for the
``recommender`` game: the slate strategies). With ``n_ia`` pulls of arm ``a`` by agent
``i``, reward sum ``s_ia``, mean ``μ̂_ia = s_ia / n_ia`` and ``t_i = Σ_a n_ia`` pulls so far:

``epsilon_greedy``
    with probability ``ε`` a uniform arm, else an arm of largest ``μ̂`` (ties at random;
    untried arms count as ``μ̂ = +∞``, so each arm is tried once first).
``ucb`` (UCB1, Auer, Cesa-Bianchi & Fischer 2002)
    ``index_ia = μ̂_ia + c·√(2 ln t_i / n_ia)`` (``+∞`` while ``n_ia = 0``); play the largest
    (ties at random). ``c = 1`` is UCB1 for rewards in ``[0, 1]``; scale ``c`` with the reward
    range (recommender rewards are clicks per user slot, ``≈ 0.1``).
``thompson`` (Gaussian Thompson sampling, Agrawal & Goyal 2013)
    prior ``N(0, σ0²)``, known noise ``σ²``: posterior precision ``1/σ0² + n/σ²``, mean
    ``(s/σ²)/precision``; draw one sample per arm and play the largest.
``linucb`` (``learners.bandits.linucb``)
    disjoint LinUCB on the observation as context, exploration ``α = c``, ridge ``λ``.

Rewards are whatever the learner receives (shaped rewards under a mechanism). Regret of
``ucb`` and ``thompson`` on a stationary bandit grows like ``log T`` (tests check that it is
sublinear). ``policy`` is exact for ``epsilon_greedy``, ``ucb`` and ``linucb`` (the greedy
mass split over tied maxima) and not available for ``thompson``.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from gymnasium import spaces
from pydantic import Field

from incentive_lab.core.learner import Learner, LearnerContext, Transition
from incentive_lab.core.params import Params
from incentive_lab.core.registry import register
from incentive_lab.core.types import Actions, FloatArray, Obs, Probs
from incentive_lab.learners.bandits.linucb import LinUCBState, contexts, feature_dim
from incentive_lab.learners.exploration import sample

Algorithm = Literal["epsilon_greedy", "ucb", "thompson", "linucb"]


class BanditParams(Params):
    """Parameters of ``bandit``."""

    algorithm: Algorithm = "ucb"
    """``epsilon_greedy``, ``ucb`` (UCB1), ``thompson`` (Gaussian) or ``linucb``."""
    epsilon: float = Field(0.1, ge=0.0, le=1.0)
    """Exploration probability of ``epsilon_greedy``."""
    c: float = Field(1.0, ge=0.0, le=1e6)
    """Exploration scale: UCB1's ``c``, LinUCB's ``α``."""
    noise: float = Field(0.5, gt=0.0, le=1e6)
    """Thompson: the reward noise standard deviation ``σ`` assumed by the posterior."""
    prior_std: float = Field(1.0, gt=0.0, le=1e6)
    """Thompson: the prior standard deviation ``σ0`` of each arm's mean (prior mean 0)."""
    ridge: float = Field(1.0, gt=0.0, le=1e6)
    """LinUCB: the ridge ``λ`` (``A = λI`` before any data)."""


def ties_split(values: FloatArray) -> Probs:
    """``float64[m, K]``: uniform over each row's maxima (``+∞`` entries count as maxima)."""
    best = values == values.max(axis=1, keepdims=True)
    return np.asarray(best / best.sum(axis=1, keepdims=True), dtype=np.float64)


def ucb_index(sums: FloatArray, counts: FloatArray, c: float) -> FloatArray:
    """``float64[m, K]``: UCB1 indices ``μ̂ + c√(2 ln t / n)``, ``+∞`` for untried arms."""
    t = np.maximum(counts.sum(axis=1, keepdims=True), 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        index = sums / counts + c * np.sqrt(2.0 * np.log(t) / counts)
    return np.where(counts > 0, index, np.inf)


def thompson_posterior(
    sums: FloatArray, counts: FloatArray, noise: float, prior_std: float
) -> tuple[FloatArray, FloatArray]:
    """``(mean, std)`` of each arm's Gaussian posterior (prior ``N(0, σ0²)``, noise ``σ``)."""
    precision = 1.0 / prior_std**2 + counts / noise**2
    return (sums / noise**2) / precision, 1.0 / np.sqrt(precision)


@register(
    "learner",
    "bandit",
    params=BanditParams,
    description="Independent bandits per agent: epsilon-greedy, UCB1, Gaussian Thompson, LinUCB",
    tabular=False,
    stochastic=True,
    has_policy=True,
)
class Bandit(Learner[BanditParams]):
    """A group of independent bandit agents (see the module docstring)."""

    def __init__(
        self, params: BanditParams, context: LearnerContext, rng: np.random.Generator
    ) -> None:
        super().__init__(params, context, rng)
        m, k = context.n_agents, context.n_actions
        self.counts = np.zeros((m, k))
        self.sums = np.zeros((m, k))
        self._discrete = isinstance(context.observation_space, spaces.Discrete)
        self._p = feature_dim(context.observation_space)
        self.linucb = (
            LinUCBState(m, k, self._p, params.ridge) if params.algorithm == "linucb" else None
        )

    def _values(self, obs: Obs) -> FloatArray:
        p = self.params
        if p.algorithm == "ucb":
            return ucb_index(self.sums, self.counts, p.c)
        if self.linucb is not None:
            return self.linucb.scores(contexts(obs, self._p, self._discrete), p.c)
        with np.errstate(divide="ignore", invalid="ignore"):
            means = self.sums / self.counts
        return np.where(self.counts > 0, means, np.inf)

    def policy(self, obs: Obs) -> Probs:
        """``float64[m, K]``: action probabilities (``thompson``: not available)."""
        if self.params.algorithm == "thompson":
            raise NotImplementedError("thompson sampling has no closed-form policy")
        greedy = ties_split(self._values(obs))
        if self.params.algorithm == "epsilon_greedy":
            eps = self.params.epsilon
            return np.asarray(eps / greedy.shape[1] + (1.0 - eps) * greedy)
        return greedy

    def act(self, obs: Obs) -> Actions:
        """``int64[m]``: one arm per agent."""
        p = self.params
        if p.algorithm == "thompson":
            mean, std = thompson_posterior(self.sums, self.counts, p.noise, p.prior_std)
            draws = mean + std * self.rng.standard_normal(mean.shape)
            return sample(ties_split(draws), self.rng)
        return sample(self.policy(obs), self.rng)

    def update(self, transition: Transition) -> dict[str, float]:
        """Add each agent's reward to its pulled arm; return the mean reward."""
        actions = np.asarray(transition.actions, dtype=np.int64)
        rewards = np.asarray(transition.rewards, dtype=np.float64)
        rows = np.arange(actions.shape[0])
        self.counts[rows, actions] += 1.0
        self.sums[rows, actions] += rewards
        if self.linucb is not None:
            x = contexts(transition.obs, self._p, self._discrete)
            self.linucb.update(x, actions, rewards)
        return {"mean_reward": float(rewards.mean()) if rewards.size else 0.0}
