"""Contract tests run over every registered mechanism id.

``incentive_lab.testing.check_mechanism`` checks each id on its games of
``incentive_lab.testing.fixtures`` (by default the toy PD, the registered PD and the
irregular random game; auctions, tolls, platform mechanisms, ``asymmetric_feedback`` and the
exact ``adaptive_planner`` on the game they need): ``float64[n]`` arrays and a finite float
cost, untouched inputs and base rewards, transfers and cost consistent with the registry
declarations (``pays``, ``stateless``), seeded reproducibility, pickling, and rejection of
unknown parameters by name. No id is skipped.

The mechanisms of this package (``MINE``) also pin their declarations and documentation.
"""

from __future__ import annotations

import numpy as np
import pytest

from incentive_lab.core import make_rng
from incentive_lab.core.registry import get, ids, make_mechanism
from incentive_lab.testing import check_mechanism
from incentive_lab.testing.fixtures import MECHANISMS as FIXTURES
from incentive_lab.testing.fixtures import PICKLING, REPRODUCIBILITY, mechanism_fixture
from incentive_lab.testing.mechanisms import episode

MINE = {
    "none",
    "action_tax",
    "difference_rewards",
    "inequity_aversion",
    "mutual_welfare",
    "pigouvian_tax",
    "svo",
    "team_reward",
}


def test_my_mechanisms_are_registered():
    assert MINE <= set(ids("mechanism"))


def test_every_fixture_is_a_registered_mechanism_without_exemptions():
    assert set(FIXTURES) <= set(ids("mechanism"))
    assert not any(fixture.exemptions for fixture in FIXTURES.values())


@pytest.mark.parametrize("mechanism_id", ids("mechanism"))
def test_mechanism_contract(mechanism_id):
    report = check_mechanism(mechanism_id)
    for spec in mechanism_fixture(mechanism_id).games:
        for check in ("types and shapes", "accounting", REPRODUCIBILITY, PICKLING):
            assert f"{check} @ {spec.name}" in report.checks
    if get("mechanism", mechanism_id).metadata.get("stateless"):
        assert any(check.startswith("stateless @") for check in report.checks)
    assert not report.exemptions


@pytest.mark.parametrize("mechanism_id", sorted(MINE))
def test_my_declarations(mechanism_id):
    # only inequity_aversion may keep state (its smoothed-reward traces)
    entry = get("mechanism", mechanism_id)
    assert entry.metadata["stateless"] is (mechanism_id != "inequity_aversion")
    assert isinstance(entry.metadata["pays"], bool)


@pytest.mark.parametrize(
    "mechanism_id", sorted(i for i in MINE if get("mechanism", i).metadata["pays"])
)
def test_my_payments_move_money_at_every_step(mechanism_id):
    """The fixture parameters of my paying mechanisms move money at every step, on every game."""
    fixture = mechanism_fixture(mechanism_id)
    for spec in fixture.games:
        game = spec.build()
        mechanism = make_mechanism(mechanism_id, dict(fixture.params), game, make_rng(0))
        for _, base, out, _ in episode(game, mechanism, seed=0, steps=4):
            np.testing.assert_allclose(out.shaped_rewards, base + out.transfers)
            assert np.any(out.transfers != 0.0)


@pytest.mark.parametrize("mechanism_id", sorted(MINE))
def test_description_and_docstrings(mechanism_id):
    entry = get("mechanism", mechanism_id)
    assert entry.description and "\n" not in entry.description
    for name, info in entry.params.model_fields.items():
        assert info.description, f"{mechanism_id}.{name} has no docstring"
