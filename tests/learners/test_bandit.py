"""``bandit`` learners: hand-checked indices, sublinear regret, LinUCB, ``fixed`` policies."""

from __future__ import annotations

import numpy as np
import pytest
from gymnasium import spaces

from incentive_lab.core import ConfigError, LearnerContext, Transition, make_learner, make_rng
from incentive_lab.learners.bandits.bandit import thompson_posterior, ucb_index
from incentive_lab.learners.bandits.linucb import LinUCBState

from .conftest import make_context

MEANS = np.array([0.2, 0.7, 0.45, 0.3, 0.1])


def test_ucb_index_hand_value() -> None:
    sums = np.array([[3.0, 1.0, 0.0]])
    counts = np.array([[4.0, 2.0, 0.0]])
    index = ucb_index(sums, counts, 1.0)
    t = 6.0
    assert index[0, 0] == pytest.approx(0.75 + np.sqrt(2 * np.log(t) / 4))
    assert index[0, 1] == pytest.approx(0.5 + np.sqrt(2 * np.log(t) / 2))
    assert index[0, 2] == np.inf


def test_thompson_posterior_hand_value() -> None:
    mean, std = thompson_posterior(np.array([[2.0]]), np.array([[4.0]]), 0.5, 1.0)
    precision = 1.0 + 4 / 0.25
    assert mean[0, 0] == pytest.approx((2.0 / 0.25) / precision)
    assert std[0, 0] == pytest.approx(precision**-0.5)


def bernoulli_regret(algorithm: str, steps: int, m: int = 100, seed: int = 0) -> np.ndarray:
    """Mean cumulative pseudo-regret of ``m`` independent agents on the ``MEANS`` bandit."""
    context = make_context(m, n_actions=MEANS.shape[0], n_states=1)
    params = {"algorithm": algorithm, "epsilon": 0.1, "noise": 0.5, "c": 1.0}
    learner = make_learner("bandit", params, context, make_rng(seed))
    env = make_rng(seed + 1)
    obs = np.zeros(m, dtype=np.int64)
    regret = np.empty(steps)
    total = 0.0
    for t in range(steps):
        actions = learner.act(obs)
        rewards = (env.random(m) < MEANS[actions]).astype(np.float64)
        learner.update(Transition(obs, actions, rewards, obs))
        total += float((MEANS.max() - MEANS[actions]).mean())
        regret[t] = total
    return regret


@pytest.mark.parametrize(("algorithm", "bound"), [("ucb", 1.5), ("thompson", 1.5), ("linucb", 2.5)])
def test_regret_is_sublinear(algorithm: str, bound: float) -> None:
    """Regret increments over [T, 4T] for T = 400, 1600: linear regret would quadruple them,
    √T regret doubles them, log T regret keeps them equal."""
    regret = bernoulli_regret(algorithm, 6400)
    early, late = regret[1599] - regret[399], regret[6399] - regret[1599]
    assert late < bound * early
    assert regret[-1] < 0.1 * 6400 * (MEANS.max() - MEANS.mean())  # far below uniform play


def test_epsilon_greedy_regret_is_linear_in_its_exploration() -> None:
    regret = bernoulli_regret("epsilon_greedy", 1200)
    slope = (regret[-1] - regret[599]) / 600
    # after learning, each round costs ε·(mean gap to the best) in expectation
    assert slope == pytest.approx(0.1 * (MEANS.max() - MEANS.mean()), rel=0.35)


def test_linucb_learns_a_context_dependent_best_arm() -> None:
    m, steps = 200, 400
    context = LearnerContext(
        agents=np.arange(m),
        n_actions=2,
        observation_space=spaces.Box(0.0, 1.0, shape=(1,)),
        population_size=m,
    )
    learner = make_learner("bandit", {"algorithm": "linucb", "c": 0.5}, context, make_rng(0))
    env = make_rng(1)
    correct = []
    for _ in range(steps):
        x = env.random((m, 1))
        actions = learner.act(x)
        best = (x[:, 0] > 0.5).astype(np.int64)  # arm 1 pays x, arm 0 pays 1 - x
        rewards = np.where(actions == 1, x[:, 0], 1 - x[:, 0]) + 0.1 * env.standard_normal(m)
        learner.update(Transition(x, actions, rewards, x))
        correct.append((actions == best).mean())
    assert np.mean(correct[-50:]) > 0.85


def test_linucb_sherman_morrison_matches_the_inverse() -> None:
    rng = make_rng(3)
    state = LinUCBState(2, 3, 4, ridge=0.5)
    xs, arms = rng.random((20, 2, 4)), rng.integers(0, 3, (20, 2))
    for x, a in zip(xs, arms, strict=True):
        state.update(x, a, rng.random(2))
    for i in range(2):
        for arm in range(3):
            rows = xs[arms[:, i] == arm, i]
            gram = 0.5 * np.eye(4) + rows.T @ rows
            np.testing.assert_allclose(state.a_inv[i, arm], np.linalg.inv(gram), atol=1e-10)


def test_bad_bandit_parameters() -> None:
    with pytest.raises(ConfigError, match=r"learner\.params\.algorithm"):
        make_learner("bandit", {"algorithm": "exp3"}, make_context(2), make_rng(0))
    with pytest.raises(ConfigError, match=r"learner\.params\.epsilon"):
        make_learner("bandit", {"epsilon": 1.5}, make_context(2), make_rng(0))


def test_fixed_policy_plays_the_named_slate_strategy() -> None:
    context = make_context(3, n_actions=6)
    for name, index in (("random", 0), ("popular", 1), ("oracle", 2)):
        learner = make_learner("fixed", {"policy": name}, context, make_rng(0))
        np.testing.assert_array_equal(learner.act(np.zeros(3, dtype=np.int64)), [index] * 3)
    with pytest.raises(ConfigError, match=r"learner\.params\.policy.*recommender"):
        make_learner("fixed", {"policy": "oracle"}, make_context(3), make_rng(0))
    with pytest.raises(ConfigError, match="at most one"):
        make_learner("fixed", {"policy": "oracle", "action": 1}, context, make_rng(0))
