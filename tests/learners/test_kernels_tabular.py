"""Fused tabular kernels equal the NumPy path (policy + sample, TD / FAQ updates, seeding)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from gymnasium import spaces

from incentive_lab.core.learner import LearnerContext, Transition
from incentive_lab.learners import kernels_tabular as kernels
from incentive_lab.learners.exploration import epsilon_greedy, sample, softmax
from incentive_lab.learners.tabular.faq import FAQ, FAQParams
from incentive_lab.learners.tabular.q_learning import BoltzmannQ, BoltzmannQParams

SHAPES = [(1, 2), (1, 3), (4, 2), (3, 5), (2, 9)]  # (states, actions): pair and general kernels


def context(m: int, n_states: int, n_actions: int) -> LearnerContext:
    return LearnerContext(
        agents=np.arange(m, dtype=np.int64),
        n_actions=n_actions,
        observation_space=spaces.Discrete(n_states),
        population_size=m,
    )


class NumpyFAQ(FAQ):
    """FAQ forced onto the NumPy reference path (probs + sample, step_sizes + fancy index)."""

    def kernel_policy(self) -> tuple[str, float] | None:
        return None

    def kernel_beta(self) -> float | None:
        return None


def random_q(rng: np.random.Generator, m: int, n_states: int, n_actions: int) -> Any:
    q = rng.normal(0.0, 3.0, size=(m, n_states, n_actions))
    q[: m // 4] = np.round(q[: m // 4])  # ties (including exact maxima shared)
    return q


@pytest.mark.parametrize(("n_states", "n_actions"), SHAPES)
@pytest.mark.parametrize("tau", [0.05, 1.0, 7.0])
def test_softmax_sampling_equals_numpy(n_states: int, n_actions: int, tau: float) -> None:
    rng = np.random.default_rng(11)
    m = 3000
    q = random_q(rng, m, n_states, n_actions)
    s = rng.integers(0, n_states, m)
    expected = sample(softmax(q[np.arange(m), s], tau), np.random.default_rng(5))
    got = kernels.sample_softmax(q, s, tau, np.random.default_rng(5).random(m))
    assert np.array_equal(got, expected)
    rows = kernels.SoftmaxRows(m, n_actions)
    rows.fill(q, s, tau)
    probs = rows.exps / rows.exps.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(probs, softmax(q[np.arange(m), s], tau), rtol=1e-14, atol=0)


@pytest.mark.parametrize(("n_states", "n_actions"), SHAPES)
@pytest.mark.parametrize("epsilon", [0.0, 0.1, 1.0])
def test_epsilon_greedy_sampling_equals_numpy(
    n_states: int, n_actions: int, epsilon: float
) -> None:
    rng = np.random.default_rng(12)
    m = 3000
    q = np.round(random_q(rng, m, n_states, n_actions))  # many ties
    s = rng.integers(0, n_states, m)
    expected = sample(epsilon_greedy(q[np.arange(m), s], epsilon), np.random.default_rng(6))
    got = kernels.sample_epsilon_greedy(q, s, epsilon, np.random.default_rng(6).random(m))
    assert np.array_equal(got, expected)


def reference_update(
    q: Any,
    s: Any,
    a: Any,
    r: Any,
    s_next: Any,
    alpha: float,
    beta: float | None,
    tau: float,
    gamma: float,
) -> tuple[Any, float]:
    """The NumPy TD / FAQ update, written out from the formulas."""
    q = q.copy()
    idx = np.arange(q.shape[0])
    q_sa = q[idx, s, a]
    target = r + (gamma * q[idx, s_next].max(axis=-1) if s_next is not None else 0.0)
    td = target - q_sa
    rate: Any = alpha
    if beta is not None:
        x = softmax(q[idx, s], tau)[idx, a]
        rate = alpha * np.minimum(beta / np.maximum(x, np.finfo(np.float64).tiny), 1.0)
    q[idx, s, a] = q_sa + rate * td
    return q, float(np.abs(td).mean())


@pytest.mark.parametrize(("n_states", "n_actions"), SHAPES)
@pytest.mark.parametrize("beta", [None, 0.01, 0.3])
@pytest.mark.parametrize("gamma", [0.0, 0.9])
@pytest.mark.parametrize("cache", ["none", "fresh", "stale"])
def test_td_update_equals_numpy(
    n_states: int, n_actions: int, beta: float | None, gamma: float, cache: str
) -> None:
    rng = np.random.default_rng(13)
    m, tau, alpha = 2000, 0.7, 0.3
    q = random_q(rng, m, n_states, n_actions)
    s, s_next = rng.integers(0, n_states, m), rng.integers(0, n_states, m)
    a, r = rng.integers(0, n_actions, m), rng.normal(size=m)
    rows = None
    if cache != "none":
        rows = kernels.SoftmaxRows(m, n_actions)
        rows.fill(q, s, tau)
        if cache == "stale":  # the table moved after the act: half of the rows differ
            q[::2] += rng.normal(size=q[::2].shape)
    expected, mean_td = reference_update(
        q, s, a, r, s_next if gamma else None, alpha, beta, tau, gamma
    )
    total = kernels.td_update(q, s, a, r, s_next if gamma else None, alpha, beta, tau, gamma, rows)
    np.testing.assert_allclose(q, expected, rtol=1e-13, atol=1e-15)
    assert total / m == pytest.approx(mean_td, rel=1e-12)


@pytest.mark.parametrize(("n_states", "n_actions"), [(1, 2), (3, 4)])
def test_faq_learner_runs_equal_the_numpy_path(n_states: int, n_actions: int) -> None:
    """Same seed → the same actions and (to rounding) the same tables, step after step."""
    m = 500
    params = FAQParams(alpha=0.2, beta=0.05, tau=0.4, gamma=0.5)
    fused = FAQ(params, context(m, n_states, n_actions), np.random.default_rng(3))
    plain = NumpyFAQ(params, context(m, n_states, n_actions), np.random.default_rng(3))
    env = np.random.default_rng(4)
    payoff = env.normal(size=(n_states, n_actions))
    obs = env.integers(0, n_states, m)
    for t in range(60):
        a1, a2 = fused.act(obs), plain.act(obs)
        assert np.array_equal(a1, a2), t
        rewards = payoff[obs, a1] + env.normal(0, 0.1, m)
        nxt = env.integers(0, n_states, m)
        tr = Transition(obs, a1, rewards, nxt, terminated=t % 7 == 6)
        d1, d2 = fused.update(tr), plain.update(tr)
        assert d1["td_error"] == pytest.approx(d2["td_error"], rel=1e-12)
        np.testing.assert_allclose(fused.q, plain.q, rtol=1e-12, atol=1e-14)
        obs = nxt


def test_constant_rate_q_uses_the_kernel_and_equals_numpy() -> None:
    m = 400
    learner = BoltzmannQ(BoltzmannQParams(alpha=0.5), context(m, 1, 2), np.random.default_rng(0))
    rng = np.random.default_rng(1)
    learner.q[:] = rng.normal(size=learner.q.shape)
    obs = np.zeros(m, dtype=np.int64)
    a, r = rng.integers(0, 2, m), rng.normal(size=m)
    expected, mean_td = reference_update(learner.q, obs, a, r, None, 0.5, None, 1.0, 0.0)
    stats = learner.update(Transition(obs, a, r, obs))
    np.testing.assert_array_equal(learner.q, expected)
    assert stats["td_error"] == pytest.approx(mean_td, rel=1e-12)


@pytest.mark.parametrize(("n_states", "n_actions"), [(1, 2), (3, 4)])
def test_bad_indices_raise_before_any_write(n_states: int, n_actions: int) -> None:
    m = 50
    learner = FAQ(FAQParams(), context(m, n_states, n_actions), np.random.default_rng(0))
    obs = np.zeros(m, dtype=np.int64)
    actions = learner.act(obs)
    bad_actions = actions.copy()
    bad_actions[-1] = n_actions
    with pytest.raises(IndexError, match="agent 49"):
        learner.update(Transition(obs, bad_actions, np.ones(m), obs))
    if n_states == 1:  # the pair kernels check every index before writing
        assert np.all(learner.q == 0.0)
    bad_obs = obs.copy()
    bad_obs[3] = n_states
    with pytest.raises(IndexError, match="agent 3"):
        learner.act(bad_obs)
    bad_actions[-1] = -1  # NumPy would wrap a negative action around; the kernels refuse it
    with pytest.raises(IndexError):
        learner.update(Transition(obs, bad_actions, np.ones(m), obs))


def test_seeded_faq_is_reproducible() -> None:
    def run(seed: int) -> Any:
        learner = FAQ(FAQParams(tau=0.3), context(300, 1, 2), np.random.default_rng(seed))
        obs, out = np.zeros(300, dtype=np.int64), []
        for _ in range(20):
            a = learner.act(obs)
            learner.update(Transition(obs, a, a * 1.0 - 0.3, obs))
            out.append(a)
        return np.array(out), learner.q.copy()

    (a1, q1), (a2, q2), (a3, _) = run(8), run(8), run(9)
    assert np.array_equal(a1, a2) and np.array_equal(q1, q2)
    assert not np.array_equal(a1, a3)


@pytest.mark.parametrize("n_actions", [1, 2, 3, 9])
def test_exploration_row_kernels_equal_the_numpy_expressions(n_actions: int) -> None:
    rng = np.random.default_rng(21)
    q = np.round(rng.normal(0.0, 2.0, size=(800, n_actions)))  # ties
    for epsilon in (0.0, 0.3, 1.0):
        best = q == q.max(axis=-1, keepdims=True)
        expected = epsilon / n_actions + (1.0 - epsilon) * best / best.sum(-1, keepdims=True)
        assert np.array_equal(epsilon_greedy(q, epsilon), expected)
    probs = rng.random((800, n_actions))
    probs[:7] = 0.0
    probs[:7, -1] = 1.0  # zero-probability actions are never drawn
    cum = np.cumsum(probs, axis=-1)
    u = np.random.default_rng(2).random(800) * cum[:, -1]
    expected_actions = (cum[:, :-1] <= u[:, None]).sum(axis=-1)
    got = sample(probs, np.random.default_rng(2))
    assert np.array_equal(got, expected_actions) and np.all(got[:7] == n_actions - 1)
