"""The ``core.game.Game`` contract, checked for every registered game.

``incentive_lab.testing.check_game`` asserts shapes and dtypes of ``reset``/``step``;
counterfactual queries that agree with the step just played (``rewards_for``, ``welfare``,
``deviation`` and its vectorised override against the base class's reference loop); seeded
reproducibility; pickling mid-episode; ``describe()`` and metadata; action validation. The
PettingZoo part of ``check_game`` runs per mechanism in ``test_pettingzoo_conformance.py``.
"""

from __future__ import annotations

import pytest

from incentive_lab.testing import check_game
from incentive_lab.testing.fixtures import REPRODUCIBILITY

from .conftest import Case, game_cases

CASES = game_cases()

CHECKS = (
    "reset and step shapes",
    "counterfactuals agree with the step",
    REPRODUCIBILITY,
    "pickle mid-episode",
    "describe and metadata",
    "bad actions rejected",
)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_game_contract(case: Case) -> None:
    report = check_game(case.game_id, case.params, mechanisms=())
    assert report.checks == CHECKS and not report.exemptions


def test_check_game_runs_the_pettingzoo_conformance_too() -> None:
    report = check_game("prisoners_dilemma", {"n_copies": 2}, mechanisms=("team_reward",))
    assert report.checks[: len(CHECKS)] == CHECKS
    assert "pettingzoo seed_test with team_reward" in report.checks
