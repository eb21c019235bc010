"""Sampled planner gradients: ``adaptive_planner`` on any game, from observed play.

The sampled mode of ``adaptive_planner`` (Baumann, Graepel & Shawe-Taylor, 2020, "Adaptive
mechanism design: learning to promote cooperation", IJCNN, §III "policy gradient
approximation"). It needs no payoff tensor: only the core ``Game`` protocol on the step
just played (``copies``, ``deviation``) and the step's actions.

Players and roles
    Agents are grouped by ``game.copies``. In ``joint`` mode every copy has ``N`` agents;
    an agent's *role* is its rank (by agent index) inside its copy, and the planner pays
    role ``k`` an amount ``P_k(a)`` of the copy's joint action ``a`` (feature
    ``(a, k)`` of a table of shape ``(A,)*N + (N,)``, as in the exact mode). In ``own``
    mode the players are taken as exchangeable (one role) and the payment is a function of
    the agent's own action only, ``P(a_i)`` (``A`` features). The mechanism contract gives
    no observations, so "own" means the own action. ``P = r_max · tanh(θ)``; with budget
    balance ``P̃_i = P_i − mean_{j ∈ copy(i)} P_j`` (money moves only inside a copy).

Model and objective (the exact mode's, to first order)
    Role ``k`` plays the mixed strategy ``x_k`` (the planner's moving-average estimate),
    modelled as a softmax learner taking one naive policy-gradient step
    ``Δφ_k = η E[(R_k + P̃_k) s_k(a_k)]`` with score ``s_k(b) = e_b − x_k``. To first order
    in ``η`` the planner ascends, per copy,
    ``L(θ) = W + η Σ_k ∇_{φ_k}W · Δφ_k/η − c E[Σ_k |P̃_k|]``, whose gradient is::

        ∂L/∂P̃_k = η E[u_k]·E[s_k(a_k) ∂P̃_k(a)] − c E[sign(P̃_k(a)) ∂P̃_k(a)],
        u_k = ∇_{φ_k}W = J_k h_k,  h_k[b] = E[W_copy | a_k = b],  J_k = diag(x_k) − x_k x_kᵀ

Estimator (unbiased for this gradient; vectorised over agents, no per-agent loop)
    * ``ĥ_i[b]``: the copy welfare had agent ``i`` played ``b`` and the others not changed,
      one ``game.deviation`` call per action ``b`` (``A`` calls, each O(n) in games that
      vectorise ``deviation``). It depends on ``a_−i`` only and is unbiased for ``h_k``.
    * ``û_i = J_k ĥ_i``; the factor multiplying agent ``i``'s score is the mean of ``û``
      over the agents of the same role in the *other* copies (leave-one-copy-out), which
      is independent of agent ``i``'s own sample, so the product of the two expectations
      is estimated without bias. A game with a single copy has no other copies: the
      previous step's mean ``û`` per role is used instead (zero at the first step).
    * per agent ``G_i = η û_{−copy(i)}·s_k(a_i) − c sign(P̃_i)``; budget balance maps it
      to ``G_i − mean_{copy(i)} G``; the gradient is
      ``∂L/∂θ_f = r_max (1 − tanh² θ_f) · Σ_{i: f_i = f} G_i / (number of copies)``.

Sequential games (the gridworlds ``coins``, ``harvest``, ``cleanup``)
    Rows of many copies work as above (roles are the players: row ``i·C + c`` is player
    ``i`` of copy ``c``; coins pays on the joint action, harvest and cleanup with 8 and 9
    actions on the own action). ``ĥ`` is the *one-step* counterfactual welfare of the step
    just played, as in the paper's repeated matrix games: an action whose value shows only
    in later steps (cleanup's ``clean``, which pays nobody now) gets no credit from it.
    ``tests/theory/test_planner_sampled.py`` checks the payments, the per-copy budget
    balance and ``ĥ_i[a_i]`` = the copy's welfare on all three games.

``mechanisms.planner.gradients.planner_gradient(first_order=True)`` is the exact value of
this gradient on a normal-form game; ``tests/theory/test_planner_sampled.py`` checks the
Monte Carlo mean of the estimator against it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from incentive_lab.core.game import Game
from incentive_lab.core.types import Actions, FloatArray, IntArray
from incentive_lab.mechanisms.copies import copy_mean


def copy_roles(copies: IntArray) -> tuple[IntArray, IntArray]:
    """``(roles, sizes)``: each agent's rank by index inside its copy, and its copy's size."""
    copies = np.asarray(copies, dtype=np.int64)
    order = np.argsort(copies, kind="stable")
    counts = np.bincount(copies)
    starts = np.cumsum(counts) - counts
    roles = np.empty_like(copies)
    roles[order] = np.arange(copies.shape[0]) - starts[copies[order]]
    return roles, counts[copies]


def joint_features(actions: Actions, copies: IntArray, roles: IntArray, n_actions: int) -> IntArray:
    """``int64[n]``: flat index of ``(joint action of the copy, role)`` in ``(A,)*N + (N,)``."""
    n_roles = int(roles.max()) + 1
    weights = n_actions ** (n_roles - 1 - roles)
    joint = np.bincount(copies, weights=actions * weights).astype(np.int64)
    features: IntArray = joint[copies] * n_roles + roles
    return features


def welfare_by_action(game: Game[Any], actions: Actions, n_actions: int) -> FloatArray:
    """``[n, A]``: ``ĥ_i[b]``, copy welfare of the last step had agent ``i`` played ``b``."""
    n = actions.shape[0]
    columns = [
        game.deviation(actions, np.full(n, b, dtype=np.int64)).copy_welfare
        for b in range(n_actions)
    ]
    out: FloatArray = np.stack(columns, axis=1).astype(np.float64)
    return out


def welfare_scores(welfare: FloatArray, x_agent: FloatArray) -> FloatArray:
    """``[n, A]``: ``û_i = J(x) ĥ_i = x ⊙ ĥ_i − x (x·ĥ_i)`` per agent."""
    out: FloatArray = x_agent * (welfare - (x_agent * welfare).sum(axis=1, keepdims=True))
    return out


def leave_copy_out(
    scores: FloatArray, copies: IntArray, roles: IntArray, n_roles: int, fallback: FloatArray
) -> FloatArray:
    """``[n, A]``: mean of ``scores`` over same-role agents of other copies (else ``fallback``)."""
    n_actions = scores.shape[1]
    role_total = np.stack(
        [np.bincount(roles, weights=scores[:, b], minlength=n_roles) for b in range(n_actions)], 1
    )
    role_count = np.bincount(roles, minlength=n_roles)
    cell = copies * n_roles + roles
    cell_total = np.stack([np.bincount(cell, weights=scores[:, b]) for b in range(n_actions)], 1)
    cell_count = np.bincount(cell)
    others = (role_count[roles] - cell_count[cell]).astype(np.float64)
    total = role_total[roles] - cell_total[cell]
    has = others > 0
    out: FloatArray = np.where(
        has[:, None], total / np.maximum(others, 1.0)[:, None], fallback[roles]
    )
    return out


def sampled_gradient(
    actions: Actions,
    copies: IntArray,
    roles: IntArray,
    features: IntArray,
    welfare: FloatArray,
    x: FloatArray,
    theta: FloatArray,
    *,
    player_lr: float,
    r_max: float,
    cost: float,
    budget_balanced: bool,
    fallback: FloatArray | None = None,
) -> tuple[FloatArray, FloatArray]:
    """``(∂L/∂θ estimate (θ's shape), mean û per role [R, A])`` from one step's samples.

    ``welfare``: :func:`welfare_by_action`; ``x``: ``[R, A]`` modelled strategies;
    ``theta``: the planner's parameters (any shape; ``features`` index its flat view).
    """
    n_roles = x.shape[0]
    flat = theta.reshape(-1)
    x_agent = x[roles]
    scores = welfare_scores(welfare, x_agent)
    role_count = np.maximum(np.bincount(roles, minlength=n_roles), 1)
    mean_scores = (
        np.stack(
            [
                np.bincount(roles, weights=scores[:, b], minlength=n_roles)
                for b in range(x.shape[1])
            ],
            1,
        )
        / role_count[:, None]
    )
    if fallback is None:
        fallback = np.zeros_like(x)
    factor = leave_copy_out(scores, copies, roles, n_roles, fallback)
    index = np.arange(actions.shape[0])
    score_term = factor[index, actions] - (factor * x_agent).sum(axis=1)
    payments = r_max * np.tanh(flat[features])
    if budget_balanced:
        payments = payments - copy_mean(payments, copies)
    g = player_lr * score_term - cost * np.sign(payments)
    if budget_balanced:
        g = g - copy_mean(g, copies)
    n_copies = int(np.count_nonzero(np.bincount(copies)))
    grad = np.bincount(features, weights=g, minlength=flat.shape[0]) / n_copies
    grad = grad * r_max * (1.0 - np.tanh(flat) ** 2)
    return grad.reshape(theta.shape), mean_scores
