"""SUB-SAMPLE-Q: plan on ``k`` sub-sampled local agents, act on ``n`` (``subsample_q``).

After Anand & Qu, "Efficient Reinforcement Learning for Global Decision Making in the
Presence of Local Agents at Scale" (arXiv 2403.00222), Algorithm 1 (learning) and 2
(deployment), for the global agent of a ``global_local`` game (SPEC §2).

Learning (once, at construction)
    The table ``Q̂_k`` is indexed by ``(s_g, μ, a_g)`` where ``μ`` is a multiset of ``k``
    local states (:mod:`.multisets`): ``|S_g|·|A_g|·C(k + |S_l| − 1, |S_l| − 1)`` entries.
    For every entry, ``m`` next states ``(s_g', μ'_j)`` are drawn once from the generative
    model (the ``k``-agent system: ``s_g' ~ P_g(·|s_g, a_g)``, each of the ``k`` local
    agents ``s_i' ~ P_l(·|s_i, s_g)``), then ``sweeps`` rounds of empirical value iteration::

        Q̂(s_g, μ, a) ← r_k(s_g, μ, a) + γ · (1/m) Σ_j max_a' Q̂(s'_g,j, μ'_j, a')
        r_k(s_g, μ, a) = r_g(s_g, a) + (1/k) Σ_{s ∈ μ} r_l(s, s_g)

    vectorised over the whole table. The cost depends on ``k`` (and ``m``), never on
    ``n``. The wall time is reported as the diagnostic ``learning_seconds`` (with
    ``table_size`` and the last sweep's ``bellman_residual``).

Deployment (every ``act``)
    Draw ``k`` of the ``n`` local agents uniformly without replacement
    (``generative.observe_locals``), form their multiset ``μ`` and play
    ``argmax_a Q̂_k(s_g, μ, a)`` (ties: the lowest action). The paper bounds the value gap
    to the optimal policy by ``Õ(1/√k) + ε_{k,m}``; its finite-population form scales as
    ``sqrt((n − k + 1)/(n·k))``, which vanishes at ``k = n``.

Parameters: ``k`` (1 ≤ k ≤ n), ``m`` (≥ 1 samples per entry), ``sweeps`` (≥ 1),
``gamma`` (γ ∈ [0, 1)). Requires a context with a generative model
(``LearnerContext.generative``, given by the ``global_local`` game) and one agent (the
global agent); otherwise, or for ``k > n``, a ``ConfigError`` names the field.
"""

from __future__ import annotations

import time

import numpy as np
from pydantic import Field

from incentive_lab.core.capabilities import Capability
from incentive_lab.core.errors import ConfigError
from incentive_lab.core.generative import GenerativeModel, GlobalLocalKernels
from incentive_lab.core.learner import Learner, LearnerContext, Transition
from incentive_lab.core.params import Params
from incentive_lab.core.registry import register
from incentive_lab.core.types import Actions, FloatArray, Obs
from incentive_lab.learners.planning.multisets import (
    enumerate_counts,
    n_multisets,
    rank_states,
    sorted_from_counts,
)


class SubsampleQParams(Params):
    """Parameters of ``subsample_q``."""

    k: int = Field(2, ge=1)
    """Local agents sub-sampled when learning and at every decision (1 ≤ k ≤ n)."""
    m: int = Field(20, ge=1)
    """Next states sampled from the generative model per table entry."""
    sweeps: int = Field(100, ge=1)
    """Rounds of empirical value iteration over the whole table."""
    gamma: float = Field(0.9, ge=0.0, lt=1.0)
    """Discount factor γ."""


def table_size(n_global: int, n_actions: int, n_local: int, k: int) -> int:
    """``|S_g|·|A_g|·C(k + |S_l| − 1, |S_l| − 1)``: entries of ``Q̂_k``."""
    return n_global * n_actions * n_multisets(k, n_local)


def plan(
    kernels: GlobalLocalKernels,
    k: int,
    m: int,
    sweeps: int,
    gamma: float,
    rng: np.random.Generator,
) -> tuple[FloatArray, float]:
    """``(Q̂_k [S_g, M, A_g], last Bellman residual)`` by empirical value iteration.

    ``M = C(k + |S_l| − 1, k)`` multisets in the rank order of :mod:`.multisets`.
    """
    n_g, n_a, n_l = kernels.n_global_states, kernels.n_global_actions, kernels.n_local_states
    locals_ = sorted_from_counts(enumerate_counts(k, n_l))  # [M, k]
    n_m = locals_.shape[0]
    g, mu, a = (
        x.ravel()
        for x in np.meshgrid(np.arange(n_g), np.arange(n_m), np.arange(n_a), indexing="ij")
    )
    reward = kernels.reward(g, locals_[mu], a).reshape(n_g, n_m, n_a)
    # m next states per entry: rows (g, mu, a, j) in C order
    g_rep, a_rep = np.repeat(g, m), np.repeat(a, m)
    next_g, next_l, _ = kernels.sample(g_rep, locals_[np.repeat(mu, m)], a_rep, rng)
    successor = (next_g * n_m + rank_states(next_l, n_l)).reshape(n_g, n_m, n_a, m)
    q = reward.copy()
    residual = float("inf")
    for _ in range(sweeps):
        value = q.max(axis=2).ravel()
        new = reward + gamma * value[successor].mean(axis=3)
        residual = float(np.abs(new - q).max())
        q = new
    return q, residual


def require_generative(context: LearnerContext, learner_id: str) -> GenerativeModel:
    """The context's generative model, for a group that is the one global agent."""
    model = context.generative
    if model is None or getattr(model, "kernels", None) is None:
        raise ConfigError(
            f"{learner_id}.context.generative",
            model,
            "a game with a finite generative model (game id global_local); "
            "the local-state space must be finite",
        )
    if context.n_agents != 1:
        raise ConfigError(
            f"{learner_id}.agents", context.n_agents, "exactly 1 agent (the global agent)"
        )
    return model


@register(
    "learner",
    "subsample_q",
    params=SubsampleQParams,
    description="SUB-SAMPLE-Q: value iteration on k sub-sampled local agents, k-agent deployment",
    tabular=True,
    stochastic=True,
    has_policy=False,
    requires={Capability.GENERATIVE_MODEL},
)
class SubsampleQ(Learner[SubsampleQParams]):
    """The global agent planning on ``k`` sub-sampled local agents."""

    def __init__(
        self, params: SubsampleQParams, context: LearnerContext, rng: np.random.Generator
    ) -> None:
        super().__init__(params, context, rng)
        model = require_generative(context, "subsample_q")
        if params.k > model.n_locals:
            raise ConfigError(
                "learner.params.k", params.k, f"k <= n = {model.n_locals} local agents"
            )
        self.model = model
        kernels = model.kernels
        self.table_size = table_size(
            kernels.n_global_states, kernels.n_global_actions, kernels.n_local_states, params.k
        )
        clock = time.perf_counter()
        self.q, self.residual = plan(kernels, params.k, params.m, params.sweeps, params.gamma, rng)
        self.learning_seconds = time.perf_counter() - clock

    def act(self, obs: Obs) -> Actions:
        """Draw ``k`` local agents without replacement; greedy action of ``Q̂_k``."""
        s_g = int(np.asarray(obs)[0])
        observed = self.model.observe_locals(self.params.k, self.rng)
        index = rank_states(observed[None, :], self.model.kernels.n_local_states)[0]
        return np.array([int(np.argmax(self.q[s_g, index]))], dtype=np.int64)

    def update(self, transition: Transition) -> dict[str, float]:
        """Nothing to learn online; report the planning diagnostics."""
        return {
            "learning_seconds": float(self.learning_seconds),
            "table_size": float(self.table_size),
            "bellman_residual": float(self.residual),
        }
