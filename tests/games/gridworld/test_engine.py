"""The shared engine: seeding, independent copies, threads, views, counterfactuals, pictures."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from incentive_lab.core import ConfigError, make_game
from incentive_lab.core.seeding import make_rng
from incentive_lab.games.gridworld._kernels import step_all_parallel, step_all_serial
from incentive_lab.games.gridworld._observe import FEATURES
from incentive_lab.games.gridworld.render import player_colour
from incentive_lab.games.gridworld.rules import FORWARD, STAY

from .helpers import E, N, actions, arrange, game

GAMES = [
    ("coins", {}),
    ("harvest", {"preset": "small", "n_agents": 3}),
    ("cleanup", {"preset": "small", "n_agents": 3}),
]


def rollout(game_id, params, seed, steps=40, action_seed=9):
    g = make_game(game_id, params)
    out = [g.reset(make_rng(seed))]
    rng = np.random.default_rng(action_seed)
    for _ in range(steps):
        result = g.step(rng.integers(g.n_actions, size=g.n_agents))
        out += [result.obs, result.rewards]
    return out


@pytest.mark.parametrize(("game_id", "params"), GAMES)
def test_same_seed_same_trajectory_other_seed_another(game_id, params):
    params = {**params, "n_copies": 3}
    a, b = rollout(game_id, params, 5), rollout(game_id, params, 5)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)
    c = rollout(game_id, params, 6)
    assert any(not np.array_equal(x, y) for x, y in zip(a, c, strict=True))


@pytest.mark.parametrize(("game_id", "params"), GAMES)
def test_copies_are_independent(game_id, params):
    params = {**params, "n_copies": 2}
    g1, g2 = make_game(game_id, params), make_game(game_id, params)
    g1.reset(make_rng(1))
    g2.reset(make_rng(1))
    rng = np.random.default_rng(0)
    copy0 = g1.copies == 0
    for _ in range(30):
        a = rng.integers(g1.n_actions, size=g1.n_agents)
        b = a.copy()
        b[~copy0] = rng.integers(g1.n_actions, size=(~copy0).sum())  # copy 1 plays otherwise
        r1, r2 = g1.step(a), g2.step(b)
        np.testing.assert_array_equal(r1.rewards[copy0], r2.rewards[copy0])
        np.testing.assert_array_equal(r1.obs[copy0], r2.obs[copy0])


@pytest.mark.parametrize(("game_id", "params"), GAMES)
def test_the_parallel_kernel_equals_the_serial_one(game_id, params):
    g = make_game(game_id, {**params, "n_copies": 8})
    g.reset(make_rng(2))
    rng = np.random.default_rng(1)
    for _ in range(20):
        g.step(rng.integers(g.n_actions, size=g.n_agents))
    a = rng.integers(g.n_actions, size=g.n_agents)
    outs = []
    for kernel in (step_all_serial, step_all_parallel):
        state = g.state.copy()
        rewards = np.empty((g.n_copies, g.n_players))
        events, stats = np.empty_like(g._events), np.empty_like(g._stats)
        kernel(g.t, state.seeds, a, *g._kernel_args(state), rewards, events, stats)
        outs.append((rewards, state.items, state.row, state.col, events))
    for x, y in zip(*outs, strict=True):
        np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize(("game_id", "params"), GAMES)
def test_counterfactuals_replay_the_last_step(game_id, params):
    g = make_game(game_id, {**params, "n_copies": 3})
    g.reset(make_rng(3))
    rng = np.random.default_rng(4)
    for _ in range(15):
        a = rng.integers(g.n_actions, size=g.n_agents)
        result = g.step(a)
        before = pickle.dumps(g.state)
        np.testing.assert_array_equal(g.rewards_for(a), result.rewards)  # same random numbers
        other = rng.integers(g.n_actions, size=g.n_agents)
        dev = g.deviation(a, other)
        for j in range(g.n_agents):  # the fast replay agrees with replaying everything
            changed = a.copy()
            changed[j] = other[j]
            full = g.rewards_for(changed)
            assert dev.own[j] == full[j]
            assert dev.copy_welfare[j] == pytest.approx(full[g.copies == g.copies[j]].sum())
        assert pickle.dumps(g.state) == before


def test_the_view_is_rotated_so_the_agent_faces_up():
    g = game("harvest", preset="small", n_agents=2, view_size=5)
    wall = g.features.index(FEATURES.index("wall"))
    agent = g.features.index(FEATURES.index("agent"))
    # player 0 at (1, 2) facing east: north (the wall row) is on its left; player 1 ahead
    arrange(g, 0, [(1, 2, E), (1, 3, N)])
    view = g.observe()[0]
    h = 2
    assert view[h - 1, h, agent] == 1  # one cell ahead
    assert view[h, h - 1, wall] == 1 and view[h, h + 1, wall] == 0  # left is the wall
    assert view[:, 0, wall].all()  # two cells to the left: beyond the map, read as wall
    # player 1 facing north sees player 0 on its left
    assert g.observe()[1][h, h - 1, agent] == 1


@pytest.mark.parametrize("dtype", ["float64", "float32", "uint8"])
def test_formats_and_dtypes(dtype):
    g = make_game("cleanup", {"preset": "small", "n_agents": 2, "dtype": dtype, "n_copies": 2})
    image = g.reset(make_rng(0))
    assert image.dtype == np.dtype(dtype) and image.shape == (4, 11, 11, 6)
    assert g.observation_space.contains(image[0])
    params = {"preset": "small", "n_agents": 2, "dtype": dtype, "n_copies": 2}
    flat = make_game("cleanup", {**params, "format": "flat"})
    obs = flat.reset(make_rng(0))
    np.testing.assert_array_equal(obs, image.reshape(4, -1))
    assert flat.observation_space.shape == (11 * 11 * 6,)


def test_rows_are_player_major():
    g = make_game("harvest", {"preset": "small", "n_agents": 3, "n_copies": 4})
    np.testing.assert_array_equal(g.copies, np.tile(np.arange(4), 3))
    assert g.n_agents == 12


def test_even_view_sizes_and_unknown_presets_are_refused():
    with pytest.raises(ConfigError, match="view_size"):
        make_game("harvest", {"view_size": 4})
    with pytest.raises(ConfigError, match="preset"):
        make_game("harvest", {"preset": "nowhere"})
    with pytest.raises(ConfigError, match="n_agents"):
        make_game("harvest", {"preset": "small", "n_agents": 7})


def test_reconfigure_changes_rates_but_not_shapes():
    g = game("harvest", preset="small", n_agents=2)
    g.reconfigure(tag_timeout=3, regrowth_probabilities=[0.0, 0.5])
    assert g.rule_arrays[0][5] == 3 and g.params.regrowth_probabilities == [0.0, 0.5]
    with pytest.raises(ConfigError, match="n_copies"):
        g.reconfigure(n_copies=2)


def test_render_draws_terrain_items_and_agents():
    g = game("harvest", preset="small", n_agents=2)
    arrange(g, 0, [(1, 2, E), (7, 1, N)])
    image = g.render_rgb(0, scale=8)
    assert image.shape == (9 * 8, 16 * 8, 3) and image.dtype == np.uint8
    centre = image[1 * 8 + 4, 2 * 8 + 3]
    assert tuple(centre) == player_colour(0)
    with pytest.raises(ConfigError, match="copy"):
        g.render_rgb(5)


def test_the_episode_ends_by_truncation_and_the_game_restarts():
    g = game("coins", episode_length=4, n_copies=2)
    flags = [g.step(np.full(g.n_agents, STAY)).truncated for _ in range(4)]
    assert flags == [False, False, False, True]
    assert g.t == 4
    g.reset(make_rng(1))
    assert g.t == 0 and not g.step(np.full(g.n_agents, FORWARD)).truncated


def test_pickled_games_continue_identically():
    g = game("cleanup", preset="small", n_agents=3, n_copies=2)
    rng = np.random.default_rng(0)
    for _ in range(5):
        g.step(rng.integers(9, size=g.n_agents))
    clone = pickle.loads(pickle.dumps(g))
    for _ in range(10):
        a = rng.integers(9, size=g.n_agents)
        np.testing.assert_array_equal(g.step(a).obs, clone.step(a).obs)


def test_actions_of_other_copies_do_not_leak_into_moves():
    g = game("harvest", preset="small", n_agents=2, n_copies=2)
    for c in range(2):
        arrange(g, c, [(1, 2, E), (7, 1, N)])
    g.step(actions(g, [FORWARD, STAY], copy=1, default=STAY))
    assert g.state.col[0, 0] == 2 and g.state.col[1, 0] == 3
