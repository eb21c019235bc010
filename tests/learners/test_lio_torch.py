"""``lio_torch``: the autograd meta-gradient is LIO's exact chain rule (the numpy formula of
``lio_gradients.incentive_gradient``), and the learner runs on the escape room."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from incentive_lab.core import LearnerContext, make_game, make_learner  # noqa: E402
from incentive_lab.learners.exploration import softmax  # noqa: E402
from incentive_lab.learners.lio.lio_gradients import (  # noqa: E402
    giving_counts,
    incentive_gradient,
    incentive_matrix,
    policy_step,
    returns_to_go,
    scores,
    sigmoid,
)
from incentive_lab.learners.lio.lio_torch import Played  # noqa: E402

PARAMS = {"lr": 0.3, "lr_incentive": 1.0, "gamma": 0.9, "cost": 0.05, "r_max": 2.0}


@pytest.mark.parametrize(("seed", "n", "m"), [(0, 2, 1), (1, 3, 2), (2, 3, 1)])
def test_meta_gradient_equals_the_numpy_chain_rule(seed, n, m):
    game = make_game("escape_room", {"n_agents": n, "m_required": m})
    learner = make_learner(
        "lio_torch", PARAMS, LearnerContext.for_game(game), np.random.default_rng(0)
    )
    rng = np.random.default_rng(seed)
    shape = tuple(learner.theta.shape)
    theta, eta = rng.normal(size=shape), rng.normal(size=shape)
    learner.eta = torch.as_tensor(eta.copy())
    learner.baseline = rng.normal(size=shape[:2])
    T, U = 4, 3
    s, a = rng.integers(0, shape[1], (T, n)), rng.integers(0, 3, (T, n))
    env = rng.normal(size=(T, n))
    s_next, a_next = rng.integers(0, shape[1], (U, n)), rng.integers(0, 3, (U, n))
    adv = rng.normal(size=(U, n))
    learner._meta_step(Played(s=s, a=a, env=env, theta=torch.as_tensor(theta)), s_next, a_next, adv)
    got = (learner.eta.numpy() - eta) / PARAMS["lr_incentive"]

    r_max, lr, gamma = PARAMS["r_max"], PARAMS["lr"], PARAMS["gamma"]
    agents = np.broadcast_to(np.arange(n), s.shape)
    psi = scores(softmax(theta[agents, s]), a)
    received = np.stack([incentive_matrix(eta, s[t], a[t], r_max).sum(0) for t in range(T)])
    advantage = returns_to_go(env + received, gamma) - learner.baseline[agents, s]
    theta_hat = policy_step(theta, s, psi, advantage, lr)
    psi_next = scores(
        softmax(theta_hat[np.broadcast_to(np.arange(n), s_next.shape), s_next]), a_next
    )
    sig = sigmoid(eta)
    dsig = r_max * sig * (1 - sig)
    expected = incentive_gradient(adv, s_next, psi_next, s, a, psi, dsig, lr, gamma)
    expected -= PARAMS["cost"] * dsig * giving_counts(s, a, shape[1], 3)
    assert np.abs(expected).max() > 1e-3
    np.testing.assert_allclose(got, expected, atol=1e-10)


def test_runs_on_the_escape_room_and_pays_only_others():
    game = make_game("escape_room", {"n_agents": 2, "m_required": 1})
    learner = make_learner("lio_torch", {}, LearnerContext.for_game(game), np.random.default_rng(0))
    rng = np.random.default_rng(1)
    obs = game.reset(rng)
    from incentive_lab.core import Transition

    for _ in range(50):
        actions = learner.act(obs)
        paid = learner.incentives(obs, actions)
        assert np.all(np.diag(paid) == 0) and paid.min() >= 0
        result = game.step(actions)
        stats = learner.update(
            Transition(
                obs, actions, result.rewards, result.obs, result.terminated, result.truncated
            )
        )
        assert stats["incentive_given"] == pytest.approx(paid.sum())
        obs = game.reset(rng) if result.terminated or result.truncated else result.obs
    assert not np.allclose(learner.eta.numpy(), 0.0)
