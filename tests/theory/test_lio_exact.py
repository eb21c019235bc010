"""Exact-gradient LIO: the dynamic program on the escape room's tables is the true value,
its policy gradient and the giver's chain rule match finite differences."""

from __future__ import annotations

import numpy as np
import pytest

from incentive_lab.core import ConfigError, make_game
from incentive_lab.core.tabular_model import TabularModel
from incentive_lab.games.escape_room import escape_rewards
from incentive_lab.learners.exploration import softmax
from incentive_lab.learners.lio.joint_policy_dp import evaluate, value_gradient
from incentive_lab.learners.lio.lio_gradients import (
    exact_incentive_gradient,
    incentive_matrix,
    policy_step,
    returns_to_go,
    scores,
    sigmoid,
)

R_MAX, LR, GAMMA = 3.0, 0.5, 0.9


def model(n=2, m=1):
    return make_game("escape_room", {"n_agents": n, "m_required": m}).tabular_model


@pytest.mark.parametrize(("n", "m"), [(2, 1), (3, 2)])
def test_escape_room_tables_agree_with_the_step_rule(n, m):
    tables = model(n, m)
    game = make_game("escape_room", {"n_agents": n, "m_required": m})
    rng = np.random.default_rng(0)
    for _ in range(100):
        s, j = rng.integers(tables.n_states), rng.integers(tables.n_joint)
        positions = tables.joint_actions[s]
        rewards, done = escape_rewards(positions, tables.joint_actions[j], m)
        assert game.encode(positions) == s
        np.testing.assert_array_equal(tables.rewards[s, j], rewards)
        assert tables.terminal[s, j] == done and tables.transition[s, j, j] == 1.0


def test_value_of_deterministic_policies_is_the_hand_computed_return():
    tables = model()
    probs = np.full((2, 9, 3), 1e-12)
    probs[0, :, 0] = probs[1, :, 2] = 1.0  # agent 0 to the lever, agent 1 to the door
    np.testing.assert_allclose(evaluate(tables, probs, 1.0).value, [-1.0, 10.0], atol=1e-9)
    probs = np.full((2, 9, 3), 1e-12)
    probs[:, :, 1] = 1.0  # everyone stays at the start: nothing ever happens
    np.testing.assert_allclose(evaluate(tables, probs, 1.0).value, [0.0, 0.0], atol=1e-9)


def test_value_is_the_monte_carlo_return():
    tables = model()
    probs = softmax(np.random.default_rng(3).normal(size=(2, 9, 3)))
    exact = evaluate(tables, probs, 1.0).value
    game = make_game("escape_room", {"n_agents": 2, "m_required": 1})
    rng = np.random.default_rng(4)
    total = np.zeros(2)
    episodes = 4000
    for _ in range(episodes):
        obs = game.reset(rng)
        for _ in range(game.max_steps):
            u = rng.random((2, 1))
            actions = (probs[[0, 1], obs].cumsum(axis=1) <= u).sum(axis=1).astype(np.int64)
            result = game.step(actions)
            total += result.rewards
            obs = result.obs
            if result.terminated:
                break
    np.testing.assert_allclose(total / episodes, exact, atol=0.25)


@pytest.mark.parametrize("seed", [0, 1])
def test_value_gradient_matches_finite_differences(seed):
    tables = model()
    theta = np.random.default_rng(seed).normal(size=(2, 9, 3))
    _, grad = value_gradient(tables, softmax(theta), GAMMA)
    eps = 1e-6
    for i, o, a in [(0, 4, 0), (1, 4, 2), (0, 4, 1), (1, 3, 2), (0, 5, 0)]:
        up, down = theta.copy(), theta.copy()
        up[i, o, a] += eps
        down[i, o, a] -= eps
        high = evaluate(tables, softmax(up), GAMMA).value
        low = evaluate(tables, softmax(down), GAMMA).value
        numeric = (high - low) / (2 * eps)
        np.testing.assert_allclose(grad[:, i, o, a], numeric, atol=1e-6)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_giver_gradient_through_the_update_matches_finite_differences(seed):
    """J_j(η) = V_j(θ̂(η)): exact chain rule vs central differences on ER(3, 2)."""
    tables = model(3, 2)
    rng = np.random.default_rng(seed)
    n, n_obs, steps = 3, tables.n_states, 4
    theta, eta = rng.normal(size=(n, n_obs, 3)), rng.normal(size=(n, n_obs, 3))
    s, a = rng.integers(0, n_obs, (steps, n)), rng.integers(0, 3, (steps, n))
    env, baseline = rng.normal(size=(steps, n)), rng.normal(size=(steps, n))
    agents = np.broadcast_to(np.arange(n), s.shape)
    psi = scores(softmax(theta[agents, s]), a)

    def theta_hat(e):
        received = np.stack([incentive_matrix(e, s[t], a[t], R_MAX).sum(0) for t in range(steps)])
        advantage = returns_to_go(env + received, GAMMA) - baseline
        return policy_step(theta, s, psi, advantage, LR)

    _, outer = value_gradient(tables, softmax(theta_hat(eta)), GAMMA)
    sig = sigmoid(eta)
    exact = exact_incentive_gradient(outer, s, a, psi, R_MAX * sig * (1 - sig), LR, GAMMA)
    eps = 1e-6
    visited = {(int(s[t, i]), int(a[t, i])) for t in range(steps) for i in range(n)}
    for idx in sorted(visited)[:8]:
        for giver in range(n):
            up, down = eta.copy(), eta.copy()
            up[(giver, *idx)] += eps
            down[(giver, *idx)] -= eps
            numeric = (
                evaluate(tables, softmax(theta_hat(up)), GAMMA).value[giver]
                - evaluate(tables, softmax(theta_hat(down)), GAMMA).value[giver]
            ) / (2 * eps)
            assert exact[(giver, *idx)] == pytest.approx(numeric, abs=1e-6), (giver, idx)


def test_bad_tables_are_refused():
    with pytest.raises(ConfigError, match="transition"):
        TabularModel(
            np.ones((2, 3, 2)) / 2,
            np.zeros((2, 3, 1)),
            np.zeros((2, 3)),
            np.zeros((2, 1), int),
            2,
            0,
            3,
        )
    with pytest.raises(ConfigError, match="horizon"):
        TabularModel(
            np.ones((2, 2, 2)) / 2,
            np.zeros((2, 2, 1)),
            np.zeros((2, 2)),
            np.zeros((2, 1), int),
            2,
            0,
            0,
        )


def test_large_rooms_publish_no_tables():
    assert make_game("escape_room", {"n_agents": 9, "m_required": 2}).tabular_model is None
