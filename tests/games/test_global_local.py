"""global_local: instance tables, rewards by hand, vectorised transitions, CRN, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from incentive_lab.core import ConfigError, LearnerContext, make_game, make_rng
from incentive_lab.core.generative import GenerativeModel, GlobalLocalKernels

INSTANCES = ["median", "demand_response", "queueing"]


@pytest.mark.parametrize("instance", INSTANCES)
def test_kernels_are_stochastic_and_the_game_is_the_generative_model(instance):
    game = make_game("global_local", {"instance": instance, "n_agents": 50})
    k = game.kernels
    np.testing.assert_allclose(k.global_kernel.sum(axis=-1), 1.0)
    np.testing.assert_allclose(k.local_kernel.sum(axis=-1), 1.0)
    assert game.n_agents == 1 and game.n_locals == 50 and game.n_actions == 3
    assert game.observation_space.n == k.n_global_states
    assert isinstance(game.generative, GenerativeModel)
    assert LearnerContext.for_game(game).generative is game


def test_median_reward_by_hand():
    game = make_game("global_local", {"instance": "median", "n_agents": 4, "move_cost": 0.1})
    game.reset(make_rng(0))
    game._s_g, game._s_l = 2, np.array([0, 2, 3, 4])
    result = game.step(np.array([2]))  # up: |Δ| = 1
    # r = -0.1 - mean(|0-2|, |2-2|, |3-2|, |4-2|) = -0.1 - 5/4
    assert result.rewards[0] == pytest.approx(-0.1 - 1.25)
    assert result.obs[0] == 3  # deterministic global move
    assert game.rewards_for(np.array([1]))[0] == pytest.approx(-1.25)  # same state, stay


def test_demand_response_and_queueing_rewards_by_hand():
    game = make_game("global_local", {"instance": "demand_response", "n_agents": 3})
    game.reset(make_rng(0))
    game._s_g, game._s_l = 4, np.array([2 * 2 + 1, 2 * 1 + 0, 0])  # (c,d) = (2,1), (1,0), (0,0)
    # r_g = -0.25·5 - 0 ; r_l = (0.5·2, -0.25·1, 0) -> mean 0.25
    assert game.step(np.array([1])).rewards[0] == pytest.approx(-1.25 + 0.25)
    game = make_game("global_local", {"instance": "queueing", "n_agents": 2})
    game.reset(make_rng(0))
    game._s_g, game._s_l = 3, np.array([4, 0])
    assert game.step(np.array([0])).rewards[0] == pytest.approx(-0.9 - 0.1 - 0.5)


def test_queue_kernel_by_hand():
    k = make_game("global_local", {"instance": "queueing"}).kernels
    # 2 servers: departure w.p. 0.5 when q > 0; arrival w.p. 0.3
    np.testing.assert_allclose(k.local_kernel[2, 2, [1, 2, 3]], [0.7 * 0.5, 0.5, 0.3 * 0.5])
    np.testing.assert_allclose(k.local_kernel[2, 0, [0, 1]], [0.7, 0.3])
    np.testing.assert_allclose(k.local_kernel[0, 4, 4], 1.0)  # full, no server: stuck


def test_sampling_matches_the_kernels():
    k = make_game("global_local", {"instance": "demand_response"}).kernels
    rng = make_rng(1)
    n = 200_000
    s_g = np.full(n, 3)
    s_l = np.full((n, 1), 2 * 1 + 1)  # consumption 1, desire 1
    next_g, next_l, reward = k.sample(s_g, s_l, np.full(n, 2), rng)
    np.testing.assert_allclose(
        np.bincount(next_g, minlength=5) / n, k.global_kernel[3, 2], atol=4e-3
    )
    freq = np.bincount(next_l[:, 0], minlength=6) / n
    np.testing.assert_allclose(freq, k.local_kernel[3, 3], atol=4e-3)
    # supply 4 -> consumption rises w.p. 0.8; desire stays w.p. 0.8
    assert k.local_kernel[3, 3, 2 * 2 + 1] == pytest.approx(0.8 * 0.8)
    np.testing.assert_allclose(reward, -0.25 * 4 - 0.1 + 0.5)


def test_local_agents_are_vectorised_at_scale():
    game = make_game("global_local", {"instance": "median", "n_agents": 100_000})
    game.reset(make_rng(2))
    before = game.local_states().copy()
    game.step(np.array([1]))
    after = game.local_states()
    moved = np.mean(after != before)
    assert moved == pytest.approx(0.2 - 0.1 * 2 / 5, abs=0.01)  # ends: one direction blocked
    assert np.abs(after - before).max() == 1
    with pytest.raises(ValueError):
        game.local_states()[0] = 3  # read-only view


def test_same_seed_same_initial_states_whatever_the_actions():
    a = make_game("global_local", {"n_agents": 30})
    b = make_game("global_local", {"n_agents": 30})
    assert a.reset(make_rng(5))[0] == b.reset(make_rng(5))[0]
    np.testing.assert_array_equal(a.local_states(), b.local_states())
    for _ in range(5):  # local moves do not depend on a_g in median: same streams
        a.step(np.array([0]))
        b.step(np.array([2]))
    np.testing.assert_array_equal(a.local_states(), b.local_states())


def test_observe_locals_draws_without_replacement():
    game = make_game("global_local", {"n_agents": 10})
    game.reset(make_rng(0))
    seen = game.observe_locals(10, make_rng(1))
    np.testing.assert_array_equal(np.sort(seen), np.sort(game.local_states()))
    with pytest.raises(ConfigError, match="k"):
        game.observe_locals(11, make_rng(1))


def test_bad_input():
    with pytest.raises(ConfigError, match="instance"):
        make_game("global_local", {"instance": "ev"})
    with pytest.raises(ConfigError, match="n_agents"):
        make_game("global_local", {"n_agents": 0})
    with pytest.raises(ConfigError, match="local_kernel"):
        GlobalLocalKernels(
            np.ones((2, 1, 2)) / 2, np.ones((2, 3, 3)), np.zeros((2, 1)), np.zeros((2, 3))
        )
    game = make_game("global_local", {"n_agents": 5})
    with pytest.raises(ConfigError, match="n_agents"):
        game.reconfigure(n_agents=6)
    with pytest.raises(ConfigError, match="actions"):
        game.reset(make_rng(0)) is not None and game.step(np.array([3]))
