"""SPEC §3: in the prisoner's dilemma a tax on defection above max(T−R, P−S) makes
cooperation strictly dominant, so independent learners end cooperating.

PD preset (C,C)=(3,3) (C,D)=(0,5) (D,C)=(5,0) (D,D)=(1,1). With ``taxes = [0, t]`` the
shaped game pays T−t, R, P−t, S:

* ``t > max(T−R, P−S) = 2``: cooperation strictly dominant → learners cooperate;
* ``t < min(T−R, P−S) = 1``: defection still strictly dominant → learners defect;
* ``1 < t < 2``: neither dominates (R < T−t but S > P−t: a snowdrift / chicken game with
  pure equilibria (C,D), (D,C)); not a threshold claim, so not tested here (ε-greedy
  learners end at intermediate cooperation, e.g. ≈ 0.75 at t = 1.5).

Budget-balanced (half of a fine comes back to the payer in a pair): the thresholds double,
C dominant iff t > 4, D dominant iff t < 2.

Setting: 200 independent copies (400 agents), stateless ε-greedy Q-learners (γ = 0, α = 0.1,
ε = 0.05) learning on the shaped rewards of ``action_tax``. Measured: the share of
cooperative actions played over the last 100 of 4000 steps (ceiling 0.975, floor 0.025).
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("incentive_lab.games.matrix")
pytest.importorskip("incentive_lab.learners.tabular.q_learning")

from incentive_lab.core.learner import LearnerContext
from incentive_lab.core.registry import make_game, make_learner, make_mechanism
from incentive_lab.core.seeding import spawn_rngs
from incentive_lab.rollout import LearnerGroup, Simulation

STEPS, LAST = 4000, 100


class CooperationCounter:
    """Recorder: share of action 0 (cooperate) over the steps from ``start`` on."""

    def __init__(self, start: int) -> None:
        self.start = start
        self.cooperative = 0
        self.total = 0

    def record(self, record) -> None:
        if record.step >= self.start:
            self.cooperative += int(np.count_nonzero(record.actions == 0))
            self.total += record.actions.shape[0]

    @property
    def rate(self) -> float:
        return self.cooperative / self.total


def cooperation_rate(tax: float, seed: int = 0, budget_balanced: bool = False) -> float:
    learner_rng, mechanism_rng, run_rng = spawn_rngs(seed, 3)
    game = make_game("prisoners_dilemma", {"n_copies": 200})
    context = LearnerContext(
        agents=np.arange(game.n_agents, dtype=np.int64),
        n_actions=game.n_actions,
        observation_space=game.observation_space,
        population_size=game.n_agents,
        cooperative_action=game.metadata.cooperative_action,
    )
    learner = make_learner(
        "q_learning",
        {"alpha": 0.1, "epsilon": 0.05, "gamma": 0.0, "exploration": "epsilon_greedy"},
        context,
        learner_rng,
    )
    mechanism = make_mechanism(
        "action_tax", {"taxes": [0.0, tax], "budget_balanced": budget_balanced}, game, mechanism_rng
    )
    simulation = Simulation(game, [LearnerGroup(0, game.n_agents, learner)], mechanism, run_rng)
    counter = CooperationCounter(STEPS - LAST)
    simulation.run(STEPS, counter)
    return counter.rate


@pytest.mark.parametrize("tax", [2.5, 4.0])
def test_tax_above_threshold_leads_to_cooperation(tax):
    assert cooperation_rate(tax) > 0.9


@pytest.mark.parametrize("tax", [0.0, 0.5])
def test_small_tax_leaves_defection_dominant(tax):
    assert cooperation_rate(tax) < 0.1


def test_budget_balanced_tax_needs_twice_the_threshold():
    # t = 5 > 4 is enough; t = 2.5 would be enough without redistribution but is not with
    # it (the outcome stays far from full cooperation); t = 1 < 2 leaves D dominant.
    assert cooperation_rate(5.0, budget_balanced=True) > 0.9
    assert cooperation_rate(2.5, budget_balanced=True) < 0.7
    assert cooperation_rate(1.0, budget_balanced=True) < 0.1
