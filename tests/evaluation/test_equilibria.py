"""Equilibria against theory: classic 2×2 games, an N-player game, reshaped games."""

from __future__ import annotations

import numpy as np
import pytest

from incentive_lab.core.errors import ConfigError
from incentive_lab.core.registry import make_game, make_mechanism
from incentive_lab.evaluation.equilibria import (
    pure_nash_equilibria,
    reshaped_tensor,
    support_enumeration,
    two_player_equilibria,
)

PD = np.array([[[3, 3], [0, 5]], [[5, 0], [1, 1]]], dtype=float)
PENNIES = np.stack([np.array([[1, -1], [-1, 1.0]]), -np.array([[1, -1], [-1, 1.0]])], axis=-1)
SEXES = np.array([[[2, 1], [0, 0]], [[0, 0], [1, 2]]], dtype=float)
STAG = np.array([[[4, 4], [0, 3]], [[3, 0], [2, 2]]], dtype=float)  # R=4 T=3 P=2 S=0


def as_set(profiles: np.ndarray) -> set[tuple[float, ...]]:
    return {tuple(np.round(p.ravel(), 9)) for p in profiles}


def test_prisoners_dilemma_unique_defection():
    assert pure_nash_equilibria(PD).tolist() == [[1, 1]]
    assert as_set(two_player_equilibria(PD)) == {(0, 1, 0, 1)}


def test_matching_pennies_unique_mixed_half_half():
    assert pure_nash_equilibria(PENNIES).shape == (0, 2)
    np.testing.assert_allclose(two_player_equilibria(PENNIES), [[[0.5, 0.5], [0.5, 0.5]]])


def test_battle_of_sexes_three_equilibria():
    assert pure_nash_equilibria(SEXES).tolist() == [[0, 0], [1, 1]]
    # row mixes so that the column player is indifferent: x0·1 = x1·2 → x = (2/3, 1/3)
    expected = {(1, 0, 1, 0), (0, 1, 0, 1), tuple(np.round([2 / 3, 1 / 3, 1 / 3, 2 / 3], 9))}
    assert as_set(two_player_equilibria(SEXES)) == expected


def test_stag_hunt_two_pure_and_one_mixed():
    # stag with probability p: 4p = 3p + 2(1 − p) → p = 2/3
    profiles = two_player_equilibria(STAG)
    expected = {(1, 0, 1, 0), (0, 1, 0, 1), tuple(np.round([2 / 3, 1 / 3, 2 / 3, 1 / 3], 9))}
    assert as_set(profiles) == expected


def test_rock_paper_scissors_uniform():
    rps = np.array([[0, -1, 1], [1, 0, -1], [-1, 1, 0]], dtype=float)
    ((x, y),) = support_enumeration(rps, -rps)
    np.testing.assert_allclose(x, 1 / 3)
    np.testing.assert_allclose(y, 1 / 3)


def test_non_square_bimatrix():
    # the row player's third action is strictly dominated; the rest is matching pennies
    a = np.array([[1, -1], [-1, 1], [-2, -2]], dtype=float)
    ((x, y),) = support_enumeration(a, -a)
    np.testing.assert_allclose(x, [0.5, 0.5, 0.0])
    np.testing.assert_allclose(y, [0.5, 0.5])


def test_degenerate_game_keeps_all_pure_equilibria():
    # all payoffs equal: every profile is an equilibrium; the four pure ones are found
    profiles = two_player_equilibria(np.zeros((2, 2, 2)))
    assert {(1, 0, 1, 0), (1, 0, 0, 1), (0, 1, 1, 0), (0, 1, 0, 1)} <= as_set(profiles)


def test_three_player_pure_equilibria():
    # three-player coordination: payoff 1 to everyone iff all actions agree
    tensor = np.zeros((2, 2, 2, 3))
    tensor[0, 0, 0] = 1.0
    tensor[1, 1, 1] = 1.0
    assert pure_nash_equilibria(tensor).tolist() == [[0, 0, 0], [1, 1, 1]]


def test_bad_tensors_raise_config_error():
    with pytest.raises(ConfigError, match="tensor"):
        pure_nash_equilibria(np.zeros((2, 3, 2)))
    with pytest.raises(ConfigError, match="two-player"):
        two_player_equilibria(np.zeros((2, 2, 2, 3)))
    with pytest.raises(ConfigError, match="col_payoffs"):
        support_enumeration(np.zeros((2, 2)), np.zeros((2, 3)))


# -- games reshaped by real mechanisms ---------------------------------------------------------
def shaped_pd(mechanism: str, params: dict) -> np.ndarray:
    game = make_game("prisoners_dilemma", {"n_copies": 1})
    mech = make_mechanism(mechanism, params, game, np.random.default_rng(0))
    return reshaped_tensor(
        game.payoff_tensor, lambda a, r: mech.adjust(game, a, r, {}).shaped_rewards
    )


def test_identity_shaping_returns_the_same_tensor():
    np.testing.assert_array_equal(shaped_pd("none", {}), PD)


def test_action_tax_above_two_makes_cooperation_the_unique_equilibrium():
    tensor = shaped_pd("action_tax", {"taxes": [0, 2.5]})
    np.testing.assert_allclose(tensor[1, 0], [2.5, 0.0])  # (D, C): T − t and S
    assert pure_nash_equilibria(tensor).tolist() == [[0, 0]]
    assert as_set(two_player_equilibria(tensor)) == {(1, 0, 1, 0)}


def test_action_tax_between_thresholds_makes_a_snowdrift():
    # 1 < t < 2: pure (C,D), (D,C); mixed: C with p where 3p = (5−t)p + (1−t)(1−p)
    t = 1.5
    tensor = shaped_pd("action_tax", {"taxes": [0, t]})
    assert pure_nash_equilibria(tensor).tolist() == [[0, 1], [1, 0]]
    p = (1 - t) / (3 - (5 - t) + (1 - t))
    assert (round(p, 9), round(1 - p, 9)) * 2 in as_set(two_player_equilibria(tensor))


def test_team_reward_makes_cooperation_the_equilibrium():
    tensor = shaped_pd("team_reward", {})
    assert pure_nash_equilibria(tensor).tolist() == [[0, 0]]
    assert as_set(two_player_equilibria(tensor)) == {(1, 0, 1, 0)}


def test_shaping_with_a_wrong_shape_is_rejected():
    with pytest.raises(ConfigError, match="shaping"):
        reshaped_tensor(PD, lambda a, r: r[:1])
