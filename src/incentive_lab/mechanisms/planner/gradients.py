"""Exact planner gradients on a normal-form game through the players' next learning step.

The functional core of ``adaptive_planner`` (Baumann, Graepel & Shawe-Taylor, 2020,
"Adaptive mechanism design: learning to promote cooperation", IJCNN). All arrays are over
the ``N`` players of one copy and their ``A`` actions; a joint action ``a`` indexes the
first ``N`` axes of a tensor.

Model
    ``R[a, k]``: base payoff of player ``k`` (the game's payoff tensor, shape
    ``(A,)*N + (N,)``). The planner's parameters ``θ`` have the same shape; it pays
    ``P = r_max · tanh(θ)`` and, if budget-balanced, ``P̃_k(a) = P_k(a) − (1/N) Σ_j P_j(a)``
    (else ``P̃ = P``). Player ``k`` is modelled as a naive policy-gradient learner on a
    softmax mixed strategy ``x_k = softmax(φ_k)``::

        V_k(φ) = Σ_a Π_j x_j(a_j) · (R_k(a) + P̃_k(a))
        φ'_k   = φ_k + η ∇_{φ_k} V_k = φ_k + η J_k g_k,
        g_k[b] = E_{a_−k ~ x_−k}[R_k + P̃_k | a_k = b],   J_k = diag(x_k) − x_k x_kᵀ

    (``J_k`` is the softmax Jacobian, symmetric). The planner maximises the welfare after
    that step minus the expected payment volume now::

        L(θ) = W(x') − c · Σ_a Π_j x_j(a_j) Σ_k |P̃_k(a)|,   W(x') = Σ_a Π_j x'_j(a_j) Σ_i R_i(a)

Chain rule (written out; no autograd)
    ``h_k[b] = E_{a_−k ~ x'_−k}[Σ_i R_i | a_k = b]`` (welfare's partial in ``x'_k``),
    ``u_k = J'_k h_k`` (``∂W/∂φ'_k``), ``w_k = J_k u_k``. Because ``g_k`` is linear in
    ``P̃_k`` with ``∂g_k[b]/∂P̃_k(a) = [a_k = b] Π_{j≠k} x_j(a_j)``::

        ∂W/∂P̃_k(a) = η · w_k[a_k] · Π_{j≠k} x_j(a_j)
        ∂C/∂P̃_k(a) = c · Π_j x_j(a_j) · sign(P̃_k(a))
        ∂L/∂P_k(a)  = G_k(a) − (1/N) Σ_j G_j(a)  (budget-balanced; else G_k(a))
        ∂L/∂θ       = ∂L/∂P · r_max (1 − tanh²θ)

    where ``G = ∂(W − C)/∂P̃``. ``tests/theory/test_planner_gradients.py`` checks this
    against finite differences.
"""

from __future__ import annotations

import numpy as np

from incentive_lab.core.types import FloatArray


def softmax_rows(phi: FloatArray) -> FloatArray:
    """``[N, A]``: row-wise softmax."""
    z = phi - phi.max(axis=-1, keepdims=True)
    e = np.exp(z)
    out: FloatArray = e / e.sum(axis=-1, keepdims=True)
    return out


def outer(x: FloatArray, skip: int | None = None) -> FloatArray:
    """``(A,)*N``: ``Π_j x_j(a_j)`` (player ``skip`` left out, i.e. its factor is 1)."""
    n_players, n_actions = x.shape
    result = np.ones((n_actions,) * n_players)
    for j in range(n_players):
        if j != skip:
            shape = [1] * n_players
            shape[j] = n_actions
            result = result * x[j].reshape(shape)
    return result


def conditional(tensor: FloatArray, x: FloatArray, k: int) -> FloatArray:
    """``[A]``: ``E_{a_−k ~ x_−k}[tensor(a) | a_k = b]`` for each action ``b`` of player ``k``."""
    n_players = x.shape[0]
    weighted = tensor * outer(x, skip=k)
    axes = tuple(j for j in range(n_players) if j != k)
    out: FloatArray = weighted.sum(axis=axes)
    return out


def jacobian(x: FloatArray) -> FloatArray:
    """``[A, A]``: the softmax Jacobian ``diag(x) − x xᵀ`` of one mixed strategy."""
    out: FloatArray = np.diag(x) - np.outer(x, x)
    return out


def planner_payments(theta: FloatArray, r_max: float, budget_balanced: bool) -> FloatArray:
    """``(A,)*N + (N,)``: ``P̃`` — payments per joint action and player."""
    payments = r_max * np.tanh(theta)
    if budget_balanced:
        payments = payments - payments.mean(axis=-1, keepdims=True)
    out: FloatArray = payments
    return out


def naive_step(
    payoffs: FloatArray, payments: FloatArray, x: FloatArray, player_lr: float
) -> FloatArray:
    """``[N, A]``: the players' strategies ``x'`` after one exact policy-gradient step."""
    shaped = payoffs + payments
    phi = np.log(x)
    for k in range(x.shape[0]):
        phi[k] += player_lr * jacobian(x[k]) @ conditional(shaped[..., k], x, k)
    return softmax_rows(phi)


def planner_objective(
    payoffs: FloatArray,
    theta: FloatArray,
    x: FloatArray,
    player_lr: float,
    r_max: float,
    cost: float,
    budget_balanced: bool,
) -> float:
    """``L(θ) = W(x') − c · E_x[Σ_k |P̃_k|]`` (see the module docstring)."""
    payments = planner_payments(theta, r_max, budget_balanced)
    after = naive_step(payoffs, payments, x, player_lr)
    welfare = float((outer(after) * payoffs.sum(axis=-1)).sum())
    spend = float((outer(x) * np.abs(payments).sum(axis=-1)).sum())
    return welfare - cost * spend


def planner_gradient(
    payoffs: FloatArray,
    theta: FloatArray,
    x: FloatArray,
    player_lr: float,
    r_max: float,
    cost: float,
    budget_balanced: bool,
    first_order: bool = False,
) -> tuple[FloatArray, float]:
    """``(∂L/∂θ, W(x'))``: the exact gradient of :func:`planner_objective` and the welfare.

    ``first_order``: evaluate the welfare's partials ``u_k`` at ``x`` instead of ``x'`` —
    the exact gradient of the first-order expansion ``W(x) + Σ_k ∇_{φ_k}W(x)·Δφ_k − C``,
    which the sampled mode (``mechanisms.planner.sampled``) estimates without bias. It
    differs from the exact gradient by ``O(η²)``.
    """
    n_players = x.shape[0]
    payments = planner_payments(theta, r_max, budget_balanced)
    after = naive_step(payoffs, payments, x, player_lr)
    welfare_tensor = payoffs.sum(axis=-1)
    partial_at = x if first_order else after
    grad = np.empty_like(theta)
    for k in range(n_players):
        u = jacobian(partial_at[k]) @ conditional(welfare_tensor, partial_at, k)
        w = jacobian(x[k]) @ u
        shape = [1] * n_players
        shape[k] = x.shape[1]
        grad[..., k] = player_lr * w.reshape(shape) * outer(x, skip=k)
    grad -= cost * outer(x)[..., None] * np.sign(payments)
    if budget_balanced:
        grad = grad - grad.mean(axis=-1, keepdims=True)
    grad = grad * r_max * (1.0 - np.tanh(theta) ** 2)
    welfare = float((outer(after) * welfare_tensor).sum())
    return grad, welfare
