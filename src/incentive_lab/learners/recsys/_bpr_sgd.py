"""Rendle's ``LearnBPR`` as written: one stochastic gradient step per triple, in order.

``recsys_bpr`` with ``update: sequential`` applies the triples of a step one after the
other, each at the parameters left by the previous one (Rendle, Freudenthaler, Gantner &
Schmidt-Thieme 2009, "BPR: Bayesian personalized ranking from implicit feedback", UAI,
Fig. 4 ``LearnBPR``: "repeat draw (u, i, j) … Θ ← Θ + α(…)"), instead of summing all
updates at the parameters before the step (``update: batch``, ``bpr.bpr_step``). The two
agree to first order when few triples share a parameter row; online, a step's triples
share many rows (every user shown the same popular items), and the summed step then moves
a row by ``η`` times its multiplicity. The loop is compiled with Numba.

Per triple ``(u, i, j)``, with ``x = p_u·(q_i − q_j) + b_i − b_j`` and ``g = σ(−x)``::

    p_u ← p_u + η (g (q_i − q_j) − λ p_u)
    q_i ← q_i + η (g p_u − λ q_i)          b_i ← b_i + η (g − λ b_i)
    q_j ← q_j + η (−g p_u − λ q_j)         b_j ← b_j + η (−g − λ b_j)

(all right-hand sides at the values before this triple; biases only with ``use_bias``).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from incentive_lab.core.types import FloatArray, IntArray


@njit(cache=True, nogil=True)
def bpr_sgd(
    user: FloatArray,
    item: FloatArray,
    bias: FloatArray,
    u: IntArray,
    i: IntArray,
    j: IntArray,
    lr: float,
    reg: float,
    use_bias: bool,
) -> float:  # pragma: no cover - compiled; checked against the formula in the tests
    """Sequential BPR-SGD in place; returns the mean ``ln σ(x)`` before each update."""
    f = user.shape[1]
    total = 0.0
    for t in range(u.shape[0]):
        a, p, n = u[t], i[t], j[t]
        x = 0.0
        for k in range(f):
            x += user[a, k] * (item[p, k] - item[n, k])
        if use_bias:
            x += bias[p] - bias[n]
        if x >= 0:
            g = np.exp(-x) / (1.0 + np.exp(-x))
            total += -np.log1p(np.exp(-x))
        else:
            g = 1.0 / (1.0 + np.exp(x))
            total += x - np.log1p(np.exp(x))
        for k in range(f):
            pu, qi, qj = user[a, k], item[p, k], item[n, k]
            user[a, k] = pu + lr * (g * (qi - qj) - reg * pu)
            item[p, k] = qi + lr * (g * pu - reg * qi)
            item[n, k] = qj + lr * (-g * pu - reg * qj)
        if use_bias:
            bp, bn = bias[p], bias[n]
            bias[p] = bp + lr * (g - reg * bp)
            bias[n] = bn + lr * (-g - reg * bn)
    return total / max(u.shape[0], 1)
