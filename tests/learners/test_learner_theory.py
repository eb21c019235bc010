"""Learners against theory: replicator field, bandit learning, logit rest points, FAQ flow."""

from __future__ import annotations

import numpy as np

from incentive_lab.core import Transition, make_learner
from incentive_lab.learners.exploration import softmax

from .conftest import make_context


def stateless(learner_id, params, m, n_actions, seed=0):
    ctx = make_context(m, n_actions=n_actions, n_states=1)
    return make_learner(learner_id, params, ctx, np.random.default_rng(seed))


def update(learner, actions, rewards):
    obs = np.zeros(actions.shape[0], dtype=np.int64)
    return learner.update(Transition(obs, actions, rewards, obs))


def test_cross_learning_expected_step_is_the_replicator_field():
    m, lr = 200_000, 0.5
    x0 = np.array([0.2, 0.3, 0.5])
    f = np.array([0.9, 0.5, 0.2])  # expected normalised payoffs (Bernoulli rewards)
    learner = stateless("cross_learning", {"lr": lr}, m, 3, seed=1)
    learner.x[:] = x0
    env = np.random.default_rng(2)
    obs = np.zeros(m, dtype=np.int64)
    actions = learner.act(obs)
    rewards = (env.random(m) < f[actions]).astype(np.float64)
    update(learner, actions, rewards)
    delta = learner.policy(obs) - x0
    mean, se = delta.mean(axis=0), delta.std(axis=0, ddof=1) / np.sqrt(m)
    field = lr * x0 * (f - x0 @ f)
    np.testing.assert_array_less(np.abs(mean - field), 4.0 * se)
    # the field is far outside the noise, so a wrong rule (e.g. no update) would fail
    assert np.all(np.abs(field) > 20.0 * se)


def test_epsilon_greedy_q_learning_finds_the_better_arm():
    m, p = 500, np.array([0.4, 0.6])
    learner = stateless("q_learning", {"alpha": 0.05, "epsilon": 0.1}, m, 2, seed=3)
    env = np.random.default_rng(4)
    obs = np.zeros(m, dtype=np.int64)
    for _ in range(3000):
        a = learner.act(obs)
        update(learner, a, (env.random(m) < p[a]).astype(np.float64))
    greedy = learner.q[:, 0].argmax(axis=1)
    assert (greedy == 1).mean() > 0.95
    # the better arm is played ~ (1 − ε) + ε/2 of the time, so its value is well estimated
    assert abs(learner.q[:, 0, 1].mean() - 0.6) < 0.01


def _fixed_payoff_run(learner_id, params, f, noise, steps, m=200):
    learner = stateless(learner_id, params, m, f.shape[0], seed=5)
    env = np.random.default_rng(6)
    obs = np.zeros(m, dtype=np.int64)
    for _ in range(steps):
        a = learner.act(obs)
        update(learner, a, f[a] + noise * env.standard_normal(m))
    return learner, obs


def test_boltzmann_q_converges_to_payoffs_and_logit_policy():
    f, tau = np.array([1.0, 0.5, 0.0]), 0.5
    learner, obs = _fixed_payoff_run("boltzmann_q", {"alpha": 0.1, "tau": tau}, f, 0.0, 2000)
    np.testing.assert_allclose(learner.q[:, 0], np.tile(f, (200, 1)), atol=1e-6)
    np.testing.assert_allclose(learner.policy(obs), softmax(np.tile(f, (200, 1)), tau), atol=1e-6)


def test_faq_converges_to_payoffs_and_logit_policy_under_noise():
    f, tau = np.array([1.0, 0.5, 0.0]), 0.5
    params = {"alpha": 0.05, "beta": 0.05, "tau": tau}
    learner, obs = _fixed_payoff_run("faq", params, f, 0.5, 3000)
    q = learner.q[:, 0]
    # the stationary spread of each Q entry is ~ 0.5·sqrt(rate/2); the group mean is tighter
    np.testing.assert_allclose(q.mean(axis=0), f, atol=0.02)
    logit = softmax(f[None], tau)[0]
    np.testing.assert_allclose(learner.policy(obs).mean(axis=0), logit, atol=0.02)


def test_faq_expected_step_follows_selection_mutation_dynamics():
    """Exact expectation over the played action (3 agents = the 3 possible actions)."""
    alpha, beta, tau = 1e-3, 0.1, 0.5
    x = np.array([0.2, 0.3, 0.5])
    f = np.array([0.8, 0.1, 0.3])
    learner = stateless("faq", {"alpha": alpha, "beta": beta, "tau": tau}, 3, 3)
    learner.q[:, 0] = tau * np.log(x)  # policy x for every agent
    actions = np.arange(3, dtype=np.int64)  # agent k plays action k
    obs = np.zeros(3, dtype=np.int64)
    update(learner, actions, f[actions])
    expected_step = x @ (learner.policy(obs) - x)  # Σ_a x_a (x'(a) − x)
    # E[ΔQ_a] = x_a·α·(β/x_a)·(f_a − Q_a) = αβ(f_a − τ ln x_a): with every x_a ≥ β the values
    # all move at rate αβ, so the policy follows the flow with time scaled by β
    flow = x * (alpha / tau) * (f - x @ f) - alpha * x * (np.log(x) - x @ np.log(x))
    np.testing.assert_allclose(expected_step, beta * flow, rtol=0.02, atol=1e-9)
    assert np.linalg.norm(beta * flow) > 1e-5
