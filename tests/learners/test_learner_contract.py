"""Contract every registered learner satisfies (shapes, ranges, seeding, pickling)."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from incentive_lab.core import ConfigError, get, ids, make_learner
from incentive_lab.core.capabilities import Capability

from .conftest import drive, make_context

DIFFERENTIABLE = [
    i for i in ids("learner") if Capability.DIFFERENTIABLE in get("learner", i).needs()
]
"""Gradient-play learners need a differentiable game (their own contract tests live in
tests/learners/test_gradient_play*.py); here they must refuse a plain context."""
GENERATIVE = [i for i in ids("learner") if Capability.GENERATIVE_MODEL in get("learner", i).needs()]
"""Planning learners of global_local (subsample_q and its baselines) need the game's
generative model (their own tests live in tests/learners/test_subsample_q*.py)."""
LEARNERS = [i for i in ids("learner") if i not in DIFFERENTIABLE and i not in GENERATIVE]


def build(learner_id: str, m: int, seed: int = 0):
    # Learners that need configuration (e.g. ``llm``'s backend) declare contract_params.
    params = get("learner", learner_id).metadata.get("contract_params", {})
    return make_learner(learner_id, params, make_context(m), np.random.default_rng(seed))


def test_the_tabular_learners_are_registered():
    assert {
        "fixed",
        "q_learning",
        "boltzmann_q",
        "faq",
        "cross_learning",
        "policy_gradient",
    } <= set(LEARNERS)


@pytest.mark.parametrize("learner_id", LEARNERS)
@pytest.mark.parametrize("m", [1, 7, 1000])
def test_act_returns_int64_actions_in_range(learner_id, m):
    learner = build(learner_id, m)
    history = drive(learner, np.random.default_rng(1), 20)
    assert history.dtype == np.int64
    assert history.shape == (20, m)
    assert history.min() >= 0 and history.max() < 3


@pytest.mark.parametrize("learner_id", LEARNERS)
@pytest.mark.parametrize("m", [1, 1000])
def test_policy_rows_are_distributions(learner_id, m):
    learner = build(learner_id, m)
    drive(learner, np.random.default_rng(1), 20)
    obs = np.random.default_rng(2).integers(0, 2, m)
    try:
        probs = learner.policy(obs)
    except NotImplementedError:
        pytest.skip(f"{learner_id} has no explicit policy")
    assert probs.shape == (m, 3)
    assert np.all(probs >= 0)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-12)


@pytest.mark.parametrize("learner_id", LEARNERS)
def test_same_seed_same_actions(learner_id):
    a = drive(build(learner_id, 5, seed=3), np.random.default_rng(9), 50)
    b = drive(build(learner_id, 5, seed=3), np.random.default_rng(9), 50)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("learner_id", [i for i in LEARNERS if i != "fixed"])
def test_different_seed_different_actions(learner_id):
    a = drive(build(learner_id, 5, seed=3), np.random.default_rng(9), 50)
    b = drive(build(learner_id, 5, seed=4), np.random.default_rng(9), 50)
    assert not np.array_equal(a, b)


@pytest.mark.parametrize("learner_id", LEARNERS)
def test_pickle_round_trip_continues_identically(learner_id):
    learner = build(learner_id, 5, seed=3)
    drive(learner, np.random.default_rng(9), 20)
    clone = pickle.loads(pickle.dumps(learner))
    a = drive(learner, np.random.default_rng(10), 30)
    b = drive(clone, np.random.default_rng(10), 30)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("learner_id", LEARNERS)
def test_update_returns_float_diagnostics(learner_id):
    learner = build(learner_id, 4)
    from incentive_lab.core import Transition

    obs = np.zeros(4, dtype=np.int64)
    actions = learner.act(obs)
    stats = learner.update(Transition(obs, actions, np.full(4, 0.5), obs))
    assert all(isinstance(k, str) and isinstance(v, float) for k, v in stats.items())


@pytest.mark.parametrize("learner_id", DIFFERENTIABLE)
def test_gradient_learners_refuse_a_game_without_a_differentiable_model(learner_id):
    with pytest.raises(ConfigError, match="differentiable game"):
        build(learner_id, 4)


@pytest.mark.parametrize("learner_id", GENERATIVE)
def test_planning_learners_refuse_a_game_without_a_generative_model(learner_id):
    with pytest.raises(ConfigError, match="generative model"):
        build(learner_id, 1)
