"""Guess 0.8 of the average: hand-computed winners, ties, constant sum, equilibrium."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from incentive_lab.core import make_game


def test_hand_computed_round():
    game = make_game("guess_average", {})
    game.reset(np.random.default_rng(0))
    result = game.step(np.array([10, 20, 30, 40, 50]))  # mean 30, target 24: 20 is closest
    assert result.rewards.tolist() == [0, 1, 0, 0, 0]
    assert result.info["metrics"]["target"] == 24.0


def test_ties_split_the_prize():
    game = make_game("guess_average", {"n_agents": 4})
    assert game.rewards_for(np.array([0, 0, 50, 50])).tolist() == [0.5, 0.5, 0, 0]  # target 20


@given(st.lists(st.integers(0, 100), min_size=5, max_size=5))
def test_constant_sum(guesses):
    game = make_game("guess_average", {})
    assert game.rewards_for(np.array(guesses)).sum() == 1.0


def test_all_zero_is_an_equilibrium():
    game = make_game("guess_average", {})
    zeros = np.zeros(5, dtype=np.int64)
    deviation = game.deviation(zeros, np.full(5, 37))
    assert np.all(deviation.own == 0.0) and np.all(game.rewards_for(zeros) == 0.2)
    assert game.metadata.pure_equilibria == ((0, 0, 0, 0, 0),)
