"""Exact value and policy gradient of a joint tabular softmax policy on a known small game.

Given the tables of a finite-horizon game (:class:`~incentive_lab.core.tabular_model.TabularModel`:
``S`` states, ``J = A^N`` joint actions, horizon ``H``) and every agent's policy table
``probs[i, o, a] = π_i(a | o)`` over its observations ``o``, the joint policy is
``π(j | s) = Π_i π_i(j_i | o_i(s))``. Dynamic programming gives, for every agent ``g``,

    forward   d_0 = e_start,   d_{t+1}(s') = Σ_{s,j} d_t(s) π(j|s) (1 − end[s,j]) P(s'|s,j)
    backward  V_H = 0,   Q_t(s,j) = R(s,j) + γ (1 − end[s,j]) Σ_{s'} P(s'|s,j) V_{t+1}(s'),
              V_t(s) = Σ_j π(j|s) Q_t(s,j)

and ``J_g = V_0(start)_g``, the expected discounted return of agent ``g`` over one episode.
For softmax logits ``θ_i[o, ·]`` the policy-gradient theorem for a finite horizon is exact::

    ∂J_g/∂θ_i[o, ·] = Σ_t γ^t Σ_s d_t(s) [o_i(s) = o] Σ_j π(j|s) Q_{t,g}(s,j) (e_{j_i} − π_i(·|o))

(``d_t`` is the probability of being in ``s`` at step ``t`` with the episode still running).
Everything is vectorised over states, joint actions and agents; the only Python loop is
over the ``H`` steps of the horizon.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from incentive_lab.core.tabular_model import TabularModel
from incentive_lab.core.types import FloatArray


@dataclass(frozen=True)
class JointEvaluation:
    """``d[t, s]`` state occupancy, ``q[t, s, j, g]`` action values, ``pi[s, j]``, ``value[g]``."""

    d: FloatArray
    q: FloatArray
    pi: FloatArray
    value: FloatArray


def joint_policy(model: TabularModel, probs: FloatArray) -> FloatArray:
    """``[S, J]``: ``π(j | s) = Π_i probs[i, o_i(s), j_i]``."""
    agents = np.arange(model.n_agents)
    # per[s, j, i] = probs[i, o_i(s), j_i]
    per = probs[
        agents[None, None, :],
        model.observations[:, None, :],
        model.joint_actions[None, :, :],
    ]
    out: FloatArray = per.prod(axis=-1)
    return out


def evaluate(model: TabularModel, probs: FloatArray, gamma: float) -> JointEvaluation:
    """Occupancies, action values and each agent's value of the joint policy ``probs``."""
    pi = joint_policy(model, probs)
    live = 1.0 - model.terminal.astype(np.float64)  # [S, J]
    flow = pi * live  # [S, J]: probability of continuing with j
    horizon, n_states = model.horizon, model.n_states
    d = np.zeros((horizon, n_states))
    d[0, model.start] = 1.0
    for t in range(horizon - 1):
        d[t + 1] = np.einsum("s,sj,sjk->k", d[t], flow, model.transition)
    q = np.zeros((horizon, n_states, model.n_joint, model.n_agents))
    v_next = np.zeros((n_states, model.n_agents))
    for t in range(horizon - 1, -1, -1):
        cont = np.einsum("sjk,kg->sjg", model.transition, v_next)
        q[t] = model.rewards + gamma * live[..., None] * cont
        v_next = np.einsum("sj,sjg->sg", pi, q[t])
    value: FloatArray = v_next[model.start]
    return JointEvaluation(d=d, q=q, pi=pi, value=value)


def value_gradient(
    model: TabularModel, probs: FloatArray, gamma: float
) -> tuple[FloatArray, FloatArray]:
    """``(J [N], G [N_g, N_i, O, A])``: every agent's value and ``∂J_g/∂θ_i`` (module doc)."""
    ev = evaluate(model, probs, gamma)
    n_agents, n_obs, n_actions = probs.shape
    discount = gamma ** np.arange(model.horizon)
    # W[s, j, g] = Σ_t γ^t d_t(s) π(j|s) Q_{t,g}(s, j)
    w = np.einsum("t,ts,sj,tsjg->sjg", discount, ev.d, ev.pi, ev.q)
    g_t = np.zeros((n_agents, n_obs, n_actions, n_agents))  # [i, o, a, g]
    shape = (model.n_states, model.n_joint, n_agents)
    i_idx = np.broadcast_to(np.arange(n_agents), shape)
    o_idx = np.broadcast_to(model.observations[:, None, :], shape)
    a_idx = np.broadcast_to(model.joint_actions[None, :, :], shape)
    np.add.at(g_t, (i_idx, o_idx, a_idx), np.broadcast_to(w[:, :, None, :], (*shape, n_agents)))
    w_s = w.sum(axis=1)  # [S, g]
    obs = model.observations  # [S, i]
    own = probs[np.arange(n_agents)[None, :], obs]  # [S, i, A]
    np.add.at(
        g_t,
        (np.broadcast_to(np.arange(n_agents), obs.shape), obs),
        -own[..., None] * w_s[:, None, None, :],
    )
    grad: FloatArray = np.moveaxis(g_t, -1, 0)
    return ev.value, grad
