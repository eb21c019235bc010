"""Fused Numba kernels of the tabular Q-learners: one pass per act and one per update.

The NumPy path of :mod:`incentive_lab.learners.tabular.q_table` gathers each agent's Q-row
(``table[arange(m), s]``), builds the policy matrix (:func:`~.exploration.softmax` or
:func:`~.exploration.epsilon_greedy`), takes its cumulative sums and compares them with the
uniforms (:func:`~.exploration.sample`), and for FAQ recomputes the softmax to get the step
size: about a dozen passes over ``[m, A]`` temporaries. At ``m = 10⁶`` that is ~200 ms per
step. These kernels do the same arithmetic agent by agent, in one pass each, with no
temporaries:

* :func:`sample_softmax` — ``x = softmax(Q[i, s_i] / τ)`` computed as NumPy does
  (``z = q/τ``, ``z − max z``, ``exp``, divide by the row sum), then the inverse-CDF draw
  ``a_i = #{j < A−1 : cum_j ≤ u_i · cum_{A−1}}`` from a pre-drawn uniform ``u_i``;
* :func:`sample_epsilon_greedy` — ``x_j = ε/A + (1 − ε)·[j ∈ argmax]/|argmax|``, same draw;
* :func:`td_update` — the TD update of the played entry::

      Q_i[s, a] ← Q_i[s, a] + η_i · (r_i + γ · max_b Q_i[s', b] · [bootstrap] − Q_i[s, a])

  with ``η_i = α`` (Q-learning) or the FAQ rate ``η_i = α · min(β / x_{i,a}, 1)``, ``x`` the
  softmax of the played row *before* the update; returns ``Σ_i |TD error_i|``.

The uniforms are drawn by the caller from the learner's own ``numpy`` Generator
(``rng.random(m)``, the same single draw as :func:`~.exploration.sample`), so seeded runs are
reproducible and take the same draws as the NumPy path; results equal the NumPy path to
floating-point tolerance (``exp`` may differ from NumPy's in the last unit; tested on random
inputs). ``exp(0) = 1`` is not evaluated: for two actions the softmax costs one ``exp``.

Indices are checked inside the kernels (a state outside ``[0, S)`` or an action outside
``[0, A)`` makes the wrapper raise ``IndexError``, as NumPy indexing would for the former;
NumPy would silently wrap a negative action, the kernel refuses it).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from incentive_lab.core.types import Actions, FloatArray, IntArray, Obs
from incentive_lab.learners._kernels_tabular_pairs import (
    TINY,
    first_outside,
    logits_pairs,
    sample_pairs,
    td_pairs,
)


@njit(cache=True)
def _logits(q: FloatArray, s: IntArray, tau: float, out: FloatArray) -> int:
    """``out[i, j] = q[i, s_i, j]/τ − max_k q[i, s_i, k]/τ``; returns a bad agent or −1."""
    n_agents, n_states, n_actions = q.shape
    for i in range(n_agents):
        si = s[i]
        if si < 0 or si >= n_states:
            return i
        zmax = q[i, si, 0] / tau
        for j in range(1, n_actions):
            z = q[i, si, j] / tau
            if z > zmax:
                zmax = z
        for j in range(n_actions):
            out[i, j] = q[i, si, j] / tau - zmax
    return -1


@njit(cache=True, inline="always")
def _draw(x: FloatArray, u: float) -> int:
    """Inverse CDF of the probabilities ``x``: ``#{j < A−1 : cum_j ≤ u · cum_{A−1}}``."""
    n_actions = x.shape[0]
    cum = 0.0
    for j in range(n_actions):
        cum += x[j]
        x[j] = cum
    threshold = u * cum
    action = 0
    for j in range(n_actions - 1):
        if x[j] <= threshold:
            action += 1
    return action


@njit(cache=True)
def _sample_exps(e: FloatArray, u: FloatArray, out: IntArray) -> None:
    """Draw from the rows of ``e = exp(logits)``: normalise, then the inverse CDF."""
    n_agents, n_actions = e.shape
    x = np.empty(n_actions)
    for i in range(n_agents):
        total = 0.0
        for j in range(n_actions):
            total += e[i, j]
        for j in range(n_actions):
            x[j] = e[i, j] / total
        out[i] = _draw(x, u[i])


@njit(cache=True)
def _sample_epsilon_greedy(
    q: FloatArray, s: IntArray, epsilon: float, u: FloatArray, out: IntArray
) -> int:
    n_agents, n_states, n_actions = q.shape
    x = np.empty(n_actions)
    explore = epsilon / n_actions
    for i in range(n_agents):
        si = s[i]
        if si < 0 or si >= n_states:
            return i
        best = q[i, si, 0]
        for j in range(1, n_actions):
            if q[i, si, j] > best:
                best = q[i, si, j]
        ties = 0
        for j in range(n_actions):
            if q[i, si, j] == best:
                ties += 1
        for j in range(n_actions):
            greedy = 1.0 / ties if q[i, si, j] == best else 0.0
            x[j] = explore + (1.0 - epsilon) * greedy
        out[i] = _draw(x, u[i])
    return -1


@njit(cache=True)
def _td_update(
    q: FloatArray,
    s: IntArray,
    a: IntArray,
    r: FloatArray,
    s_next: IntArray,
    gamma: float,
    bootstrap: bool,
    alpha: float,
    beta: float,
    tau: float,
    faq: bool,
    logits: FloatArray,
    exps: FloatArray,
    verify: bool,
    error: IntArray,
) -> float:
    n_agents, n_states, n_actions = q.shape
    total_td = 0.0
    for i in range(n_agents):
        si = s[i]
        ai = a[i]
        if si < 0 or si >= n_states or ai < 0 or ai >= n_actions:
            error[0] = i
            return total_td
        q_sa = q[i, si, ai]
        target = r[i]
        if bootstrap:
            sn = s_next[i]
            if sn < 0 or sn >= n_states:
                error[0] = i
                return total_td
            best = q[i, sn, 0]
            for j in range(1, n_actions):
                if q[i, sn, j] > best:
                    best = q[i, sn, j]
            target = target + gamma * best
        td = target - q_sa
        rate = alpha
        if faq:
            fresh, zmax, e_a = False, 0.0, 0.0
            if verify:  # are the cached logits those of this row? (else exponentiate here)
                zmax = q[i, si, 0] / tau
                for j in range(1, n_actions):
                    z = q[i, si, j] / tau
                    if z > zmax:
                        zmax = z
                for j in range(n_actions):
                    if q[i, si, j] / tau - zmax != logits[i, j]:
                        fresh = True
            total = 0.0
            if fresh:
                for j in range(n_actions):
                    d = q[i, si, j] / tau - zmax
                    value = 1.0 if d == 0.0 else math.exp(d)
                    total += value
                    if j == ai:
                        e_a = value
            else:
                for j in range(n_actions):
                    total += exps[i, j]
                e_a = exps[i, ai]
            x = e_a / total
            rate = alpha * min(beta / max(x, TINY), 1.0)
        q[i, si, ai] = q_sa + rate * td
        total_td += abs(td)
    return total_td


@njit(cache=True)
def _draw_rows(probs: FloatArray, u: FloatArray, out: IntArray) -> None:
    """``out[i] = #{j < A−1 : cum_ij ≤ u_i · cum_i,A−1}`` (``probs`` unchanged)."""
    n_agents, n_actions = probs.shape
    for i in range(n_agents):
        total = 0.0
        for j in range(n_actions):
            total += probs[i, j]
        threshold = u[i] * total
        cum, action = 0.0, 0
        for j in range(n_actions - 1):
            cum += probs[i, j]
            if cum <= threshold:
                action += 1
        out[i] = action


@njit(cache=True)
def _epsilon_rows(q: FloatArray, epsilon: float, out: FloatArray) -> None:
    """ε-greedy probabilities of each row of ``q[m, A]`` (a row with a NaN gives NaNs)."""
    n_agents, n_actions = q.shape
    explore = epsilon / n_actions
    for i in range(n_agents):
        best, ties, nan = q[i, 0], 0, False
        for j in range(n_actions):
            nan |= math.isnan(q[i, j])
            if q[i, j] > best:
                best = q[i, j]
        for j in range(n_actions):
            ties += q[i, j] == best
        for j in range(n_actions):
            greedy = (1.0 / ties if q[i, j] == best else 0.0) if not nan else math.nan
            out[i, j] = explore + (1.0 - epsilon) * greedy


def draw_rows(probs: FloatArray, u: FloatArray) -> Actions:
    """``int64[m]``: the inverse-CDF draw of :func:`~.exploration.sample` (2-D ``probs``)."""
    out = np.empty(probs.shape[0], dtype=np.int64)
    _draw_rows(np.ascontiguousarray(probs, dtype=np.float64), u, out)
    return out


def epsilon_rows(q: FloatArray, epsilon: float) -> FloatArray:
    """``float64[m, A]``: :func:`~.exploration.epsilon_greedy` of a 2-D ``q``."""
    out = np.empty(q.shape, dtype=np.float64)
    _epsilon_rows(np.ascontiguousarray(q, dtype=np.float64), float(epsilon), out)
    return out


def _as_states(values: object, m: int) -> IntArray:
    out: IntArray = np.ascontiguousarray(np.asarray(values, dtype=np.int64).reshape(-1))
    if out.shape[0] != m:
        raise ValueError(f"expected {m} states or actions, got {out.shape[0]}")
    return out


def _pairs(q: FloatArray) -> bool:
    """One state and two actions: the branch-free row kernels apply."""
    return bool(q.shape[1] == 1 and q.shape[2] == 2)


def _raise_index(what: str, index: int) -> None:
    raise IndexError(f"{what} of agent {index} is out of range of the Q-table")


class SoftmaxRows:
    """Buffers ``logits[m, A]`` and ``exps = exp(logits)`` of the rows an act last used.

    The update reuses them for FAQ's ``x_a`` after checking, row by row, that the row's
    logits are bit-identical (so the cached ``exp`` is exactly the one it would compute).
    """

    def __init__(self, m: int, n_actions: int) -> None:
        self.logits: FloatArray = np.zeros((m, n_actions))
        self.exps: FloatArray = np.zeros((m, n_actions))
        self.valid = False

    def fill(self, q: FloatArray, s: IntArray, tau: float) -> None:
        """Logits and exps of the rows ``q[i, s_i]`` (``IndexError`` for a bad state)."""
        self.valid = False
        if _pairs(q):
            bad = first_outside(s, 1)
            if bad < 0:
                logits_pairs(q.reshape(q.shape[0], 2), float(tau), self.logits)
        else:
            bad = _logits(q, s, float(tau), self.logits)
        if bad >= 0:
            _raise_index("state", bad)
        np.exp(self.logits, out=self.exps)
        self.valid = True


def sample_softmax(
    q: FloatArray, s: Obs, tau: float, u: FloatArray, rows: SoftmaxRows | None = None
) -> Actions:
    """``int64[m]``: one Boltzmann action per agent from row ``q[i, s_i]`` and uniform ``u_i``.

    ``q``: ``float64[m, S, A]`` (C-contiguous); ``s``: each agent's state; ``u``: uniforms;
    ``rows``: buffers to fill (kept for the next update), else temporary ones.
    """
    m = q.shape[0]
    rows = SoftmaxRows(m, q.shape[2]) if rows is None else rows
    rows.fill(q, _as_states(s, m), tau)
    out = np.empty(m, dtype=np.int64)
    u = np.ascontiguousarray(u, dtype=np.float64)
    (sample_pairs if _pairs(q) else _sample_exps)(rows.exps, u, out)
    return out


def sample_epsilon_greedy(q: FloatArray, s: Obs, epsilon: float, u: FloatArray) -> Actions:
    """``int64[m]``: one ε-greedy action per agent (ties share the greedy mass)."""
    m = q.shape[0]
    out = np.empty(m, dtype=np.int64)
    u = np.ascontiguousarray(u, dtype=np.float64)
    bad = _sample_epsilon_greedy(q, _as_states(s, m), float(epsilon), u, out)
    if bad >= 0:
        _raise_index("state", bad)
    return out


def td_update(
    q: FloatArray,
    s: Obs,
    a: Actions,
    r: FloatArray,
    s_next: Obs | None,
    alpha: float,
    beta: float | None = None,
    tau: float = 1.0,
    gamma: float = 0.0,
    rows: SoftmaxRows | None = None,
) -> float:
    """Update ``q`` in place; return ``Σ_i |TD error_i|``.

    ``beta``: the FAQ constant (``None``: constant rate ``α``); ``s_next``: next states, or
    ``None`` for no bootstrap (``γ = 0`` or a terminated step); ``rows``: the softmax rows
    of the last act (FAQ), reused where still exact.
    """
    m = q.shape[0]
    states = _as_states(s, m)
    actions = _as_states(a, m)
    rewards = np.ascontiguousarray(np.asarray(r, dtype=np.float64).reshape(-1))
    if rewards.shape[0] != m:
        raise ValueError(f"expected {m} rewards, got {rewards.shape[0]}")
    bootstrap = s_next is not None and gamma > 0.0
    nxt = _as_states(s_next, m) if bootstrap else states
    faq = beta is not None
    verify = True
    if not faq:
        rows, verify = _NO_ROWS, False
    elif rows is None or not rows.valid or rows.logits.shape != (m, q.shape[2]):
        rows = SoftmaxRows(m, q.shape[2])
        rows.fill(q, states, tau)
        verify = False
    if _pairs(q):
        for what, values, high in (("state", states, 1), ("action", actions, 2)):
            bad = first_outside(values, high)
            if bad >= 0:
                _raise_index(what, bad)
        if bootstrap and first_outside(nxt, 1) >= 0:
            _raise_index("next state", first_outside(nxt, 1))
        total = td_pairs(
            q.reshape(m, 2),
            actions,
            rewards,
            float(gamma) if bootstrap else 0.0,
            float(alpha),
            0.0 if beta is None else float(beta),
            float(tau),
            faq,
            rows.logits,
            rows.exps,
            verify,
        )
        return float(total)
    error = np.full(1, -1, dtype=np.int64)
    total = _td_update(
        q,
        states,
        actions,
        rewards,
        nxt,
        float(gamma),
        bootstrap,
        float(alpha),
        0.0 if beta is None else float(beta),
        float(tau),
        faq,
        rows.logits,
        rows.exps,
        verify,
        error,
    )
    if error[0] >= 0:
        _raise_index("state or action", int(error[0]))
    return float(total)


_NO_ROWS = SoftmaxRows(1, 1)
