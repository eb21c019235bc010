"""``--set dotted.path=value``: parsed as YAML, applied like editing the file, validated."""

from __future__ import annotations

import pytest

from incentive_lab.core.errors import ConfigError
from incentive_lab.experiments import load_config, plan_runs
from incentive_lab.experiments.config.overrides import apply_overrides, parse_override

BASE = {
    "name": "pd",
    "game": {"id": "prisoners_dilemma", "params": {"n_copies": 4}},
    "learners": [{"id": "q_learning"}],
    "steps": 100,
}


def test_values_are_yaml() -> None:
    assert parse_override("steps=200") == ("steps", 200)
    assert parse_override("game.params.r=4.5") == ("game.params.r", 4.5)
    assert parse_override("mechanism.params.taxes=[0.0, 2.5]") == (
        "mechanism.params.taxes",
        [0.0, 2.5],
    )
    assert parse_override("mechanism={id: team_reward}") == ("mechanism", {"id": "team_reward"})
    assert parse_override("name=pd = short") == ("name", "pd = short")  # first '=' splits


def test_overrides_apply_in_order_and_create_unit_params() -> None:
    raw = apply_overrides(BASE, ["steps=200", "learners.0.params.alpha=0.3", "steps=300"])
    assert raw["steps"] == 300 and raw["learners"][0]["params"] == {"alpha": 0.3}
    assert BASE["steps"] == 100 and "params" not in BASE["learners"][0]  # input untouched
    config = load_config(raw)
    assert config.steps == 300
    [task] = plan_runs(raw)
    assert task.config["learners"][0]["params"]["alpha"] == 0.3  # recorded in the run


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("steps", "dotted.path=value"),
        ("=3", "dotted.path=value"),
        ("stpes=3", "did you mean 'steps'"),
        ("steps=", "a value after '='"),
        ("steps=[1, 2", "a YAML value"),
        ("learners.5.params.alpha=0.1", "list index"),
    ],
)
def test_bad_overrides_are_one_line_errors(override: str, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        apply_overrides(BASE, [override])
    text = str(raised.value)
    assert text.startswith("--set") and "\n" not in text and message in text


def test_a_wrong_value_is_the_files_error() -> None:
    with pytest.raises(ConfigError, match="steps"):
        load_config(apply_overrides(BASE, ["steps=-1"]))
    with pytest.raises(ConfigError, match="alpah"):
        plan_runs(apply_overrides(BASE, ["learners.0.params.alpah=0.1"]))


def test_cli_set_overrides_and_refuses_a_bad_path(tmp_path) -> None:
    import sys

    sys.path.insert(0, str(__import__("pathlib").Path(__file__).parents[1] / "cli"))
    from cli_helpers import cli_subprocess, small, write_config

    config = write_config(tmp_path / "c.yaml", small(seeds=1))
    db = tmp_path / "x.duckdb"
    done = cli_subprocess("run", config, "--db", db, "--workers", "1", "--set", "steps=80",
                          "--set", "name=short")  # fmt: skip
    assert done.returncode == 0, done.stderr
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("SELECT DISTINCT experiment, config FROM runs").fetchall()
    assert {row[0] for row in rows} == {"short"}
    assert all('"steps":80' in row[1].replace(" ", "") for row in rows)
    bad = cli_subprocess("run", config, "--db", tmp_path / "y.duckdb", "--set", "stpes=3")
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1, bad.stderr
    assert "--set" in bad.stderr and not (tmp_path / "y.duckdb").exists()


def test_design_paths_are_allowed_only_where_there_is_a_design() -> None:
    roots = ("game", "steps", "design")
    assert apply_overrides({"design": {"trials": 20}}, ["design.trials=3"], roots) == {
        "design": {"trials": 3}
    }
    with pytest.raises(ConfigError, match="a path starting with one of"):
        apply_overrides({"design": {"trials": 20}}, ["design.trials=3"])  # a plain run


def test_cli_design_takes_set(tmp_path) -> None:
    """``design --set``: the trial budget and the experiment's steps from the command line."""
    pytest.importorskip("optuna")
    from pathlib import Path

    from typer.testing import CliRunner

    from incentive_lab.cli import app

    example = Path(__file__).parents[2] / "examples" / "design_pd_tax.yaml"
    db = tmp_path / "d.duckdb"
    overrides = ["design.trials=2", "design.startup_trials=2", "steps=60", "seeds=1",
                 "record_every=20", "game.params.n_copies=4"]  # fmt: skip
    args = ["design", str(example), "--db", str(db), "--workers", "1"]
    for text in overrides:
        args += ["--set", text]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        # trials only: the best trial's re-evaluation on fresh seeds has its own point
        (trials,) = con.execute(
            "SELECT count(DISTINCT point) FROM runs WHERE point NOT LIKE '%reevaluation%'"
        ).fetchone()
        configs = [row[0] for row in con.execute("SELECT config FROM runs").fetchall()]
    assert trials == 2
    assert all('"steps":60' in config.replace(" ", "") for config in configs)
    bad = CliRunner().invoke(app, ["design", str(example), "--db", str(db), "--set", "desgn.x=1"])
    assert bad.exit_code == 2 and "did you mean 'design'" in bad.stderr
