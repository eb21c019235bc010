"""LIO's exact chain rule: the giver's gradient through the recipients' REINFORCE update
matches finite differences of the same functional of the updated policy parameters."""

from __future__ import annotations

import numpy as np
import pytest

from incentive_lab.learners.exploration import softmax
from incentive_lab.learners.lio.lio_gradients import (
    giving_counts,
    incentive_gradient,
    incentive_matrix,
    policy_step,
    returns_to_go,
    scores,
    sigmoid,
)

M, S, A, T, U = 3, 4, 3, 5, 6
R_MAX, LR, GAMMA = 2.0, 0.3, 0.9


def updated_theta(theta, eta, s, a, env, baseline):
    """θ̂ after one REINFORCE step on env + received incentives (η-dependent part exact)."""
    received = np.stack([incentive_matrix(eta, s[t], a[t], R_MAX).sum(axis=0) for t in range(T)])
    agents = np.broadcast_to(np.arange(M), s.shape)
    psi = scores(softmax(theta[agents, s]), a)
    advantage = returns_to_go(env + received, GAMMA) - baseline
    return policy_step(theta, s, psi, advantage, LR), psi


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_incentive_gradient_matches_finite_differences(seed):
    rng = np.random.default_rng(seed)
    theta = rng.normal(size=(M, S, A))
    eta = rng.normal(size=(M, S, A))
    s, a = rng.integers(0, S, (T, M)), rng.integers(0, A, (T, M))
    env, baseline = rng.normal(size=(T, M)), rng.normal(size=(T, M))
    s_next, a_next = rng.integers(0, S, (U, M)), rng.integers(0, A, (U, M))
    adv = rng.normal(size=(U, M))
    theta_hat, psi = updated_theta(theta, eta, s, a, env, baseline)
    agents = np.broadcast_to(np.arange(M), s_next.shape)
    psi_next = scores(softmax(theta_hat[agents, s_next]), a_next)

    def outer(j, th):
        """F_j(θ̂) = Σ_{i≠j} Σ_u Â^j_u ⟨ψ̂^i_u, θ̂_i[ŝ^i_u]⟩ (ψ̂ held fixed): its θ̂-gradient is g_j."""
        return sum(
            adv[u, j] * psi_next[u, i] @ th[i, s_next[u, i]]
            for u in range(U)
            for i in range(M)
            if i != j
        )

    sig = sigmoid(eta)
    dsig = R_MAX * sig * (1 - sig)
    exact = incentive_gradient(adv, s_next, psi_next, s, a, psi, dsig, LR, GAMMA)
    eps = 1e-6
    for j in range(M):
        for index in np.ndindex(S, A):
            up, down = eta.copy(), eta.copy()
            up[(j, *index)] += eps
            down[(j, *index)] -= eps
            numeric = (
                outer(j, updated_theta(theta, up, s, a, env, baseline)[0])
                - outer(j, updated_theta(theta, down, s, a, env, baseline)[0])
            ) / (2 * eps)
            assert exact[(j, *index)] == pytest.approx(numeric, abs=1e-6)


def test_giving_counts_exclude_the_giver_itself():
    s = np.array([[0, 0, 1]])
    a = np.array([[2, 2, 0]])
    counts = giving_counts(s, a, 2, 3)
    assert counts[0, 0, 2] == 1 and counts[2, 0, 2] == 2 and counts[2, 1, 0] == 0


def test_incentive_matrix_is_bounded_with_zero_diagonal():
    eta = np.random.default_rng(0).normal(size=(4, 2, 3)) * 10
    paid = incentive_matrix(eta, np.array([0, 1, 0, 1]), np.array([2, 0, 1, 2]), R_MAX)
    assert np.all(np.diag(paid) == 0) and paid.min() >= 0 and paid.max() <= R_MAX
    assert paid[1, 0] == pytest.approx(R_MAX * sigmoid(eta[1, 0, 2]))
