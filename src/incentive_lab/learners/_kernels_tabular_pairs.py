"""Branch-free kernels of the tabular Q-learners for one state and two actions.

The commonest population setting — a stateless learner choosing between two actions
(cooperate / defect on a lattice, a 2 × 2 matrix game) — stores each agent's table as a row
``rows[i] = (Q_i[0], Q_i[1])`` of a ``float64[m, 2]`` view. These kernels are the
specialisations of :mod:`incentive_lab.learners.kernels_tabular` to that layout (no state
gather, no loop over actions), with the same arithmetic in the same order:

* :func:`logits_pairs` — ``d_j = q_j/τ − max(q_0/τ, q_1/τ)`` (then ``exp`` by NumPy);
* :func:`sample_pairs` — ``x_j = e_j / (e_0 + e_1)``; action 1 iff ``x_0 ≤ u·(x_0 + x_1)``
  (the inverse CDF of :func:`~incentive_lab.learners.exploration.sample`);
* :func:`td_pairs` — the TD update of the played entry with rate ``α`` or FAQ's
  ``α·min(β/x_a, 1)``, ``x_a`` from the act's cached ``exp(logits)`` when the row's logits
  are unchanged (else exponentiated here); returns ``Σ_i |TD error_i|``;
* :func:`first_outside` — index validation in one pass (callers check before writing).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from incentive_lab.core.types import FloatArray, IntArray

TINY = float(np.finfo(np.float64).tiny)
"""Floor of ``x_a`` in FAQ's ``β / x_a``."""


@njit(cache=True)
def first_outside(values: IntArray, high: int) -> int:
    """The first index ``i`` with ``values[i] ∉ [0, high)``, or −1 (one cheap pass)."""
    ok = True
    for i in range(values.shape[0]):
        ok &= (values[i] >= 0) & (values[i] < high)
    if ok:
        return -1
    for i in range(values.shape[0]):
        if values[i] < 0 or values[i] >= high:
            return i
    return -1


@njit(cache=True)
def logits_pairs(rows: FloatArray, tau: float, out: FloatArray) -> None:
    """``out[i, j] = rows[i, j]/τ − max_k rows[i, k]/τ``."""
    for i in range(rows.shape[0]):
        z0 = rows[i, 0] / tau
        z1 = rows[i, 1] / tau
        zmax = z1 if z1 > z0 else z0
        out[i, 0] = z0 - zmax
        out[i, 1] = z1 - zmax


@njit(cache=True)
def sample_pairs(exps: FloatArray, u: FloatArray, out: IntArray) -> None:
    """``out[i]``: inverse-CDF draw from the row ``exps[i]`` (unnormalised) with ``u[i]``."""
    for i in range(exps.shape[0]):
        total = exps[i, 0] + exps[i, 1]
        x0 = exps[i, 0] / total
        x1 = exps[i, 1] / total
        out[i] = 1 if x0 <= u[i] * (x0 + x1) else 0


@njit(cache=True)
def td_pairs(
    rows: FloatArray,
    a: IntArray,
    r: FloatArray,
    gamma: float,
    alpha: float,
    beta: float,
    tau: float,
    faq: bool,
    logits: FloatArray,
    exps: FloatArray,
    verify: bool,
) -> float:
    """TD update of ``rows[i, a_i]`` (rate ``α`` or FAQ's); returns ``Σ |TD error|``.

    ``gamma > 0`` bootstraps on the row's maximum; ``faq``: the rate uses ``exps`` (the
    act's ``exp(logits)``), checked against the row when ``verify``. Indices must be valid.
    """
    total_td = 0.0
    for i in range(rows.shape[0]):
        q0 = rows[i, 0]
        q1 = rows[i, 1]
        ai = a[i]
        q_sa = rows[i, ai]
        target = r[i]
        if gamma > 0.0:
            target = target + gamma * (q1 if q1 > q0 else q0)
        td = target - q_sa
        rate = alpha
        if faq:
            e0 = exps[i, 0]
            e1 = exps[i, 1]
            if verify:
                z0 = q0 / tau
                z1 = q1 / tau
                zmax = z1 if z1 > z0 else z0
                d0 = z0 - zmax
                d1 = z1 - zmax
                if d0 != logits[i, 0] or d1 != logits[i, 1]:
                    e0 = 1.0 if d0 == 0.0 else math.exp(d0)
                    e1 = 1.0 if d1 == 0.0 else math.exp(d1)
            x = (e1 if ai == 1 else e0) / (e0 + e1)
            rate = alpha * min(beta / max(x, TINY), 1.0)
        rows[i, ai] = q_sa + rate * td
        total_td += abs(td)
    return total_td
