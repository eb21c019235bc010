"""The adaptive planner's chain rule matches finite differences (2 and 3 players)."""

from __future__ import annotations

import numpy as np
import pytest

from incentive_lab.mechanisms.planner.gradients import (
    naive_step,
    planner_gradient,
    planner_objective,
    planner_payments,
    softmax_rows,
)

PD = np.array([[[3.0, 3.0], [0.0, 5.0]], [[5.0, 0.0], [1.0, 1.0]]])


def numeric_gradient(payoffs, theta, x, **kw):
    grad = np.zeros_like(theta)
    eps = 1e-6
    for index in np.ndindex(theta.shape):
        up, down = theta.copy(), theta.copy()
        up[index] += eps
        down[index] -= eps
        grad[index] = (
            planner_objective(payoffs, up, x, **kw) - planner_objective(payoffs, down, x, **kw)
        ) / (2 * eps)
    return grad


@pytest.mark.parametrize("budget_balanced", [False, True])
@pytest.mark.parametrize("shape", [(2, 2, 2), (3, 3, 2), (2, 2, 2, 3)])
def test_exact_gradient_matches_finite_differences(shape, budget_balanced):
    rng = np.random.default_rng(sum(shape))
    n_players, n_actions = shape[-1], shape[0]
    payoffs = rng.normal(size=shape)
    theta = rng.normal(size=shape)
    x = softmax_rows(rng.normal(size=(n_players, n_actions)))
    kw = dict(player_lr=0.7, r_max=2.0, cost=0.3, budget_balanced=budget_balanced)
    exact, welfare = planner_gradient(payoffs, theta, x, **kw)
    np.testing.assert_allclose(exact, numeric_gradient(payoffs, theta, x, **kw), atol=1e-6)
    after = naive_step(payoffs, np.zeros(shape), x, 0.0)
    np.testing.assert_allclose(after, x)  # a zero step leaves the strategies unchanged
    assert np.isfinite(welfare)


def test_pd_gradient_rewards_cooperation_and_punishes_defection():
    """At uniform play in the PD, raising any pay for C and lowering pay for D helps welfare."""
    x = np.full((2, 2), 0.5)
    grad, _ = planner_gradient(
        PD, np.zeros_like(PD), x, player_lr=1.0, r_max=1.0, cost=0.0, budget_balanced=False
    )
    assert np.all(grad[0, :, 0] > 0) and np.all(grad[1, :, 0] < 0)  # row player: C up, D down
    assert np.all(grad[:, 0, 1] > 0) and np.all(grad[:, 1, 1] < 0)  # column player


def test_budget_balanced_payments_and_gradient_sum_to_zero_over_players():
    rng = np.random.default_rng(3)
    theta = rng.normal(size=PD.shape)
    x = np.full((2, 2), 0.5)
    kw = dict(player_lr=1.0, r_max=2.0, cost=0.1, budget_balanced=True)
    grad, _ = planner_gradient(PD, theta, x, **kw)
    np.testing.assert_allclose(planner_payments(theta, 2.0, True).sum(axis=-1), 0.0, atol=1e-12)
    # the balanced payments only see θ through its deviation from the joint action's mean
    np.testing.assert_allclose((grad / (1 - np.tanh(theta) ** 2)).sum(axis=-1), 0.0, atol=1e-12)
