"""Baselines for ``global_local``: exact mean-field value iteration and a myopic policy.

Because local agents are homogeneous and move independently given ``s_g``, the state
``(s_g, s_1..s_n)`` can be reduced to ``(s_g, c)`` with ``c`` the counts of local states
(a multiset of size ``n``; ``C(n + |S_l| − 1, |S_l| − 1)`` of them — small ``n`` only).

Exact model (pure functions)
    :func:`count_kernel` — ``K[s_g, c, c']``: the law of the next counts, the convolution
    of ``Multinomial(c_l, P_l(·|l, s_g))`` over source states ``l`` (computed agent by
    agent over partial count vectors). :class:`MeanFieldModel` — the mean-field MDP
    (built once) with ``r = r_g(s_g, a) + (1/n) Σ_l c_l r_l(l, s_g)``, ``P = P_g ⊗ K``;
    :func:`value_iteration` — its ``Q*``.
    :func:`evaluate` — ``V^π`` of any randomised policy ``π[s_g, c, a]``.
    :func:`subsample_policy` — the exact action law of SUB-SAMPLE-Q's deployment: a
    greedy table on ``k``-multisets seen through a multivariate-hypergeometric draw of
    ``k`` of the ``n`` agents. :func:`initial_law` — ``P(s_g, c)`` at reset.

Learners
    ``mean_field_vi`` (params ``gamma``, ``tolerance``, ``max_states``): computes ``Q*`` at
    construction (diagnostic ``learning_seconds``), then plays ``argmax_a Q*(s_g, c, a)``
    on the full live counts. ``myopic``: one-step lookahead on the full counts,
    ``argmax_a r_g(s_g, a) + E[(1/n) Σ_i r_l(s_i', s_g')]`` (the immediate local reward
    does not depend on ``a``); it ignores everything after the next step and works at any
    ``n``. Both require the game's generative model (``LearnerContext.generative``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from math import lgamma

import numpy as np
from pydantic import Field

from incentive_lab.core.capabilities import Capability
from incentive_lab.core.errors import ConfigError
from incentive_lab.core.generative import GlobalLocalKernels
from incentive_lab.core.learner import Learner, LearnerContext, Transition
from incentive_lab.core.params import Params
from incentive_lab.core.registry import register
from incentive_lab.core.types import Actions, FloatArray, IntArray, Obs
from incentive_lab.learners.planning.multisets import (
    enumerate_counts,
    hypergeometric,
    n_multisets,
    rank_counts,
    sorted_from_counts,
)
from incentive_lab.learners.planning.subsample_q import require_generative


def count_kernel(local_kernel: FloatArray, n: int) -> FloatArray:
    """``float64[S_g, M, M]``: law of the next count vector of ``n`` agents given ``s_g``."""
    n_g, n_l = local_kernel.shape[:2]
    sources = sorted_from_counts(enumerate_counts(n, n_l))  # [M, n]: agents' states, sorted
    unit = np.eye(n_l, dtype=np.int64)
    successors = []
    for t in range(n):
        counts = enumerate_counts(t, n_l)
        successors.append(np.stack([rank_counts(counts + unit[s]) for s in range(n_l)], axis=1))
    kernel = np.empty((n_g, sources.shape[0], sources.shape[0]))
    for g in range(n_g):
        dist = np.ones((sources.shape[0], 1))
        for t in range(n):
            moves = local_kernel[g][sources[:, t]]  # [M, L]
            new = np.zeros((sources.shape[0], n_multisets(t + 1, n_l)))
            for s in range(n_l):  # v -> v + e_s is injective: no duplicate columns
                new[:, successors[t][:, s]] += dist * moves[:, s : s + 1]
            dist = new
        kernel[g] = dist
    return kernel


def mean_field_rewards(kernels: GlobalLocalKernels, n: int) -> FloatArray:
    """``float64[S_g, M, A]``: ``r_g(s_g, a) + (1/n) Σ_l c_l r_l(l, s_g)``."""
    counts = enumerate_counts(n, kernels.n_local_states)
    local = kernels.local_reward @ counts.T / n  # [S_g, M]
    result: FloatArray = kernels.global_reward[:, None, :] + local[:, :, None]
    return result


@dataclass(frozen=True)
class MeanFieldModel:
    """The mean-field MDP of ``n`` agents: ``reward[S_g, M, A]``, ``kernel[S_g, M, M]``."""

    kernels: GlobalLocalKernels
    n: int
    reward: FloatArray
    kernel: FloatArray

    @classmethod
    def build(cls, kernels: GlobalLocalKernels, n: int) -> MeanFieldModel:
        """Rewards and count kernel of ``n`` agents."""
        reward = mean_field_rewards(kernels, n)
        return cls(kernels, n, reward, count_kernel(kernels.local_kernel, n))

    def backup(self, value: FloatArray, gamma: float) -> FloatArray:
        """``r + γ Σ_{g'} P_g(g'|g, a) Σ_{c'} K[g, c, c'] V(g', c')``.

        ``value``: ``[S_g, M]`` or a stack ``[P, S_g, M]``; result ``[(P,) S_g, M, A]``.
        One matrix product over the whole stack.
        """
        stack = value.reshape(-1, *value.shape[-2:])  # [P, S_g, M]
        n_p, n_g, n_m = stack.shape
        flat = self.kernel.reshape(n_g * n_m, n_m) @ stack.reshape(n_p * n_g, n_m).T
        ahead = flat.reshape(n_g, n_m, n_p, n_g)  # E[V_p(g', c') | g, c]
        pg = self.kernels.global_kernel
        result = self.reward + gamma * np.einsum("gah,gcph->pgca", pg, ahead)
        out: FloatArray = result.reshape(*value.shape, -1)
        return out


def value_iteration(model: MeanFieldModel, gamma: float, tolerance: float = 1e-10) -> FloatArray:
    """``Q*[S_g, M, A]`` of the mean-field MDP, to ``tolerance`` in sup norm."""
    q = model.reward.copy()
    while True:
        new = model.backup(q.max(axis=2), gamma)
        done = np.abs(new - q).max() <= tolerance * (1.0 - gamma)
        q = new
        if done:
            return q


def evaluate(
    model: MeanFieldModel, policy: FloatArray, gamma: float, tolerance: float = 1e-10
) -> FloatArray:
    """``V^π[(P,) S_g, M]`` of the randomised policy (or stack) ``policy[(P,) S_g, M, A]``."""
    value = np.zeros(policy.shape[:-1])
    while True:
        new = (policy * model.backup(value, gamma)).sum(axis=-1)
        done = np.abs(new - value).max() <= tolerance * (1.0 - gamma)
        value = new
        if done:
            return value


def greedy(q: FloatArray) -> FloatArray:
    """One-hot ``[..., A]`` of ``argmax`` (lowest action on ties)."""
    result: FloatArray = np.eye(q.shape[-1])[np.argmax(q, axis=-1)]
    return result


def subsample_policy(q_k: FloatArray, k: int, n: int, n_local: int) -> FloatArray:
    """``π[S_g, M_n, A]``: greedy on ``q_k[S_g, M_k, A]`` after drawing ``k`` of ``n`` agents."""
    draw = hypergeometric(enumerate_counts(n, n_local), enumerate_counts(k, n_local))
    result: FloatArray = np.einsum("cd,gda->gca", draw, greedy(q_k))
    return result


def initial_law(initial_global: FloatArray, initial_local: FloatArray, n: int) -> FloatArray:
    """``P(s_g, c)[S_g, M]``: ``s_g`` and ``n`` i.i.d. local states drawn at reset."""
    counts = enumerate_counts(n, initial_local.shape[0])
    with np.errstate(divide="ignore"):
        log_p = np.log(initial_local)
    terms = np.where(counts > 0, counts * log_p, 0.0).sum(axis=1)
    log_coef = lgamma(n + 1) - np.array([sum(lgamma(c + 1) for c in row) for row in counts])
    result: FloatArray = initial_global[:, None] * np.exp(log_coef + terms)[None, :]
    return result


class MeanFieldVIParams(Params):
    """Parameters of ``mean_field_vi``."""

    gamma: float = Field(0.9, ge=0.0, lt=1.0)
    """Discount factor γ."""
    tolerance: float = Field(1e-8, gt=0.0)
    """Stop when a sweep changes Q by at most ``tolerance·(1 − γ)``."""
    max_states: int = Field(200_000, ge=1)
    """Refuse count-state spaces ``|S_g|·C(n + |S_l| − 1, |S_l| − 1)`` larger than this."""


class MyopicParams(Params):
    """``myopic`` has no parameters."""


def _live_counts(model: object, n_local: int) -> IntArray:
    states = model.local_states()  # type: ignore[attr-defined]
    return np.bincount(states, minlength=n_local)[None, :].astype(np.int64)


@register(
    "learner",
    "mean_field_vi",
    params=MeanFieldVIParams,
    description="Exact value iteration on (s_g, counts of local states); small n baseline",
    tabular=True,
    stochastic=False,
    has_policy=False,
    requires={Capability.GENERATIVE_MODEL},
)
class MeanFieldVI(Learner[MeanFieldVIParams]):
    """The optimal global policy from exact value iteration (full information)."""

    def __init__(
        self, params: MeanFieldVIParams, context: LearnerContext, rng: np.random.Generator
    ) -> None:
        super().__init__(params, context, rng)
        self.model = require_generative(context, "mean_field_vi")
        kernels, n = self.model.kernels, self.model.n_locals
        states = kernels.n_global_states * n_multisets(n, kernels.n_local_states)
        if states > params.max_states:
            raise ConfigError(
                "learner.params.max_states",
                params.max_states,
                f">= {states} count states (n = {n})",
            )
        clock = time.perf_counter()
        self.q = value_iteration(MeanFieldModel.build(kernels, n), params.gamma, params.tolerance)
        self.learning_seconds = time.perf_counter() - clock

    def act(self, obs: Obs) -> Actions:
        """``argmax_a Q*(s_g, counts, a)`` on the live counts."""
        counts = _live_counts(self.model, self.model.kernels.n_local_states)
        row = self.q[int(np.asarray(obs)[0]), rank_counts(counts)[0]]
        return np.array([int(np.argmax(row))], dtype=np.int64)

    def update(self, transition: Transition) -> dict[str, float]:
        """Nothing to learn online; report the planning time."""
        return {"learning_seconds": float(self.learning_seconds)}


@register(
    "learner",
    "myopic",
    params=MyopicParams,
    description="One-step lookahead global policy on the full counts of local states",
    tabular=True,
    stochastic=False,
    has_policy=False,
    requires={Capability.GENERATIVE_MODEL},
)
class Myopic(Learner[MyopicParams]):
    """``argmax_a r_g(s_g, a) + E[next mean local reward]`` (any ``n``)."""

    def __init__(
        self, params: MyopicParams, context: LearnerContext, rng: np.random.Generator
    ) -> None:
        super().__init__(params, context, rng)
        self.model = require_generative(context, "myopic")
        k = self.model.kernels
        # ahead[g, a, l] = Σ_{g'} P_g(g'|g, a) Σ_{l'} P_l(l'|l, g) r_l(l', g')
        self.ahead = np.einsum("gah,glm,hm->gal", k.global_kernel, k.local_kernel, k.local_reward)

    def act(self, obs: Obs) -> Actions:
        """One-step lookahead on the live counts (ties: the lowest action)."""
        s_g = int(np.asarray(obs)[0])
        k = self.model.kernels
        counts = _live_counts(self.model, k.n_local_states)[0]
        score = k.global_reward[s_g] + self.ahead[s_g] @ counts / counts.sum()
        return np.array([int(np.argmax(score))], dtype=np.int64)

    def update(self, transition: Transition) -> dict[str, float]:
        """Nothing to learn."""
        return {}
