"""Hand-computed values of every mechanism in the prisoner's dilemma (test-local game).

Copies 0..3 of the PD play (C,C), (C,D), (D,C), (D,D): agents 0..7 with actions below.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from incentive_lab.core.registry import make_mechanism

ACTIONS = np.array([0, 0, 0, 1, 1, 0, 1, 1], dtype=np.int64)
BASE = np.array([3, 3, 0, 5, 5, 0, 1, 1], dtype=np.float64)


def adjust(pd_game, mechanism_id, params, actions=ACTIONS):
    game = pd_game(len(actions) // 2)
    rewards = game.rewards_for(actions)
    mechanism = make_mechanism(mechanism_id, params, game, np.random.default_rng(0))
    return mechanism.adjust(game, actions, rewards, {})


def test_base_payoffs(pd_game):
    np.testing.assert_array_equal(pd_game(4).rewards_for(ACTIONS), BASE)


def test_none_is_identity(pd_game):
    out = adjust(pd_game, "none", {})
    np.testing.assert_array_equal(out.shaped_rewards, BASE)
    np.testing.assert_array_equal(out.transfers, 0.0)
    assert out.cost == 0.0


@pytest.mark.parametrize(
    ("normalise", "expected"),
    [(False, [6, 6, 5, 5, 5, 5, 2, 2]), (True, [3, 3, 2.5, 2.5, 2.5, 2.5, 1, 1])],
)
def test_team_reward(pd_game, normalise, expected):
    out = adjust(pd_game, "team_reward", {"normalise": normalise})
    np.testing.assert_allclose(out.shaped_rewards, expected)
    np.testing.assert_array_equal(out.transfers, 0.0)
    assert out.cost == 0.0


def test_difference_rewards_default_cooperate(pd_game):
    # (C,C): 6-6; (C,D): agent 1 already C -> 0, agent 2: G(C,D)-G(C,C) = 5-6;
    # (D,C): G(D,C)-G(C,C) = -1, 0; (D,D): G(D,D)-G(C,D) = 2-5 = -3 each.
    out = adjust(pd_game, "difference_rewards", {"default_action": 0})
    np.testing.assert_allclose(out.shaped_rewards, [0, 0, 0, -1, -1, 0, -3, -3])
    assert out.cost == 0.0


def test_difference_rewards_default_defect(pd_game):
    # (C,C): G(C,C)-G(D,C) = 1 each; (C,D): G(C,D)-G(D,D) = 3, 0; (D,C): 0, 3; (D,D): 0.
    out = adjust(pd_game, "difference_rewards", {"default_action": 1})
    np.testing.assert_allclose(out.shaped_rewards, [1, 1, 3, 0, 0, 3, 0, 0])


def test_action_tax_fine_on_defection(pd_game):
    out = adjust(pd_game, "action_tax", {"taxes": [0.0, 2.5]})
    transfers = np.array([0, 0, 0, -2.5, -2.5, 0, -2.5, -2.5])
    np.testing.assert_allclose(out.transfers, transfers)
    np.testing.assert_allclose(out.shaped_rewards, BASE + transfers)
    assert out.cost == pytest.approx(10.0)


def test_action_tax_budget_balanced(pd_game):
    out = adjust(pd_game, "action_tax", {"taxes": [0.0, 2.5], "budget_balanced": True})
    transfers = np.array([0, 0, 1.25, -1.25, -1.25, 1.25, 0, 0])
    np.testing.assert_allclose(out.transfers, transfers)
    np.testing.assert_allclose(out.shaped_rewards, [3, 3, 1.25, 3.75, 3.75, 1.25, 1, 1])
    assert out.cost == pytest.approx(5.0)


def test_action_tax_subsidy(pd_game):
    out = adjust(pd_game, "action_tax", {"taxes": [-1.0, 0.0]})
    np.testing.assert_allclose(out.transfers, [1, 1, 1, 0, 0, 1, 0, 0])
    np.testing.assert_allclose(out.shaped_rewards, [4, 4, 1, 5, 5, 1, 1, 1])


def test_pigouvian_tax_default_cooperate(pd_game):
    # A defector is charged what it takes from its partner: 3 against C, 4 against D.
    out = adjust(pd_game, "pigouvian_tax", {})
    transfers = np.array([0, 0, 0, -3, -3, 0, -4, -4])
    np.testing.assert_allclose(out.transfers, transfers)
    np.testing.assert_allclose(out.shaped_rewards, [3, 3, 0, 2, 2, 0, -3, -3])
    assert out.cost == pytest.approx(14.0)


def test_pigouvian_tax_scaled_and_balanced(pd_game):
    out = adjust(pd_game, "pigouvian_tax", {"scale": 0.5, "budget_balanced": True})
    np.testing.assert_allclose(out.transfers, [0, 0, 0.75, -0.75, -0.75, 0.75, 0, 0])


def test_pigouvian_subsidy_relative_to_defection(pd_game):
    # Default D: a cooperator facing C gives its partner 3 more than defecting would.
    out = adjust(pd_game, "pigouvian_tax", {"default_action": 1})
    np.testing.assert_allclose(out.transfers, [3, 3, 4, 0, 0, 4, 0, 0])


def test_inequity_aversion(pd_game):
    out = adjust(pd_game, "inequity_aversion", {"alpha": 1.0, "beta": 0.5})
    np.testing.assert_allclose(out.shaped_rewards, [3, 3, -5, 2.5, 2.5, -5, 1, 1])
    assert out.cost == 0.0


def test_smoothed_inequity_aversion(pd_game):
    # Hughes et al.: compare traces e = 0.5 e + R. Step 1 (C,D): e = (0, 5) -> (-5, 2.5).
    # Step 2 (C,C), R = (3, 3): e = (3, 5.5) -> U = (3 - 1·2.5, 3 - 0.5·2.5) = (0.5, 1.75).
    game = pd_game(1)
    mechanism = make_mechanism(
        "inequity_aversion", {"alpha": 1.0, "beta": 0.5, "smoothing": 0.5}, game, None
    )
    for actions, expected in [([0, 1], [-5.0, 2.5]), ([0, 0], [0.5, 1.75])]:
        actions = np.array(actions)
        out = mechanism.adjust(game, actions, game.rewards_for(actions), {})
        np.testing.assert_allclose(out.shaped_rewards, expected)
    np.testing.assert_allclose(mechanism.trace, [3.0, 5.5])


@pytest.mark.parametrize(
    ("angle", "expected"),
    [
        (0.0, BASE),
        (90.0, [3, 3, 5, 0, 0, 5, 1, 1]),
        (45.0, np.array([6, 6, 5, 5, 5, 5, 2, 2]) * math.sqrt(0.5)),
        (-45.0, np.array([0, 0, -5, 5, 5, -5, 0, 0]) * math.sqrt(0.5)),
        (180.0, -BASE),
    ],
)
def test_svo(pd_game, angle, expected):
    out = adjust(pd_game, "svo", {"angle": angle})
    np.testing.assert_allclose(out.shaped_rewards, expected, atol=1e-12)
    assert out.cost == 0.0


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, [3, 3, 0, 0, 0, 0, 1, 1]),
        ({"kind": "nash_product"}, [9, 9, 0, 0, 0, 0, 1, 1]),
        ({"disagreement": -1.0}, [4, 4, *[math.sqrt(6)] * 4, 2, 2]),
        ({"kind": "nash_product", "disagreement": -1.0}, [16, 16, 6, 6, 6, 6, 4, 4]),
        ({"disagreement": 1.0}, [2, 2, 0, 0, 0, 0, 0, 0]),
    ],
)
def test_mutual_welfare(pd_game, params, expected):
    out = adjust(pd_game, "mutual_welfare", params)
    np.testing.assert_allclose(out.shaped_rewards, expected, rtol=1e-12)
    assert out.cost == 0.0


# -- theory: which shaped games make cooperation strictly dominant -----------------------------


def shaped_table(pd_game, mechanism_id, params):
    """Row player's shaped payoff U[a_row, a_col] in the PD under a mechanism."""
    out = adjust(pd_game, mechanism_id, params)
    return out.shaped_rewards[0::2].reshape(2, 2)


def cooperation_dominant(table):
    return bool(np.all(table[0] > table[1]))


def defection_dominant(table):
    return bool(np.all(table[1] > table[0]))


@pytest.mark.parametrize("tax", [0.0, 0.5, 0.99, 1.0, 1.01, 1.5, 1.99, 2.0, 2.01, 2.5, 4.0, 10.0])
def test_action_tax_threshold_in_shaped_game(pd_game, tax):
    # SPEC: cooperation strictly dominant iff tax > max(T-R, P-S) = max(2, 1) = 2.
    table = shaped_table(pd_game, "action_tax", {"taxes": [0.0, tax]})
    assert cooperation_dominant(table) == (tax > 2.0)
    # defection stays dominant only below min(T-R, P-S) = 1 (in between: a snowdrift game)
    assert defection_dominant(table) == (tax < 1.0)


@pytest.mark.parametrize("tax", [1.0, 1.99, 2.0, 2.01, 3.0, 3.99, 4.0, 4.01, 5.0])
def test_budget_balanced_action_tax_threshold_doubles(pd_game, tax):
    table = shaped_table(pd_game, "action_tax", {"taxes": [0.0, tax], "budget_balanced": True})
    assert cooperation_dominant(table) == (tax > 4.0)
    assert defection_dominant(table) == (tax < 2.0)


@pytest.mark.parametrize(
    ("mechanism_id", "params", "dominant"),
    [
        ("none", {}, False),
        ("team_reward", {}, True),
        ("difference_rewards", {}, True),
        ("pigouvian_tax", {}, True),
        ("pigouvian_tax", {"scale": 0.5}, False),  # half the externality: T - 1.5 > R
        ("svo", {"angle": 90.0}, True),
        ("svo", {"angle": 45.0}, True),  # two players: sqrt(1/2) x team reward
        ("svo", {"angle": 20.0}, False),  # cos 20 x 5 > cos 20 x 3 + sin 20 x 3
        ("inequity_aversion", {"alpha": 1.0, "beta": 0.5}, False),
        ("inequity_aversion", {"alpha": 1.0, "beta": 1.0}, False),
    ],
)
def test_cooperation_dominance(pd_game, mechanism_id, params, dominant):
    assert cooperation_dominant(shaped_table(pd_game, mechanism_id, params)) == dominant
