"""Action selection shared by the tabular learners: softmax, ε-greedy, inverse-CDF sampling.

Pure functions over arrays of agents (rows are agents, columns are actions):

* :func:`softmax` — Boltzmann / logit choice ``x_j ∝ exp(q_j / τ)``, computed stably by
  subtracting each row's maximum before exponentiating (no overflow for any finite ``q``).
* :func:`epsilon_greedy` — ``x_j = ε/A + (1 − ε)·[j ∈ argmax q] / |argmax q|``: exploration
  mass spread uniformly, greedy mass split equally among tied maxima (so an untrained table
  plays uniformly at random instead of always the first action).
* :func:`sample` — one action per row by inverse CDF: a single ``rng.random(m)`` draw ``u``
  scaled by the row total, and action ``j`` is chosen iff ``cum_{j-1} ≤ u < cum_j``. One draw
  per agent and no Python loop over agents, so a seeded run is reproducible and a
  zero-probability action is never chosen.

For 2-D ``float64`` inputs :func:`epsilon_greedy` and :func:`sample` run as one Numba pass
over the rows (:mod:`incentive_lab.learners.kernels_tabular`) with the same arithmetic in the
same order — the results are identical to the NumPy expressions above, which remain the
path for other shapes.
"""

from __future__ import annotations

import numpy as np

from incentive_lab.core.types import Actions, FloatArray, Probs
from incentive_lab.learners import kernels_tabular as kernels


def softmax(values: FloatArray, tau: float = 1.0) -> Probs:
    """``float64[m, A]``: row-wise ``exp(values / tau)`` normalised, numerically stable."""
    z = np.asarray(values, dtype=np.float64) / tau
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    probs: Probs = e / e.sum(axis=-1, keepdims=True)
    return probs


def epsilon_greedy(values: FloatArray, epsilon: float) -> Probs:
    """``float64[m, A]``: ε-greedy probabilities, ties among maxima share the greedy mass."""
    q = np.asarray(values, dtype=np.float64)
    if q.ndim == 2 and q.shape[1] > 0:
        return kernels.epsilon_rows(q, epsilon)
    n_actions = q.shape[-1]
    best = q == q.max(axis=-1, keepdims=True)
    greedy = best / best.sum(axis=-1, keepdims=True)
    probs: Probs = epsilon / n_actions + (1.0 - epsilon) * greedy
    return probs


def sample(probs: Probs, rng: np.random.Generator) -> Actions:
    """``int64[m]``: one action per row of ``probs`` by inverse CDF (one uniform per row)."""
    p = np.asarray(probs)
    if p.ndim == 2 and p.shape[1] > 0 and p.dtype == np.float64:
        return kernels.draw_rows(p, rng.random(int(p.shape[0])))
    cum = np.cumsum(probs, axis=-1)
    u = rng.random(cum.shape[0]) * cum[:, -1]
    actions: Actions = (cum[:, :-1] <= u[:, None]).sum(axis=-1).astype(np.int64)
    return actions


def one_hot(actions: Actions, n_actions: int) -> FloatArray:
    """``float64[m, A]``: ``e_a`` for each agent's action ``a``."""
    out = np.zeros((actions.shape[0], n_actions), dtype=np.float64)
    out[np.arange(actions.shape[0]), actions] = 1.0
    return out
