"""``incentive-lab design``: the tables it prints, and bad input as one line with exit 2."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import invoke, write_config

TAX = "mechanism.params.taxes.1"
DESIGN: dict[str, Any] = {
    "name": "pd-tax-cli",
    "game": {"id": "prisoners_dilemma", "params": {"n_copies": 10}},
    "mechanism": {"id": "action_tax", "params": {"taxes": [0.0, 0.0]}},
    "learners": [{"id": "q_learning", "params": {"alpha": 0.1, "epsilon": 0.05}}],
    "steps": 200,
    "seeds": 2,
    "record_every": 20,
    "design": {
        "space": {
            TAX: {"low": 0.0, "high": 5.0},
            "learners.0.params.epsilon": {"low": 0.01, "high": 0.2, "log": True},
        },
        "objective": "nash_welfare",
        "budget": 4.0,
        "trials": 4,
        "sampler": "random",
    },
}


def design(**changes: Any) -> dict[str, Any]:
    config = copy.deepcopy(DESIGN)
    config["design"].update(changes)
    return config


def test_design_prints_best_trials_and_importance(tmp_path: Path) -> None:
    from incentive_lab.cli._common import out as console

    config = write_config(tmp_path / "d.yaml", design())
    width = console.width
    console.width = 200  # made at import: widen it directly (as test_cli_list_values)
    try:
        result = invoke("design", config, "--db", tmp_path / "s.duckdb", "--workers", "1")
    finally:
        console.width = width
    assert result.exit_code == 0, result.output
    for text in ("Best feasible trial", "nash_welfare", "95% CI", "Objective vs cost"):
        assert text in result.output
    assert "Parameter importance" in result.output
    # the best trial re-run on 5 fresh seeds (seed indices 2..6: the search used 0 and 1)
    assert "nash_welfare on fresh seeds 2, 3, 4, 5, 6" in " ".join(result.output.split())
    assert (tmp_path / "s-optuna.db").is_file()
    # The runs are in the ordinary store: `show` groups them by trial.
    shown = invoke("show", "--db", tmp_path / "s.duckdb", "--metric", "nash_welfare")
    assert shown.exit_code == 0, shown.output
    assert "trial" in shown.output


BAD = [
    pytest.param(design(space={TAX: {"low": 2.0, "high": 2.0}}), "high", id="empty-range"),
    pytest.param(design(space={TAX: {"low": 5.0, "high": 1.0}}), "high", id="inverted-range"),
    pytest.param(design(budget=-0.5), "design.budget", id="negative-budget"),
    pytest.param(design(objective="happiness"), "design.objective", id="unknown-objective"),
    pytest.param(
        design(space={"mechanism.params.tax": {"low": 0, "high": 1}}),
        "design.space",
        id="missing-path",
    ),
    pytest.param({k: v for k, v in DESIGN.items() if k != "design"}, "design", id="no-design"),
]


@pytest.mark.parametrize(("config", "field"), BAD)
def test_bad_input_exits_2_with_one_line(
    tmp_path: Path, config: dict[str, Any], field: str
) -> None:
    path = write_config(tmp_path / "d.yaml", config)
    db = tmp_path / "s.duckdb"
    result = invoke("design", path, "--db", db)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and field in lines[0]
    assert "Traceback" not in result.output
    assert not db.exists() and not (tmp_path / "s-optuna.db").exists()


def test_missing_config_file_and_bad_backend_exit_2(tmp_path: Path) -> None:
    missing = invoke("design", tmp_path / "nope.yaml", "--db", tmp_path / "s.duckdb")
    assert missing.exit_code == 2 and "error: config" in missing.stderr
    path = write_config(tmp_path / "d.yaml", design())
    backend = invoke("design", path, "--db", tmp_path / "s.duckdb", "--backend", "mpi")
    assert backend.exit_code == 2 and "error: backend" in backend.stderr
