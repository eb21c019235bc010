"""Baumann et al. (2020): the adaptive planner leads gradient learners to mutual cooperation.

50 copies of each symmetric 2×2 dilemma (greed/fear family: prisoner's dilemma, stag hunt,
chicken), tabular softmax policy-gradient learners, 3000 steps, seed 0. Without the planner
the learners defect in the PD, split between the two equilibria in the stag hunt and
anti-coordinate in chicken; with it every copy ends at (C, C), and the planner's spend
falls once cooperation is established. Switching the planner off keeps cooperation where
(C, C) is an equilibrium (stag hunt) and loses it where defection is dominant (PD).
"""

from __future__ import annotations

import numpy as np
import pytest

from incentive_lab.core import LearnerContext, make_game, make_learner, make_mechanism
from incentive_lab.rollout import LearnerGroup, Simulation


class Trace:
    """Per-step cooperation rate and spend per agent."""

    def __init__(self) -> None:
        self.coop: list[float] = []
        self.cost: list[float] = []

    def record(self, record) -> None:
        self.coop.append(float((record.actions == 0).mean()))
        self.cost.append(record.cost / record.actions.shape[0])


def run(game_id, mechanism, steps=3000, seed=0, learner="policy_gradient"):
    game = make_game(game_id, {"n_copies": 50})
    rng = np.random.default_rng(seed)
    group = make_learner(learner, {}, LearnerContext.for_game(game), rng)
    mech = make_mechanism(mechanism[0], mechanism[1], game, rng)
    sim = Simulation(game, [LearnerGroup(0, game.n_agents, group)], mech, rng)
    trace = Trace()
    sim.run(steps, trace)
    return np.array(trace.coop), np.array(trace.cost)


@pytest.mark.parametrize(
    ("game_id", "selfish_max"),
    [("prisoners_dilemma", 0.05), ("stag_hunt", 0.7), ("chicken", 0.6)],
)
def test_planner_leads_to_mutual_cooperation(game_id, selfish_max):
    without, _ = run(game_id, ("none", {}))
    coop, cost = run(game_id, ("adaptive_planner", {}))
    assert without[-200:].mean() < selfish_max
    assert coop[-200:].mean() > 0.98
    # payments are large while the learners are persuaded and decay once they cooperate
    assert cost[-200:].mean() < 0.1 * cost[:300].mean()


def test_budget_balanced_planner_also_cooperates_in_the_pd():
    coop, _ = run("prisoners_dilemma", ("adaptive_planner", {"budget_balanced": True}))
    assert coop[-200:].mean() > 0.98


def test_q_learners_cooperate_with_the_planner_in_the_pd():
    without, _ = run("prisoners_dilemma", ("none", {}), learner="q_learning")
    coop, _ = run("prisoners_dilemma", ("adaptive_planner", {}), learner="q_learning")
    assert without[-200:].mean() < 0.1 and coop[-200:].mean() > 0.9  # ε = 0.05 exploration


def test_switching_off_keeps_stag_hunt_cooperation_but_not_pd():
    stag, stag_cost = run("stag_hunt", ("adaptive_planner", {"off_after": 2000}), steps=5000)
    pd, _ = run("prisoners_dilemma", ("adaptive_planner", {"off_after": 2000}), steps=5000)
    assert stag_cost[2000:].max() == 0.0
    assert stag[1800:2000].mean() > 0.98 and stag[-200:].mean() > 0.98
    assert pd[1800:2000].mean() > 0.98 and pd[-200:].mean() < 0.5
