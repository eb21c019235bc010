"""Exact tabular gradients of LIO: a giver's return through the recipients' policy update.

The functional core of ``lio`` (Yang et al., 2020, "Learning to Incentivize Other Learning
Agents", NeurIPS). Arrays of ``m`` agents, ``S`` states, ``A`` actions; an episode of ``T``
steps is ``s[t, i]``, ``a[t, i]`` (``int64[T, m]``).

Incentives
    Giver ``j`` pays every other agent ``i`` the amount
    ``ι_{j→i,t} = r_max · σ(η_j[s_t^i, a_t^i])`` (``σ`` the logistic function): a tabular
    function of the recipient's observation and action, in ``[0, r_max]``.

The recipients' update (tabular softmax REINFORCE, written out)
    With ``Ĝ^i_t = Σ_{t'≥t} γ^{t'−t} (r^i_{t'} + Σ_{j≠i} ι_{j→i,t'})`` and a baseline ``b``
    that does not depend on ``η``::

        θ̂_i[s_t^i] = θ_i[s_t^i] + β Σ_t (Ĝ^i_t − b^i_t) · ψ^i_t,   ψ^i_t = e_{a_t^i} − π_i(·|s_t^i)

    so ``∂θ̂_i/∂η_j[s', a'] = β σ̇_j[s', a'] Σ_t ψ^i_t Σ_{t'≥t} γ^{t'−t} [(s,a)^i_{t'} = (s', a')]``
    with ``σ̇ = r_max σ(η)(1 − σ(η))`` — exact, because ``θ̂`` is linear in the incentives.

The giver's gradient
    Giver ``j`` ascends its own *environment* return after the recipients' update. On the
    next episode (played by ``θ̂``, steps ``u``) the score-function estimate of
    ``∇_{θ̂_i} J_j`` is ``g_{ji}[s] = Σ_u Â^j_u ψ̂^i_u [s_u^i = s]`` (``Â^j`` giver ``j``'s
    env advantage). Contracting with the Jacobian::

        K^i_{u,t}  = [ŝ_u^i = s_t^i] ⟨ψ̂^i_u, ψ^i_t⟩
        M^i_{u,t'} = Σ_{t≤t'} γ^{t'−t} K^i_{u,t}
        ∂J_j/∂η_j[s',a'] = β σ̇_j[s',a'] Σ_u Â^j_u Σ_{i≠j} Σ_t' [(s,a)^i_t' = (s',a')] M^i_{u,t'}

    computed for all givers at once as (all recipients) − (the giver itself), with no
    ``[m, m, …]`` intermediate. The cost of giving, ``c · Σ_t Σ_{i≠j} ι_{j→i,t}``, has the
    direct gradient ``c · σ̇_j[s', a'] · #{(i ≠ j, t): (s,a)^i_t = (s', a')}``.
"""

from __future__ import annotations

import numpy as np

from incentive_lab.core.types import FloatArray, IntArray


def sigmoid(x: FloatArray) -> FloatArray:
    """The logistic function, elementwise."""
    out: FloatArray = 0.5 * (1.0 + np.tanh(0.5 * x))
    return out


def incentive_matrix(eta: FloatArray, s: IntArray, a: IntArray, r_max: float) -> FloatArray:
    """``[m_givers, m_recipients]``: ``ι_{j→i} = r_max σ(η_j[s_i, a_i])``, zero diagonal."""
    amounts: FloatArray = r_max * sigmoid(eta[:, s, a])
    np.fill_diagonal(amounts, 0.0)
    return amounts


def returns_to_go(rewards: FloatArray, gamma: float) -> FloatArray:
    """``[T, m]``: ``G_t = Σ_{t'≥t} γ^{t'−t} r_{t'}``."""
    out = np.empty_like(rewards)
    running = np.zeros(rewards.shape[1:])
    for t in range(rewards.shape[0] - 1, -1, -1):
        running = rewards[t] + gamma * running
        out[t] = running
    return out


def scores(probs: FloatArray, a: IntArray) -> FloatArray:
    """``[T, m, A]``: ``ψ_t = e_{a_t} − π(·|s_t)`` from the probabilities ``[T, m, A]``."""
    out = -probs.copy()
    t_idx, i_idx = np.indices(a.shape)
    out[t_idx, i_idx, a] += 1.0
    return out


def policy_step(
    theta: FloatArray,
    s: IntArray,
    psi: FloatArray,
    advantages: FloatArray,
    lr: float,
) -> FloatArray:
    """``θ̂``: REINFORCE on one episode, ``θ_i[s_t^i] += β Σ_t A^i_t ψ^i_t``."""
    new = theta.copy()
    agents = np.broadcast_to(np.arange(theta.shape[0]), s.shape)
    np.add.at(new, (agents, s), lr * advantages[..., None] * psi)
    return new


def incentive_gradient(
    advantages: FloatArray,
    s_next: IntArray,
    psi_next: FloatArray,
    s: IntArray,
    a: IntArray,
    psi: FloatArray,
    dsig: FloatArray,
    lr: float,
    gamma: float,
) -> FloatArray:
    """``[m, S, A]``: ``∂J_j/∂η_j`` through the recipients' update (module docstring).

    ``advantages[u, j]``, ``s_next``, ``psi_next``: the episode played after the update;
    ``s``, ``a``, ``psi``: the episode the update learned from; ``dsig[j]``: ``σ̇`` of the
    giver's table at the time of that episode.
    """
    n_steps = s.shape[0]
    same = s_next[:, None, :] == s[None, :, :]  # [U, T, m]
    k = same * np.einsum("uia,tia->uti", psi_next, psi)  # [U, T, m]
    lag = np.arange(n_steps)[:, None] - np.arange(n_steps)[None, :]
    decay = np.where(lag >= 0, gamma ** np.maximum(lag, 0), 0.0)  # [t', t]
    m_tensor = np.einsum("pt,uti->upi", decay, k)  # [U, T', m]
    n_agents, n_states, n_actions = dsig.shape
    # all recipients: H[u, s', a'] = Σ_i Σ_t' [(s,a)^i_t' = (s',a')] M^i_{u,t'}
    h = np.zeros((advantages.shape[0], n_states, n_actions))
    u_idx = np.broadcast_to(np.arange(advantages.shape[0])[:, None, None], m_tensor.shape)
    np.add.at(
        h, (u_idx, np.broadcast_to(s, m_tensor.shape), np.broadcast_to(a, m_tensor.shape)), m_tensor
    )
    grad = np.einsum("uj,usa->jsa", advantages, h)
    # minus the giver itself: Σ_u Â^j_u M^j_{u,t'} at (s,a)^j_{t'}
    own = np.einsum("uj,upj->pj", advantages, m_tensor)  # [T', m]
    agents = np.broadcast_to(np.arange(n_agents), s.shape)
    np.add.at(grad, (agents, s, a), -own)
    out: FloatArray = lr * dsig * grad
    return out


def giving_counts(s: IntArray, a: IntArray, n_states: int, n_actions: int) -> FloatArray:
    """``[m, S, A]``: for giver ``j``, ``#{(i ≠ j, t): (s,a)^i_t = (s', a')}``."""
    n_agents = s.shape[1]
    total = np.zeros((n_states, n_actions))
    np.add.at(total, (s, a), 1.0)
    own = np.zeros((n_agents, n_states, n_actions))
    np.add.at(own, (np.broadcast_to(np.arange(n_agents), s.shape), s, a), 1.0)
    out: FloatArray = total[None] - own
    return out


def exact_incentive_gradient(
    outer: FloatArray,
    s: IntArray,
    a: IntArray,
    psi: FloatArray,
    dsig: FloatArray,
    lr: float,
    gamma: float,
) -> FloatArray:
    """``[m, S, A]``: ``∂J_j/∂η_j`` with the exact outer gradient ``outer[j, i] = ∂J_j/∂θ̂_i``.

    ``outer``: ``[m, m, S, A]`` (e.g. from :func:`~.joint_policy_dp.value_gradient` at the
    updated policies); ``s``, ``a``, ``psi``: the episode the recipients' update learned
    from. With ``k[t, j, i] = ⟨outer[j, i, s_t^i], ψ^i_t⟩`` and
    ``M[t', j, i] = Σ_{t≤t'} γ^{t'−t} k[t, j, i]``::

        ∂J_j/∂η_j[s', a'] = β σ̇_j[s', a'] Σ_{i≠j} Σ_t' [(s,a)^i_t' = (s', a')] M[t', j, i]
    """
    n_steps, n_agents = s.shape
    agents = np.arange(n_agents)
    rows = outer[:, agents[None, :], s]  # [j, T, i, A]
    k = np.einsum("jtia,tia->tji", rows, psi)
    lag = np.arange(n_steps)[:, None] - np.arange(n_steps)[None, :]
    decay = np.where(lag >= 0, gamma ** np.maximum(lag, 0), 0.0)  # [t', t]
    m_tensor = np.einsum("pt,tji->pji", decay, k)
    m_tensor[:, agents, agents] = 0.0  # a giver does not pay itself
    shape = m_tensor.shape
    grad = np.zeros(dsig.shape)
    np.add.at(
        grad,
        (
            np.broadcast_to(agents[None, :, None], shape),
            np.broadcast_to(s[:, None, :], shape),
            np.broadcast_to(a[:, None, :], shape),
        ),
        m_tensor,
    )
    out: FloatArray = lr * dsig * grad
    return out
