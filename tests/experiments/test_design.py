"""Mechanism search: finds a PD tax above the dominance threshold within budget; objectives."""

from __future__ import annotations

import copy
import json
import math
import sys
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pytest

from incentive_lab.core.errors import ConfigError
from incentive_lab.experiments.config.loading import read_yaml
from incentive_lab.experiments.config.plan import plan_runs
from incentive_lab.experiments.execution.runner import execute_run
from incentive_lab.experiments.search.design import default_storage, run_design
from incentive_lab.experiments.search.objectives import (
    OBJECTIVES,
    execute_design_run,
    nash_welfare,
    summary_start,
)

TAX = "mechanism.params.taxes.1"
# PD (T=5, R=3, P=1, S=0) in 20 pairs of Q-learners with a fine t on defection.
PD_DESIGN: dict[str, Any] = {
    "name": "pd-tax-design",
    "game": {"id": "prisoners_dilemma", "params": {"n_copies": 20}},
    "mechanism": {"id": "action_tax", "params": {"taxes": [0.0, 0.0]}},
    "learners": [{"id": "q_learning", "params": {"alpha": 0.1, "epsilon": 0.05}}],
    "steps": 1000,
    "seeds": 2,
    "record_every": 50,
    "design": {
        "space": {TAX: {"low": 0.0, "high": 5.0}},
        "objective": "social_welfare",
        "budget": 8.0,
        "trials": 6,
        "startup_trials": 4,
        "seed": 0,
    },
}


def design(**changes: Any) -> dict[str, Any]:
    config = copy.deepcopy(PD_DESIGN)
    config["design"].update(changes)
    return config


def test_pd_tax_search_finds_a_rate_above_the_threshold_within_budget(tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    result = run_design(design(), db=db, workers=1)
    assert len(result.trials) == 6
    best = result.best
    assert best is not None and best.feasible
    # Cooperation is strictly dominant in the shaped PD iff t > max(T-R, P-S) = 2.
    assert best.params[TAX] > 2.0
    assert best.cost <= 8.0
    # Learned outcome near mutual cooperation: 20 pairs x 2 x R=3 = 120 per step at most.
    assert best.objective > 110.0
    assert result.best_ci is not None
    assert result.best_ci.ci_low <= best.objective <= result.best_ci.ci_high
    assert best.objective == pytest.approx(float(np.mean(best.per_seed)))
    # Below min(T-R, P-S) = 1 defection stays dominant: welfare near 2P = 2 per pair.
    low = [t for t in result.trials if t.params[TAX] < 1.0]
    assert all(t.objective < 70.0 for t in low)
    # Every trial's runs are in the store, labelled by trial number.
    con = duckdb.connect(str(db), read_only=True)
    points = [json.loads(row[0]) for row in con.execute("SELECT point FROM runs").fetchall()]
    con.close()
    searched = [point for point in points if "trial" in point]
    trials = {point["trial"] for point in searched}
    assert trials <= {t.number for t in result.trials} and len(searched) == 2 * len(trials)
    # and the best trial re-run on 5 fresh seeds (test_design_reevaluation)
    assert len(points) - len(searched) == 5 and result.reevaluation is not None
    assert result.storage == default_storage(db)
    assert (tmp_path / "store-optuna.db").is_file()


def test_penalty_mode_tells_objective_minus_weighted_excess(tmp_path: Path) -> None:
    pytest.importorskip("optuna")
    import optuna

    config = design(budget=1.0, budget_mode="penalty", penalty_weight=2.0, trials=4)
    config["steps"] = 200
    result = run_design(config, db=tmp_path / "s.duckdb", workers=1)
    study = optuna.load_study(study_name="pd-tax-design", storage=result.storage)
    told = {t.number: t.value for t in study.trials}
    for trial in result.trials:
        expected = trial.objective - 2.0 * max(0.0, trial.cost - 1.0)
        assert told[trial.number] == pytest.approx(expected)
        assert trial.feasible == (trial.cost <= 1.0)


def test_second_call_adds_nothing_and_more_trials_extend_the_study(tmp_path: Path) -> None:
    config = design(trials=2)
    config["steps"] = 200
    db = tmp_path / "s.duckdb"
    first = run_design(config, db=db, workers=1)
    again = run_design(config, db=db, workers=1)
    assert again.trials == first.trials
    more = run_design(design(trials=3) | {"steps": 200}, db=db, workers=1)
    assert more.trials[:2] == first.trials and len(more.trials) == 3


def test_a_stored_study_of_another_design_is_refused(tmp_path: Path) -> None:
    config = design(trials=1)
    config["steps"] = 200
    db = tmp_path / "s.duckdb"
    run_design(config, db=db, workers=1)
    other = design(trials=1, objective="cooperation_rate") | {"steps": 200}
    with pytest.raises(ConfigError, match=r"design\.study_name"):
        run_design(other, db=db, workers=1)


def test_integer_ranges_follow_the_parameter_type(tmp_path: Path) -> None:
    config = design(space={"game.params.n_copies": {"low": 2, "high": 6, "step": 2}}, trials=3)
    config["steps"] = 50
    result = run_design(config, db=tmp_path / "s.duckdb", workers=1)
    values = [t.params["game.params.n_copies"] for t in result.trials]
    assert all(isinstance(v, int) and v in (2, 4, 6) for v in values)


def test_two_parameters_give_importances(tmp_path: Path) -> None:
    space = {
        TAX: {"low": 0.0, "high": 5.0},
        "learners.0.params.epsilon": {"low": 0.01, "high": 0.3, "log": True},
    }
    config = design(space=space, trials=5, sampler="random")
    config["steps"] = 200
    result = run_design(config, db=tmp_path / "s.duckdb", workers=1)
    assert result.importances is not None
    assert set(result.importances) == set(space)
    assert sum(result.importances.values()) == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"space": {TAX: {"low": 3.0, "high": 3.0}}}, f"design.space.{TAX}.high"),
        ({"space": {TAX: {"low": 5.0, "high": 0.0}}}, f"design.space.{TAX}.high"),
        ({"space": {TAX: {"low": 0.0, "high": 1.0, "log": True}}}, f"design.space.{TAX}.low"),
        ({"space": {TAX: {"low": float("nan"), "high": 1.0}}}, f"design.space.{TAX}.low"),
        ({"space": {TAX: {"low": 0.0, "high": float("inf")}}}, f"design.space.{TAX}.high"),
        ({"space": {TAX: {"low": 0.0, "high": 1.0, "step": 2.0}}}, f"design.space.{TAX}.step"),
        ({"space": {"mechanism.params.rate": {"low": 0, "high": 1}}}, "design.space"),
        ({"space": {"mechanism.params.taxes.5": {"low": 0, "high": 1}}}, "design.space"),
        ({"space": {"learners.0.params.alpha": {"low": 0.1, "high": 2.0}}}, "design.space"),
        ({"space": {"game.params.n_copies": {"low": 1.5, "high": 4}}}, "design.space"),
        ({"space": {TAX: {"choices": [1.0, 1.0]}}}, f"design.space.{TAX}.choices"),
        ({"space": {}}, "design.space"),
        ({"budget": -1.0}, "design.budget"),
        ({"objective": "welfare"}, "design.objective"),
        ({"trials": 0}, "design.trials"),
        ({"sampler": "cmaes"}, "design.sampler"),
        ({"budget_mode": "soft"}, "design.budget_mode"),
    ],
)
def test_bad_design_blocks_are_config_errors(
    tmp_path: Path, changes: dict[str, Any], field: str
) -> None:
    db = tmp_path / "s.duckdb"
    with pytest.raises(ConfigError) as caught:
        run_design(design(**changes), db=db, workers=1)
    assert caught.value.field.startswith(field)
    assert not db.exists() and not (tmp_path / "s-optuna.db").exists()


def test_unknown_objective_lists_the_allowed_names() -> None:
    with pytest.raises(ConfigError, match="did you mean 'social_welfare'") as caught:
        run_design(design(objective="social_welfar"))
    for name in OBJECTIVES:
        assert name in caught.value.allowed


def test_a_sweep_or_a_missing_design_block_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"^sweep"):
        run_design(PD_DESIGN | {"sweep": {"steps": [10, 20]}})
    with pytest.raises(ConfigError, match=r"^design"):
        run_design({k: v for k, v in PD_DESIGN.items() if k != "design"})


def test_without_optuna_the_error_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "optuna", None)
    with pytest.raises(ConfigError, match=r'pip install -e "\.\[design\]"'):
        run_design(design(), db=tmp_path / "s.duckdb")


def test_nash_welfare_hand_values() -> None:
    assert nash_welfare(np.array([1.0, 4.0])) == pytest.approx(2.0)
    assert nash_welfare(np.array([2.0, 2.0, 2.0])) == pytest.approx(2.0)
    assert nash_welfare(np.array([3.0, 0.0])) == 0.0
    assert nash_welfare(np.array([3.0, -1.0])) == 0.0
    # Log space: no overflow for many agents with large rewards.
    assert nash_welfare(np.full(10_000, 1e5)) == pytest.approx(1e5)


@pytest.mark.parametrize(
    ("steps", "every", "fraction", "start"),
    [(1000, 100, 0.1, 900), (1050, 100, 0.1, 900), (100, 10, 1.0, 0), (30, 7, 0.01, 28)],
)
def test_summary_start_matches_the_summarised_records(
    steps: int, every: int, fraction: float, start: int
) -> None:
    assert summary_start(steps, every, fraction) == start


def test_design_runs_equal_ordinary_runs_plus_nash_welfare() -> None:
    config = {k: v for k, v in PD_DESIGN.items() if k != "design"}
    config = config | {"steps": 230, "record_every": 20, "summary_window": 0.25}
    task = plan_runs(config)[0]
    plain, designed = execute_run(task), execute_design_run(task)
    assert designed.metrics == plain.metrics
    assert {k: v for k, v in designed.summary.items() if k != "nash_welfare"} == plain.summary
    nw, mean = designed.summary["nash_welfare"], designed.summary["mean_reward"]
    assert 0.0 <= nw <= mean + 1e-12  # AM-GM over the same window
    # With everyone defecting identically (PD without incentive, greedy from the start)
    # the window is shared, so equality of agents would give NW = mean; here just finite.
    assert math.isfinite(nw)


DESIGN_EXAMPLES = sorted((Path(__file__).parents[2] / "examples").glob("design*.yaml"))


def test_there_is_a_design_example() -> None:
    assert DESIGN_EXAMPLES


@pytest.mark.parametrize("path", DESIGN_EXAMPLES, ids=lambda p: p.stem)
def test_design_example_loads_and_runs_one_short_trial(path: Path, tmp_path: Path) -> None:
    raw = read_yaml(path)
    raw.update(steps=100, record_every=10, seeds=1)
    raw["design"]["trials"] = 1
    result = run_design(raw, db=tmp_path / "s.duckdb", workers=1)
    assert len(result.trials) == 1 and set(result.trials[0].params) == set(raw["design"]["space"])


def test_batched_trials_run_together_and_match_sequential_while_sampling_at_random(
    tmp_path: Path,
) -> None:
    """Startup trials are sampled at random with the k-th seed, whatever else is in flight."""
    changes = {"trials": 4, "startup_trials": 4}
    quick = {"steps": 200, "record_every": 50}
    sequential = run_design({**design(**changes), **quick}, db=tmp_path / "a.duckdb", workers=1)
    batched = run_design(
        {**design(**changes, batch=3), **quick}, db=tmp_path / "b.duckdb", workers=2
    )
    assert [t.params for t in batched.trials] == [t.params for t in sequential.trials]
    assert [t.objective for t in batched.trials] == [t.objective for t in sequential.trials]
    assert len(batched.trials) == 4  # a batch of 3, then one
