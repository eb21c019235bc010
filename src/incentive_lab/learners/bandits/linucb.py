"""LinUCB with disjoint linear models, vectorised over a group of agents (Li et al. 2010).

Each agent ``i`` keeps, for every arm ``a``, a ridge regression of reward on its context
``x ∈ ℝ^p``: ``A_ia = λI + Σ x xᵀ`` and ``b_ia = Σ r x`` over the rounds it pulled ``a``.
It plays the arm with the largest upper confidence bound::

    θ̂_ia = A_ia⁻¹ b_ia,      p_ia(x) = x·θ̂_ia + α·√(xᵀ A_ia⁻¹ x)

The inverses are kept directly and updated by Sherman–Morrison,
``A⁻¹ ← A⁻¹ − (A⁻¹x)(A⁻¹x)ᵀ / (1 + xᵀA⁻¹x)``, so a step costs ``O(m·K·p²)`` with no
Python loop over agents and no matrix inversion.

Contexts: a discrete observation ``s`` becomes the one-hot vector ``e_s`` (then LinUCB is a
per-state UCB); a vector observation gets a constant 1 appended (the intercept).

Reference: Li, Chu, Langford & Schapire (2010), "A contextual-bandit approach to
personalized news article recommendation", WWW (Algorithm 1).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from gymnasium import spaces

from incentive_lab.core.types import FloatArray, IntArray, Obs


def feature_dim(space: spaces.Space[Any]) -> int:
    """Context dimension ``p`` for an observation space (one-hot, or vector + intercept)."""
    if isinstance(space, spaces.Discrete):
        return int(space.n)
    shape = getattr(space, "shape", None) or (1,)
    return int(np.prod(shape)) + 1


def contexts(obs: Obs, p: int, discrete: bool) -> FloatArray:
    """``float64[m, p]``: one-hot states, or flattened vectors with an intercept column."""
    array = np.asarray(obs)
    m = array.shape[0]
    if discrete:
        x = np.zeros((m, p))
        x[np.arange(m), array.astype(np.int64)] = 1.0
        return x
    flat = array.reshape(m, -1).astype(np.float64)
    return np.concatenate([flat, np.ones((m, 1))], axis=1)


class LinUCBState:
    """``A⁻¹[m, K, p, p]`` and ``b[m, K, p]`` of ``m`` agents with ``K`` arms."""

    def __init__(self, m: int, n_arms: int, p: int, ridge: float) -> None:
        self.a_inv = np.broadcast_to(np.eye(p) / ridge, (m, n_arms, p, p)).copy()
        self.b = np.zeros((m, n_arms, p))

    def scores(self, x: FloatArray, alpha: float) -> FloatArray:
        """``float64[m, K]``: the upper confidence bounds ``p_ia(x_i)``."""
        theta = np.einsum("mkpq,mkq->mkp", self.a_inv, self.b)
        mean = np.einsum("mkp,mp->mk", theta, x)
        var = np.einsum("mp,mkpq,mq->mk", x, self.a_inv, x)
        return np.asarray(mean + alpha * np.sqrt(np.maximum(var, 0.0)), dtype=np.float64)

    def update(self, x: FloatArray, arms: IntArray, rewards: FloatArray) -> None:
        """Add ``(x_i, r_i)`` to arm ``arms[i]`` of every agent (Sherman–Morrison)."""
        rows = np.arange(x.shape[0])
        inv = self.a_inv[rows, arms]  # [m, p, p]
        u = np.einsum("mpq,mq->mp", inv, x)
        denom = 1.0 + np.einsum("mp,mp->m", x, u)
        self.a_inv[rows, arms] = inv - u[:, :, None] * u[:, None, :] / denom[:, None, None]
        self.b[rows, arms] += rewards[:, None] * x
