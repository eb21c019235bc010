"""``incentive-lab list KIND ID``: allowed values, YAML defaults, ranges, no pydantic internals."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from incentive_lab.cli import app
from incentive_lab.cli._common import out
from incentive_lab.core.registry import KINDS, ids

INTERNALS = ("allow_inf_nan", "<class", "Literal[", "FieldInfo", "annotation=")


def listing(*args: str) -> str:
    # the CLI's console is made at import, before COLUMNS is set here: widen it directly
    width = out.width
    out.width = 220
    try:
        result = CliRunner().invoke(app, ["list", *args], env={"COLUMNS": "220"})
    finally:
        out.width = width
    assert result.exit_code == 0, result.output
    return result.output


def test_q_learning_shows_the_allowed_exploration_values():
    lines = listing("learners", "q_learning").splitlines()
    rows = [line for line in lines if "exploration" in line]
    assert any("epsilon_greedy | boltzmann" in line for line in rows), rows
    assert any("alpha" in line and "float in (0, 1]" in line for line in lines)


def test_json_lists_choices_and_yaml_defaults():
    record = json.loads(listing("learners", "q_learning", "--json"))["learners"][0]
    exploration = next(p for p in record["parameters"] if p["name"] == "exploration")
    assert exploration["choices"] == ["epsilon_greedy", "boltzmann"]
    assert exploration["default"] == "epsilon_greedy"
    auction = json.loads(listing("games", "auction", "--json"))["games"][0]
    values = next(p for p in auction["parameters"] if p["name"] == "values")
    assert values["default_yaml"].startswith("{dist: ")


@pytest.mark.parametrize("kind", KINDS)
def test_no_pydantic_internals_for_any_registered_id(kind):
    for unit in ids(kind):
        for args in ((f"{kind}s", unit), (f"{kind}s", unit, "--json")):
            for line in listing(*args).splitlines():
                assert not any(bad in line for bad in INTERNALS), (unit, line)


def test_overview_has_no_internals():
    for line in listing().splitlines():
        assert not any(bad in line for bad in INTERNALS), line


def test_nested_parameter_models_show_their_fields_and_yaml_defaults():
    lines = listing("games", "public_goods").splitlines()
    assert any("graph.kind" in line and "ring | lattice" in line for line in lines), lines
    assert any("feedback" in line and "{law: constant}" in line for line in lines), lines
    assert any("group_size" in line and "int ≥ 2 | null" in line for line in lines), lines
