"""Social outcome metrics (Perolat et al. 2017) by hand, on arrays and on a tiny episode."""

from __future__ import annotations

import numpy as np
import pytest

from incentive_lab.evaluation.metrics import gini
from incentive_lab.games.gridworld import metrics
from incentive_lab.games.gridworld.maps import APPLE, COIN
from incentive_lab.games.gridworld.rules import FORWARD, STAY, ZAP

from .helpers import E, N, actions, arrange, game


def test_efficiency_equality_sustainability_peace_by_hand():
    returns = np.array([[3.0, 1.0, 0.0], [2.0, 2.0, 2.0]])
    # copy 0: agent 0 rewarded at steps 1, 2, 6; agent 1 at step 4; agent 2 never
    time_sums = np.array([[9.0, 4.0, 0.0], [6.0, 6.0, 6.0]])
    reward_steps = np.array([[3, 1, 0], [2, 2, 2]])
    tagged = np.array([[0, 5, 0], [0, 0, 0]])
    T = 10
    np.testing.assert_allclose(metrics.efficiency(returns, T), [0.4, 0.6])
    # Gini of (3, 1, 0): Σ|x_i − x_j| = 2·(2 + 3 + 1) = 12; 12 / (2·3·4) = 0.5
    np.testing.assert_allclose(metrics.equality(returns), [0.5, 1.0])
    np.testing.assert_allclose(metrics.sustainability(time_sums, reward_steps), [3.5, 3.0])
    np.testing.assert_allclose(metrics.peace(tagged, T), [2.5, 3.0])
    out = metrics.social_outcomes(returns, time_sums, reward_steps, tagged, T)
    assert out == pytest.approx(
        {"efficiency": 0.5, "equality": 0.75, "sustainability": 3.25, "peace": 2.75}
    )


def test_the_gini_agrees_with_the_library_gini_for_signed_returns():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(6, 5))
    x[0] = 0.0
    expected = [gini(row) for row in x]
    np.testing.assert_allclose(metrics.signed_gini(x), expected, atol=1e-12)


def test_own_coin_rate_and_cleaning_share():
    assert metrics.own_coin_rate(np.array([[3, 1]]), np.array([[0, 4]])) == pytest.approx(0.5)
    assert metrics.own_coin_rate(np.zeros((1, 2)), np.zeros((1, 2))) is None
    assert metrics.cleaning_share(np.array([[2, 0], [1, 1]]), 4) == pytest.approx(0.25)


def test_a_tiny_coin_episode_by_hand():
    g = game("coins", episode_length=3)
    # red steps on the blue coin (t = 1); blue stays; then nobody moves
    arrange(g, 0, [(1, 1, N), (2, 2, N)], {(0, 1): COIN + 1})
    g.step(actions(g, [FORWARD, STAY]))
    # the coin reappeared somewhere; remove it so that nothing else happens
    g.state.items[0][g.state.items[0] >= COIN] = 0
    g.step(actions(g, [STAY, STAY]))
    result = g.step(actions(g, [STAY, STAY]))
    m = result.info["metrics"]
    # returns (+1, −2): efficiency −1/3; Gini 3·2/(2·2·3) = 0.5; red rewarded at t = 1
    assert m["efficiency"] == pytest.approx(-1 / 3)
    assert m["equality"] == pytest.approx(0.5)
    assert m["sustainability"] == pytest.approx(1.0)
    assert m["peace"] == pytest.approx(2.0)
    assert m["own_coin_rate"] == 0.0


def test_a_tiny_harvest_episode_by_hand():
    g = game("harvest", preset="small", n_agents=2, episode_length=4, tag_timeout=2)
    g.reconfigure(regrowth_probabilities=[0.0])  # nothing regrows
    # player 0 eats at t = 1 and t = 3 moving east; it tags player 1 (ahead of it) at t = 2
    arrange(g, 0, [(3, 4, E), (3, 8, N)], {(3, 5): APPLE, (3, 6): APPLE})
    g.step(actions(g, [FORWARD, STAY]))  # eats (3, 5)
    g.step(actions(g, [ZAP, STAY]))  # the beam passes the apple and hits player 1
    g.step(actions(g, [FORWARD, STAY]))  # eats (3, 6); player 1 removed
    result = g.step(actions(g, [STAY, STAY]))  # player 1 removed (timeout 2 → respawn)
    m = result.info["metrics"]
    assert m["efficiency"] == pytest.approx(2 / 4)
    assert m["equality"] == pytest.approx(0.5)  # returns (2, 0)
    assert m["sustainability"] == pytest.approx(2.0)  # only player 0: (1 + 3) / 2
    assert m["peace"] == pytest.approx((2 * 4 - 2) / 4)
