"""``adaptive_planner``: construction, payments, budget balance, switch-off, validation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incentive_lab.core import ConfigError, make_game, make_mechanism


def planner(game, **params):
    return make_mechanism("adaptive_planner", params, game, np.random.default_rng(0))


def drive(game, mechanism, steps, seed=1):
    rng = np.random.default_rng(seed)
    outs = []
    for _ in range(steps):
        actions = rng.integers(0, game.n_actions, size=game.n_agents)
        rewards = game.step(actions).rewards
        out = mechanism.adjust(game, actions, rewards, {})
        stats = mechanism.update(game, actions, rewards, out)
        outs.append((actions, rewards, out, stats))
    return outs


def test_needs_a_normal_form_game():
    game = make_game("public_goods", {"n_agents": 6, "group_size": 3})
    with pytest.raises(ConfigError, match="payoff_tensor"):
        planner(game)


def test_starts_paying_nothing_then_pays_within_the_cap():
    game = make_game("prisoners_dilemma", {"n_copies": 4})
    mech = planner(game, r_max=1.5, lr=5.0)
    outs = drive(game, mech, 30)
    np.testing.assert_array_equal(outs[0][2].transfers, 0.0)
    transfers = np.array([o[2].transfers for o in outs])
    assert np.abs(transfers).max() <= 1.5 and np.abs(transfers[-1]).max() > 0.1
    for _, rewards, out, _ in outs:
        np.testing.assert_allclose(out.shaped_rewards, rewards + out.transfers)
        assert out.cost == pytest.approx(np.abs(out.transfers).sum())


def test_payment_depends_only_on_the_joint_action_of_the_copy():
    game = make_game("prisoners_dilemma", {"n_copies": 3})
    mech = planner(game, lr=5.0)
    drive(game, mech, 20)
    actions = np.array([0, 1, 0, 1, 1, 0])
    out = mech.adjust(game, actions, game.rewards_for(actions), {})
    table = mech.payment_table()
    expected = [table[0, 1, 0], table[0, 1, 1]] * 2 + [table[1, 0, 0], table[1, 0, 1]]
    np.testing.assert_allclose(out.transfers, expected)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), copies=st.integers(1, 5))
def test_budget_balanced_transfers_sum_to_zero_in_every_copy(seed, copies):
    game = make_game("matrix", {"payoffs": np.arange(24.0).reshape(2, 2, 2, 3), "n_copies": copies})
    mech = planner(game, budget_balanced=True, lr=3.0)
    for _, _, out, _ in drive(game, mech, 5, seed=seed):
        np.testing.assert_allclose(out.transfers.reshape(copies, 3).sum(axis=1), 0.0, atol=1e-12)


def test_off_after_stops_payments_and_learning():
    game = make_game("prisoners_dilemma", {"n_copies": 4})
    mech = planner(game, lr=5.0, off_after=10)
    outs = drive(game, mech, 20)
    assert np.abs(outs[9][2].transfers).max() > 0
    theta = mech.theta.copy()
    for _, _, out, stats in outs[10:]:
        np.testing.assert_array_equal(out.transfers, 0.0)
        assert out.cost == 0.0 and stats == {"paying": 0.0}
    np.testing.assert_array_equal(mech.theta, theta)
    never = planner(game, off_after=0)
    assert all(o[2].cost == 0.0 for o in drive(game, never, 3))


def test_strategy_estimate_tracks_play():
    game = make_game("prisoners_dilemma", {"n_copies": 10})
    mech = planner(game, tracking=1.0)
    actions = np.tile([0, 1], 10)  # every row player cooperates, every column player defects
    out = mech.adjust(game, actions, game.rewards_for(actions), {})
    mech.update(game, actions, game.rewards_for(actions), out)
    np.testing.assert_allclose(mech.estimate[:, 0], np.array([1.0, 1e-3]) / 1.001)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"r_max": 0.0}, "r_max"),
        ({"cost": -1.0}, "cost"),
        ({"lr": 0}, "lr"),
        ({"off_after": -1}, "off_after"),
        ({"tracking": 1.5}, "tracking"),
    ],
)
def test_bad_parameters_are_named(params, field):
    game = make_game("prisoners_dilemma", {})
    with pytest.raises(ConfigError, match=rf"mechanism\.params\.{field}"):
        planner(game, **params)
