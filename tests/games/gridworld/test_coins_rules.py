"""Coin Game rules by hand on the 3×3 torus: +1 to the picker, −2 to the owner."""

from __future__ import annotations

import numpy as np
import pytest

from incentive_lab.core import ConfigError, make_game
from incentive_lab.games.gridworld.maps import COIN, NONE
from incentive_lab.games.gridworld.rules import BACKWARD, FORWARD, STAY, STEP_LEFT, STEP_RIGHT

from .helpers import N, actions, arrange, game, row

RED, BLUE = 0, 1


def coins_on_map(g, copy=0):
    items = g.state.items[copy]
    return sorted(int(v) - COIN for v in items[items >= COIN])


def test_picking_the_other_players_coin_gives_plus_one_and_minus_two():
    g = game("coins")
    # red at (1, 1) facing north, blue at (2, 2); a blue coin right above red
    arrange(g, 0, [(1, 1, N), (2, 2, N)], {(0, 1): COIN + BLUE})
    result = g.step(actions(g, [FORWARD, STAY]))
    assert result.rewards[row(g, RED)] == 1.0
    assert result.rewards[row(g, BLUE)] == -2.0
    assert g.totals.other_coins[0, RED] == 1 and g.totals.own_coins.sum() == 0


def test_picking_your_own_coin_only_pays_you():
    g = game("coins")
    arrange(g, 0, [(1, 1, N), (2, 2, N)], {(1, 0): COIN + RED})
    result = g.step(actions(g, [STEP_LEFT, STAY]))
    np.testing.assert_array_equal(result.rewards, [1.0, 0.0])
    assert g.totals.own_coins[0, RED] == 1


def test_the_torus_wraps_and_both_players_on_a_coin_pick_it():
    g = game("coins")
    # red at (0, 1) steps up onto (2, 1) (wrap); blue at (1, 1) steps down onto it
    arrange(g, 0, [(0, 1, N), (1, 1, N)], {(2, 1): COIN + RED})
    result = g.step(actions(g, [FORWARD, BACKWARD]))
    assert (g.state.row[0] == 2).all() and (g.state.col[0] == 1).all()
    # red: +1 (own) − 2 (blue took it too); blue: +1
    np.testing.assert_array_equal(result.rewards, [-1.0, 1.0])


def test_a_picked_coin_reappears_at_once_on_a_free_cell():
    g = game("coins", coins="per_player", n_copies=50)
    for c in range(g.n_copies):
        arrange(g, c, [(1, 1, N), (2, 2, N)], {(1, 2): COIN + RED, (0, 0): COIN + BLUE})
    g.step(actions_all(g, [STEP_RIGHT, STAY]))
    s = g.state
    for c in range(g.n_copies):
        assert coins_on_map(g, c) == [RED, BLUE]
        red_cell = np.argwhere(s.items[c] == COIN + RED)[0]
        assert s.count[c, red_cell[0], red_cell[1]] == 0  # never under a player


def test_single_coin_mode_keeps_exactly_one_coin():
    g = game("coins", n_copies=20)
    rng = np.random.default_rng(3)
    for _ in range(60):
        g.step(rng.integers(5, size=g.n_agents))
        for c in range(g.n_copies):
            assert len(coins_on_map(g, c)) == 1


def test_penalty_and_reward_are_parameters():
    g = game("coins", coin_reward=2.0, coin_penalty=5.0)
    arrange(g, 0, [(1, 1, N), (2, 2, N)], {(0, 1): COIN + BLUE})
    np.testing.assert_array_equal(g.step(actions(g, [FORWARD, STAY])).rewards, [2.0, -5.0])


def test_too_many_players_for_the_map_are_refused():
    with pytest.raises(ConfigError, match=r"n_agents|cells"):
        make_game("coins", {"n_agents": 5, "coins": "per_player"})


def test_no_item_under_a_player_at_reset():
    g = game("coins", coins="per_player", n_agents=3, n_copies=30)
    s = g.state
    assert ((s.items >= COIN) & (s.count > 0)).sum() == 0
    assert (s.items != NONE).sum() == 3 * 30


def actions_all(g, per_player):
    return np.repeat(np.asarray(per_player, dtype=np.int64), g.n_copies)
