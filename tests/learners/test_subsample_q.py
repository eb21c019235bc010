"""subsample_q and its baselines: multisets, table size, deployment, seeding, CRN, bad input."""

from __future__ import annotations

import pickle
from math import comb

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incentive_lab.core import ConfigError, LearnerContext, make_game, make_learner, make_rng
from incentive_lab.experiments.config.resolve import resolve_run
from incentive_lab.experiments.execution.runner import build_simulation
from incentive_lab.learners.planning import mean_field_vi as mf
from incentive_lab.learners.planning.multisets import (
    enumerate_counts,
    hypergeometric,
    n_multisets,
    rank_counts,
    rank_states,
)
from incentive_lab.learners.planning.subsample_q import plan, table_size


def context(n=8, instance="median"):
    game = make_game("global_local", {"instance": instance, "n_agents": n})
    game.reset(make_rng(0))
    return game, LearnerContext.for_game(game)


@pytest.mark.parametrize(("k", "n_states"), [(1, 5), (3, 5), (8, 5), (4, 6), (6, 2)])
def test_ranks_are_a_bijection_in_enumeration_order(k, n_states):
    counts = enumerate_counts(k, n_states)
    assert counts.shape == (comb(k + n_states - 1, n_states - 1), n_states)
    assert np.all(counts.sum(axis=1) == k)
    np.testing.assert_array_equal(rank_counts(counts), np.arange(counts.shape[0]))


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(0, 4), min_size=1, max_size=9), st.randoms(use_true_random=False))
def test_rank_does_not_depend_on_order(states, shuffler):
    shuffled = list(states)
    shuffler.shuffle(shuffled)
    a = rank_states(np.array([states]), 5)[0]
    b = rank_states(np.array([shuffled]), 5)[0]
    assert a == b and 0 <= a < n_multisets(len(states), 5)


def test_hypergeometric_rows_are_laws_and_match_a_hand_value():
    population, sample = enumerate_counts(4, 3), enumerate_counts(2, 3)
    draw = hypergeometric(population, sample)
    np.testing.assert_allclose(draw.sum(axis=1), 1.0)
    # from counts (2, 1, 1) draw 2: P(one of state 0, one of state 1) = 2·1/C(4,2) = 1/3
    row = rank_counts(np.array([[2, 1, 1]]))[0]
    col = rank_counts(np.array([[1, 1, 0]]))[0]
    assert draw[row, col] == pytest.approx(1 / 3)


@pytest.mark.parametrize("k", [1, 2, 5, 8])
@pytest.mark.parametrize("instance", ["median", "demand_response"])
def test_table_size_matches_the_formula(k, instance):
    game, ctx = context(8, instance)
    kern = game.kernels
    learner = make_learner("subsample_q", {"k": k, "m": 2, "sweeps": 2}, ctx, make_rng(0))
    expected = (
        kern.n_global_states
        * kern.n_global_actions
        * comb(k + kern.n_local_states - 1, kern.n_local_states - 1)
    )
    assert learner.table_size == expected == learner.q.size
    assert table_size(5, 3, 5, 8) == 5 * 3 * 495


def test_deployment_samples_k_agents_and_acts_greedily():
    game, ctx = context(8)
    learner = make_learner("subsample_q", {"k": 8, "m": 5, "sweeps": 20}, ctx, make_rng(1))
    # k = n: the observed multiset is the whole population, so the action is deterministic
    index = rank_states(game.local_states()[None, :], 5)[0]
    obs = np.array([game.global_state()])
    expected = int(np.argmax(learner.q[obs[0], index]))
    assert {int(learner.act(obs)[0]) for _ in range(5)} == {expected}
    stats = learner.update(None)  # type: ignore[arg-type]
    assert stats["table_size"] == learner.q.size and stats["learning_seconds"] > 0


def test_planning_reaches_the_exact_k_system_values_as_m_grows():
    # the exact k-agent system is the mean-field MDP of n = k agents (same table layout)
    game, _ = context(8)
    exact = mf.value_iteration(mf.MeanFieldModel.build(game.kernels, 2), 0.8, 1e-8)
    errors = [
        np.abs(plan(game.kernels, 2, m, 80, 0.8, make_rng(3))[0] - exact).mean()
        for m in (4, 64, 1024)
    ]
    assert errors[0] > 2 * errors[1] > 4 * errors[2] and errors[2] < 0.05  # ~ 1/sqrt(m)


def test_same_seed_same_actions_and_pickle_round_trip():
    def run(seed):
        _, ctx = context(20)
        learner = make_learner("subsample_q", {"k": 3, "m": 4, "sweeps": 10}, ctx, make_rng(seed))
        return learner, [int(learner.act(np.array([s]))[0]) for s in [0, 1, 2, 3, 4] * 10]

    (a, first), (_, second) = run(5), run(5)
    assert first == second
    assert run(6)[1] != first or not np.array_equal(run(6)[0].q, a.q)
    clone = pickle.loads(pickle.dumps(a))
    obs = np.array([2])
    assert [clone.act(obs)[0] for _ in range(20)] == [a.act(obs)[0] for _ in range(20)]


def test_mean_field_vi_and_myopic_act_on_the_live_counts():
    game, ctx = context(6)
    vi = make_learner("mean_field_vi", {"gamma": 0.8}, ctx, make_rng(0))
    myopic = make_learner("myopic", {}, ctx, make_rng(0))
    game._s_g, game._s_l = 0, np.full(6, 4)  # all locals at the top level: move up
    assert vi.act(np.array([0]))[0] == 2 and myopic.act(np.array([0]))[0] == 2
    game._s_g = 4
    assert vi.act(np.array([4]))[0] == 1 and myopic.act(np.array([4]))[0] == 1
    big = make_game("global_local", {"n_agents": 100_000})
    big.reset(make_rng(0))
    assert (
        make_learner("myopic", {}, LearnerContext.for_game(big), make_rng(0)).act(np.array([0]))[0]
        == 2
    )


def test_common_random_numbers_across_k_through_the_runner():
    def config(k):
        return {
            "game": {"id": "global_local", "params": {"instance": "median", "n_agents": 50}},
            "mechanism": {"id": "none", "params": {}},
            "learners": [
                {"id": "subsample_q", "params": {"k": k, "m": 2, "sweeps": 2}, "agents": "0:"}
            ],
            "phases": [],
            "name": "subsample-k",
            "steps": 10,
        }

    sims = [build_simulation(resolve_run(config(k)), np.random.SeedSequence(11))[0] for k in (1, 4)]
    assert sims[0].obs[0] == sims[1].obs[0]
    np.testing.assert_array_equal(sims[0].game.local_states(), sims[1].game.local_states())
    assert sims[0].groups[0].learner.context.generative is sims[0].game


def test_bad_input():
    _, ctx = context(8)
    with pytest.raises(ConfigError, match=r"params\.k"):
        make_learner("subsample_q", {"k": 9}, ctx, make_rng(0))
    with pytest.raises(ConfigError, match=r"params\.k"):
        make_learner("subsample_q", {"k": 0}, ctx, make_rng(0))
    with pytest.raises(ConfigError, match=r"params\.m"):
        make_learner("subsample_q", {"m": 0}, ctx, make_rng(0))
    with pytest.raises(ConfigError, match=r"params\.gamma"):
        make_learner("subsample_q", {"gamma": 1.0}, ctx, make_rng(0))
    plain = LearnerContext(np.arange(1), 3, ctx.observation_space, 1)
    with pytest.raises(ConfigError, match="local-state space must be finite"):
        make_learner("subsample_q", {}, plain, make_rng(0))
    big = make_game("global_local", {"n_agents": 1000})
    with pytest.raises(ConfigError, match="max_states"):
        make_learner("mean_field_vi", {}, LearnerContext.for_game(big), make_rng(0))
