"""``adaptive_planner`` with ``gradient: sampled``: any game, learned from observed play.

Measured (policy_gradient learners, seed 0, 3000 steps; cooperation = mean of the last 200
steps): PD with 50 copies — 0.003 without a planner, 0.999 with the sampled planner
(joint payments), 0.999 with own-action payments, 0.998 budget-balanced; spend per agent
falls from ≈2.9 (first 300 steps) to ≈0.05. Public goods (50 agents, fixed groups of 5,
r = 3 < G: defection dominant by 0.4) — 0.004 without, 1.000 with (own-action payments;
≈0.22 per agent still paid at the end, 0.005 budget-balanced).
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from incentive_lab.core import ConfigError, LearnerContext, make_game, make_learner, make_mechanism
from incentive_lab.rollout import LearnerGroup, Simulation

PGG = {"n_agents": 50, "group_size": 5, "r_c": 3.0, "r_d": 3.0}


class Trace:
    def __init__(self) -> None:
        self.coop: list[float] = []
        self.cost: list[float] = []

    def record(self, record) -> None:
        self.coop.append(float((record.actions == 0).mean()))
        self.cost.append(record.cost / record.actions.shape[0])


def run(game_id, game_params, mechanism, params, steps=3000, seed=0):
    game = make_game(game_id, game_params)
    rng = np.random.default_rng(seed)
    group = make_learner("policy_gradient", {}, LearnerContext.for_game(game), rng)
    mech = make_mechanism(mechanism, params, game, rng)
    sim = Simulation(game, [LearnerGroup(0, game.n_agents, group)], mech, rng)
    trace = Trace()
    sim.run(steps, trace)
    return np.array(trace.coop), np.array(trace.cost), mech


def planner(game, **params):
    return make_mechanism(
        "adaptive_planner", {"gradient": "sampled", **params}, game, np.random.default_rng(0)
    )


@pytest.mark.parametrize(
    ("params", "decay"),
    [({}, 0.1), ({"payments_on": "own"}, 0.1), ({"budget_balanced": True}, 0.2)],
    ids=["joint", "own", "balanced"],
)
def test_sampled_planner_makes_pd_learners_cooperate(params, decay):
    without, _, _ = run("prisoners_dilemma", {"n_copies": 50}, "none", {})
    coop, cost, mech = run(
        "prisoners_dilemma", {"n_copies": 50}, "adaptive_planner", {"gradient": "sampled", **params}
    )
    assert without[-200:].mean() < 0.02
    assert coop[-200:].mean() > 0.98
    assert cost[-200:].mean() < decay * cost[:300].mean()  # balanced: 0.44 → 0.056
    assert mech.theta.shape == ((2,) if params.get("payments_on") == "own" else (2, 2, 2))


def test_sampled_planner_raises_cooperation_in_public_goods():
    without, _, _ = run("public_goods", PGG, "none", {})
    coop, _, mech = run("public_goods", PGG, "adaptive_planner", {"gradient": "sampled"})
    assert mech.theta.shape == (2,)  # 2^5·5 joint features > 64: own-action payments
    assert without[-200:].mean() < 0.02 and coop[-200:].mean() > 0.98
    table = mech.payment_table()
    assert table[0] - table[1] > 0.4  # C is paid more than D by more than D's advantage
    balanced, balanced_cost, _ = run(
        "public_goods", PGG, "adaptive_planner", {"gradient": "sampled", "budget_balanced": True}
    )
    assert balanced[-200:].mean() > 0.98 and balanced_cost[-200:].mean() < 0.02


def test_regrouped_public_goods_runs_on_one_copy():
    """One copy: no other copies to pair with, the previous step's scores stand in."""
    game = {**PGG, "regroup": True}
    coop, _, _ = run("public_goods", game, "adaptive_planner", {"gradient": "sampled", "lr": 0.1})
    assert coop[-200:].mean() > 0.95


def test_joint_payments_follow_the_copy_and_role():
    game = make_game("prisoners_dilemma", {"n_copies": 3})
    mech = planner(game)
    mech.theta = np.arange(8.0).reshape(2, 2, 2) / 8 - 0.5
    actions = np.array([0, 1, 0, 1, 1, 0])
    out = mech.adjust(game, actions, game.rewards_for(actions), {})
    table = mech.payment_table()
    expected = [table[0, 1, 0], table[0, 1, 1]] * 2 + [table[1, 0, 0], table[1, 0, 1]]
    np.testing.assert_allclose(out.transfers, expected)
    np.testing.assert_allclose(out.shaped_rewards, game.rewards_for(actions) + out.transfers)


def test_budget_balanced_own_payments_sum_to_zero_per_group():
    game = make_game("public_goods", {"n_agents": 12, "group_size": 4})
    mech = planner(game, budget_balanced=True, lr=5.0)
    rng = np.random.default_rng(2)
    for _ in range(20):
        actions = rng.integers(0, 2, size=12)
        rewards = game.step(actions).rewards
        out = mech.adjust(game, actions, rewards, {})
        mech.update(game, actions, rewards, out)
        np.testing.assert_allclose(out.transfers.reshape(3, 4).sum(axis=1), 0.0, atol=1e-12)
    assert np.abs(out.transfers).max() > 0


def test_off_after_stops_the_sampled_planner():
    game = make_game("prisoners_dilemma", {"n_copies": 4})
    mech = planner(game, lr=5.0, off_after=5)
    rng = np.random.default_rng(1)
    for step in range(10):
        actions = rng.integers(0, 2, size=8)
        rewards = game.step(actions).rewards
        out = mech.adjust(game, actions, rewards, {})
        stats = mech.update(game, actions, rewards, out)
        assert (out.cost > 0) == (0 < step < 5) and (stats["paying"] == 1.0) == (step < 5)


def test_unequal_copies_cannot_pay_on_the_joint_action():
    game = make_game("public_goods", {"n_agents": 6, "group_size": 3})
    assert planner(game).theta.shape == (2, 2, 2, 3)  # 2^3·3 = 24 ≤ 64: joint
    with pytest.raises(ConfigError, match="sampled"):
        make_mechanism("adaptive_planner", {}, game, None)
    with pytest.raises(ConfigError, match=r"mechanism\.params\.gradient"):
        planner(game, gradient="stochastic")


def test_sampled_planner_on_irregular_copies_is_a_well_behaved_mechanism(random_game):
    """Copies of sizes 1–4 (test-local game, no payoff tensor): own-action payments."""
    game = random_game([4, 1, 4, 2, 1, 4, 0, 2, 2], 2, 7)

    def episode(mech):
        rng = np.random.default_rng(1)
        outs = []
        for _ in range(6):
            actions = rng.integers(0, 2, size=game.n_agents)
            rewards = game.step(actions).rewards
            kept = rewards.copy()
            out = mech.adjust(game, actions, rewards, {})
            mech.update(game, actions, rewards, out)
            np.testing.assert_array_equal(rewards, kept)
            assert out.transfers.dtype == np.float64 and out.transfers.shape == (9,)
            np.testing.assert_allclose(out.shaped_rewards, rewards + out.transfers)
            outs.append(out.transfers)
        return np.array(outs)

    first = episode(planner(game, lr=5.0, budget_balanced=True))
    clone = pickle.loads(pickle.dumps(planner(game, lr=5.0, budget_balanced=True)))
    np.testing.assert_array_equal(first, episode(clone))
    assert np.abs(first[-1]).max() > 0
    copies = game.copies
    for row in first:  # balanced within every copy (a copy of one agent is paid nothing)
        np.testing.assert_allclose(np.bincount(copies, weights=row), 0.0, atol=1e-12)
    with pytest.raises(ConfigError, match=r"mechanism\.params\.payments_on"):
        planner(game, payments_on="joint")
