"""Contract every registered learner satisfies, through ``incentive_lab.testing.check_learner``.

Each id is checked on its game of ``incentive_lab.testing.fixtures`` (by default random
rewards with 1, 7, 1000 and 5 agents; gradient play on differentiable games; planners on
``global_local``): act/update shapes and ranges, policy rows, seeded reproducibility, pickling,
seed sensitivity and lifelong play. No id skips reproducibility or pickling; an exemption
would have to be declared, with its reason, in the fixtures table, and is reported here.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from incentive_lab.core import ConfigError, LearnerContext, ids, make_learner
from incentive_lab.testing import check_learner
from incentive_lab.testing.fixtures import (
    LEARNERS as FIXTURES,
)
from incentive_lab.testing.fixtures import (
    PICKLING,
    REPRODUCIBILITY,
    SEED_SENSITIVITY,
    learner_fixture,
    random_rewards,
)
from incentive_lab.testing.report import ContractExemption

LEARNERS = ids("learner")
NEEDS_A_GAME = [i for i in LEARNERS if learner_fixture(i).game.id != "testing/random_rewards"]
"""Gradient play needs a differentiable game, planners the generative model of a game."""


def test_the_tabular_learners_are_registered():
    assert {
        "fixed",
        "q_learning",
        "boltzmann_q",
        "faq",
        "cross_learning",
        "policy_gradient",
    } <= set(LEARNERS)


def test_every_fixture_is_a_registered_learner_with_reasoned_exemptions():
    assert set(FIXTURES) <= set(LEARNERS)
    for fixture in FIXTURES.values():
        for check, reason in fixture.exemptions.items():
            assert check in (REPRODUCIBILITY, PICKLING, SEED_SENSITIVITY) and reason.strip()


@pytest.mark.parametrize("learner_id", LEARNERS)
def test_learner_contract(learner_id):
    report = check_learner(learner_id)
    declared = learner_fixture(learner_id).exemptions
    for check in (REPRODUCIBILITY, PICKLING):
        assert (check in report.checks) is (check not in declared), (check, report)
    for check, reason in report.exemptions.items():
        warnings.warn(
            f"{learner_id} is exempt from {check!r}: {reason}", ContractExemption, stacklevel=1
        )


@pytest.mark.parametrize("learner_id", NEEDS_A_GAME)
def test_learners_that_need_a_model_refuse_a_game_without_one(learner_id):
    game = random_rewards(1).build()
    with pytest.raises(ConfigError, match=r"differentiable game|generative model|scripted_policy"):
        make_learner(
            learner_id,
            dict(learner_fixture(learner_id).params),
            LearnerContext.for_game(game),
            np.random.default_rng(0),
        )
