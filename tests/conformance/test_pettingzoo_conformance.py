"""PettingZoo's own conformance tests over every registered game × mechanism.

``incentive_lab.testing.check_parallel_env`` runs ``parallel_api_test`` and
``parallel_seed_test`` on the ParallelEnv, and ``api_test`` and ``seed_test`` on its AEC
conversion, failing on any PettingZoo warning that is not known to be benign.
"""

from __future__ import annotations

import pytest

from incentive_lab.core import ids
from incentive_lab.testing import check_parallel_env
from incentive_lab.testing.pettingzoo import MECHANISMS

from .conftest import Case, game_cases

CASES = game_cases()


@pytest.mark.parametrize(
    ("case", "mechanism_id"),
    [(case, m) for case in CASES for m in MECHANISMS],
    ids=[f"{case.name}-{m}" for case in CASES for m in MECHANISMS],
)
def test_pettingzoo_conformance(case: Case, mechanism_id: str) -> None:
    if mechanism_id not in ids("mechanism"):
        pytest.skip(f"mechanism {mechanism_id!r} is not registered")
    report = check_parallel_env(case.game_id, case.params, mechanism=mechanism_id)
    assert len(report.checks) == 4
