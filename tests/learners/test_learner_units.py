"""Hand-computed updates, validation errors and invariants of the tabular learners."""

from __future__ import annotations

import numpy as np
import pytest
from gymnasium import spaces
from hypothesis import given, settings
from hypothesis import strategies as st

from incentive_lab.core import ConfigError, LearnerContext, Transition, make_learner
from incentive_lab.learners.exploration import epsilon_greedy, sample, softmax

from .conftest import make_context

TABULAR = ["q_learning", "boltzmann_q", "faq", "cross_learning", "policy_gradient"]
ZERO = np.zeros(1, dtype=np.int64)


def one(learner_id, params, n_actions=2, n_states=1, m=1, seed=0):
    ctx = make_context(m, n_actions=n_actions, n_states=n_states)
    return make_learner(learner_id, params, ctx, np.random.default_rng(seed))


def step(learner, obs, actions, rewards, next_obs=None, terminated=False, truncated=False):
    obs = np.asarray(obs, dtype=np.int64)
    next_obs = obs if next_obs is None else np.asarray(next_obs, dtype=np.int64)
    return learner.update(
        Transition(
            obs=obs,
            actions=np.asarray(actions, dtype=np.int64),
            rewards=np.asarray(rewards, dtype=np.float64),
            next_obs=next_obs,
            terminated=terminated,
            truncated=truncated,
        )
    )


# -- exploration --------------------------------------------------------------------------


def test_softmax_is_stable_for_huge_values():
    p = softmax(np.array([[1000.0, 0.0], [-1e300, -1e300]]), tau=0.01)
    np.testing.assert_allclose(p, [[1.0, 0.0], [0.5, 0.5]])


def test_softmax_matches_the_definition():
    q = np.array([[1.0, 0.5, 0.0]])
    expected = np.exp(q / 0.5) / np.exp(q / 0.5).sum()
    np.testing.assert_allclose(softmax(q, 0.5), expected, rtol=1e-14)


def test_epsilon_greedy_splits_greedy_mass_among_ties():
    p = epsilon_greedy(np.array([[1.0, 1.0, 0.0, 0.0]]), 0.2)
    np.testing.assert_allclose(p, [[0.45, 0.45, 0.05, 0.05]])


def test_sample_frequencies_match_probabilities_and_skip_zero_mass():
    probs = np.tile([0.0, 0.2, 0.0, 0.8, 0.0], (200_000, 1))
    actions = sample(probs, np.random.default_rng(0))
    counts = np.bincount(actions, minlength=5) / actions.size
    assert counts[[0, 2, 4]].sum() == 0
    # standard error of a frequency 0.2 over 200k draws is 0.0009
    assert abs(counts[1] - 0.2) < 0.004


# -- context validation ---------------------------------------------------------------------


@pytest.mark.parametrize("learner_id", TABULAR)
def test_tabular_learners_reject_vector_observations(learner_id):
    ctx = LearnerContext(
        agents=np.arange(3),
        n_actions=2,
        observation_space=spaces.Box(0.0, 1.0, (4,)),
        population_size=3,
    )
    with pytest.raises(ConfigError, match="Discrete"):
        make_learner(learner_id, {}, ctx, np.random.default_rng(0))


@pytest.mark.parametrize(
    ("learner_id", "params", "field"),
    [
        ("q_learning", {"alpha": 0.0}, "alpha"),
        ("q_learning", {"gamma": 1.0}, "gamma"),
        ("q_learning", {"exploration": "greedy"}, "exploration"),
        ("boltzmann_q", {"tau": 0.0}, "tau"),
        ("faq", {"beta": 1.5}, "beta"),
        ("faq", {"alhpa": 0.1}, "alhpa"),
        ("cross_learning", {"reward_min": 2.0, "reward_max": 1.0}, "params"),
        ("policy_gradient", {"baseline_rate": -0.1}, "baseline_rate"),
        ("fixed", {"action": 1, "probs": [0.5, 0.5]}, "params"),
    ],
)
def test_bad_params_raise_config_error_naming_the_field(learner_id, params, field):
    with pytest.raises(ConfigError, match=field):
        one(learner_id, params)


# -- q_learning / boltzmann_q / faq -------------------------------------------------------


def test_q_update_by_hand():
    learner = one("q_learning", {"alpha": 0.5, "initial_q": 1.0})
    stats = step(learner, [0], [1], [3.0])
    np.testing.assert_allclose(learner.q[0, 0], [1.0, 2.0])
    assert stats == {"td_error": 2.0}


def test_q_bootstraps_from_next_state_unless_terminated():
    learner = one("q_learning", {"alpha": 0.5, "gamma": 0.9}, n_states=2, m=2)
    learner.q[:, 1] = [[4.0, 2.0], [4.0, 2.0]]
    step(learner, [0, 0], [0, 0], [1.0, 1.0], next_obs=[1, 1])
    np.testing.assert_allclose(learner.q[:, 0, 0], 0.5 * (1.0 + 0.9 * 4.0))
    step(learner, [0, 0], [1, 1], [1.0, 1.0], next_obs=[1, 1], terminated=True)
    np.testing.assert_allclose(learner.q[:, 0, 1], 0.5)
    step(learner, [0, 0], [1, 1], [1.0, 1.0], next_obs=[1, 1], truncated=True)
    np.testing.assert_allclose(learner.q[:, 0, 1], 0.5 + 0.5 * (1.0 + 3.6 - 0.5))


def test_agents_learn_independently():
    learner = one("boltzmann_q", {"alpha": 1.0}, m=3)
    step(learner, [0, 0, 0], [0, 1, 0], [1.0, 2.0, 3.0])
    np.testing.assert_allclose(learner.q[:, 0], [[1.0, 0.0], [0.0, 2.0], [3.0, 0.0]])


def test_epsilon_decays_to_its_floor():
    learner = one("q_learning", {"epsilon": 0.5, "epsilon_decay": 0.5, "epsilon_min": 0.1})
    step(learner, [0], [0], [1.0])
    assert learner.epsilon == 0.25
    for _ in range(5):
        step(learner, [0], [0], [1.0])
    assert learner.epsilon == 0.1
    np.testing.assert_allclose(learner.policy(ZERO), [[0.95, 0.05]])


def test_boltzmann_option_of_q_learning_is_softmax():
    learner = one("q_learning", {"exploration": "boltzmann", "tau": 0.25})
    learner.q[0, 0] = [1.0, 0.5]
    np.testing.assert_allclose(learner.policy(ZERO), softmax(np.array([[1.0, 0.5]]), 0.25))


def test_faq_step_size_is_alpha_min_beta_over_x():
    learner = one("faq", {"alpha": 0.5, "beta": 0.1, "tau": 1.0}, m=2)
    # both actions equally likely: x_a = 0.5, rate = 0.5 * 0.1 / 0.5 = 0.1
    step(learner, [0, 0], [0, 1], [1.0, -2.0])
    np.testing.assert_allclose(learner.q[:, 0], [[0.1, 0.0], [0.0, -0.2]])
    # with beta = 1 the rate is capped at alpha
    capped = one("faq", {"alpha": 0.5, "beta": 1.0})
    step(capped, [0], [0], [1.0])
    assert capped.q[0, 0, 0] == 0.5


# -- cross_learning -------------------------------------------------------------------------


def test_cross_update_by_hand():
    learner = one("cross_learning", {"lr": 0.5, "reward_min": -1.0, "reward_max": 3.0}, 3)
    step(learner, [0], [2], [2.0])  # r~ = 0.75, step 0.375 towards e_2
    third = 1.0 / 3.0
    expected = [third * 0.625, third * 0.625, third * 0.625 + 0.375]
    np.testing.assert_allclose(learner.policy(ZERO), [expected])


def test_cross_reward_outside_range_names_the_range():
    learner = one("cross_learning", {"reward_min": 0.0, "reward_max": 5.0})
    with pytest.raises(ConfigError, match=r"reward_min.*\[0\.0, 5\.0\]"):
        step(learner, [0], [0], [7.0])


@settings(max_examples=60, deadline=None)
@given(
    lr=st.floats(0.01, 1.0),
    rewards=st.lists(st.floats(0.0, 1.0), min_size=1, max_size=30),
    seed=st.integers(0, 1000),
)
def test_cross_strategies_stay_on_the_simplex(lr, rewards, seed):
    learner = one("cross_learning", {"lr": lr}, n_actions=4, seed=seed)
    for r in rewards:
        step(learner, [0], learner.act(ZERO), [r])
    x = learner.policy(ZERO)
    assert np.all(x >= 0)
    assert abs(x.sum() - 1.0) < 1e-12


# -- policy_gradient ----------------------------------------------------------------------


def test_policy_gradient_per_step_by_hand():
    learner = one("policy_gradient", {"lr": 0.5, "baseline_rate": 0.25})
    step(learner, [0], [0], [2.0])  # advantage 2, pi = (0.5, 0.5): theta += 0.5*2*(0.5, -0.5)
    np.testing.assert_allclose(learner.theta[0, 0], [0.5, -0.5])
    assert learner.baseline[0, 0] == 0.5
    step(learner, [0], [1], [0.5])  # advantage 0, nothing moves
    np.testing.assert_allclose(learner.theta[0, 0], [0.5, -0.5])


def test_policy_gradient_monte_carlo_returns_by_hand():
    learner = one("policy_gradient", {"lr": 1.0, "baseline_rate": 0.0, "gamma": 0.5}, n_states=2)
    assert step(learner, [0], [0], [1.0], next_obs=[1]) == {}
    np.testing.assert_allclose(learner.theta, 0.0)  # nothing until the episode ends
    step(learner, [1], [1], [2.0], next_obs=[0], terminated=True)
    # G_0 = 1 + 0.5*2 = 2 in state 0 with action 0; G_1 = 2 in state 1 with action 1
    np.testing.assert_allclose(learner.theta[0], [[1.0, -1.0], [-1.0, 1.0]])


def test_policy_gradient_with_gamma_needs_an_episodic_game():
    learner = one("policy_gradient", {"gamma": 0.9, "max_episode_steps": 5})
    with pytest.raises(ConfigError, match="episodic"):
        for _ in range(10):
            step(learner, [0], [0], [1.0])


def test_policy_gradient_prefers_the_better_arm():
    learner = one("policy_gradient", {"lr": 0.2}, m=200, seed=1)
    rng = np.random.default_rng(2)  # the environment's stream, independent of the learner's
    obs = np.zeros(200, dtype=np.int64)
    for _ in range(1500):
        a = learner.act(obs)
        step(learner, obs, a, rng.random(200) < np.where(a == 1, 0.7, 0.3))
    assert learner.policy(obs)[:, 1].mean() > 0.9


# -- fixed ----------------------------------------------------------------------------------


def test_fixed_pure_action():
    learner = one("fixed", {"action": 1}, n_actions=3, m=4)
    np.testing.assert_array_equal(learner.act(np.zeros(4, dtype=np.int64)), [1, 1, 1, 1])
    assert step(learner, np.zeros(4), [0, 0, 0, 0], np.ones(4)) == {}


def test_fixed_mixed_strategy_frequencies():
    learner = one("fixed", {"probs": [0.25, 0.75]}, m=100_000)
    actions = learner.act(np.zeros(100_000, dtype=np.int64))
    assert abs(actions.mean() - 0.75) < 0.006  # 4.4 standard errors


@pytest.mark.parametrize(
    "params", [{"probs": [0.5, 0.6]}, {"probs": [1.0]}, {"probs": [1.5, -0.5]}, {"action": 2}]
)
def test_fixed_rejects_strategies_that_do_not_fit_the_game(params):
    with pytest.raises(ConfigError, match=r"params\.(probs|action).*(length 2|0\.\.1)"):
        one("fixed", params, n_actions=2)


def test_fixed_works_with_vector_observations():
    ctx = LearnerContext(np.arange(3), 2, spaces.Box(0.0, 1.0, (4,)), 3)
    learner = make_learner("fixed", {"action": 1}, ctx, np.random.default_rng(0))
    np.testing.assert_array_equal(learner.act(np.zeros((3, 4))), [1, 1, 1])
