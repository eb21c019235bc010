"""Auction game: allocation, values as base rewards, reserve, ties, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from incentive_lab.core import ConfigError, make_game, make_rng


def test_highest_bids_win_and_are_paid_their_values() -> None:
    game = make_game("auction", {"n_bidders": 3, "n_items": 2, "item_weights": [1.0, 3.0]})
    game.reset(make_rng(0))
    values = game.values
    actions = np.array([10, 5, 0])  # fractions 1.0, 0.5, 0.0
    result = game.step(actions)
    outcome = result.info["auction"]
    np.testing.assert_allclose(outcome.bids, values * [1.0, 0.5, 0.0])
    ranks = np.argsort(-outcome.bids)
    np.testing.assert_allclose(outcome.won[ranks], [3.0, 1.0, 0.0])
    np.testing.assert_allclose(result.rewards, values * outcome.won)


def test_reserve_excludes_low_bids() -> None:
    game = make_game("auction", {"n_bidders": 2, "reserve": 2.0})  # values ≤ 1 < reserve
    game.reset(make_rng(0))
    result = game.step(np.array([10, 10]))
    np.testing.assert_array_equal(result.info["auction"].won, 0.0)
    assert result.info["metrics"]["efficiency"] == 0.0


def test_ties_are_broken_at_random() -> None:
    game = make_game("auction", {"n_bidders": 2, "n_copies": 2000})
    game.reset(make_rng(0))
    won = game.step(np.zeros(4000, dtype=np.int64)).info["auction"].won  # all bid 0
    share = won.reshape(-1, 2)[:, 0].mean()
    assert won.reshape(-1, 2).sum(axis=1).max() == 1.0
    assert share == pytest.approx(0.5, abs=0.05)


def test_observation_is_the_value_bucket() -> None:
    game = make_game("auction", {"n_copies": 50, "values": {"low": 1.0, "high": 3.0}})
    obs = game.reset(make_rng(3))
    np.testing.assert_array_equal(obs, np.floor((game.values - 1.0) / 2.0 * 10).astype(int))


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"values": {"low": -1.0}}, r"game\.params\.values\.low"),
        ({"values": {"low": 2.0, "high": 1.0}}, r"game\.params\.values\.high"),
        ({"n_bidders": 2, "n_items": 3}, r"game\.params\.n_items.*at most n_bidders=2"),
        ({"item_weights": [1.0, 2.0]}, r"game\.params\.item_weights"),
        ({"values": {"dist": "normal"}}, r"game\.params\.values\.dist"),
    ],
)
def test_bad_input_names_the_field(params: dict, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        make_game("auction", params)
