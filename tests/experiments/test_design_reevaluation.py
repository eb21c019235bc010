"""The chosen trial re-run on fresh seeds: ordinary runs, labelled, reused, and reported."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pytest

from incentive_lab.core.errors import ConfigError
from incentive_lab.evaluation.statistics import seed_mean_ci
from incentive_lab.experiments.config.plan import plan_runs
from incentive_lab.experiments.config.sweep import apply_point
from incentive_lab.experiments.search.design import run_design
from incentive_lab.experiments.search.reevaluate import fresh_seeds

pytest.importorskip("optuna")

TAX = "mechanism.params.taxes.1"
TINY: dict[str, Any] = {
    "name": "pd-tax-reeval",
    "game": {"id": "prisoners_dilemma", "params": {"n_copies": 10}},
    "mechanism": {"id": "action_tax", "params": {"taxes": [0.0, 0.0]}},
    "learners": [{"id": "q_learning", "params": {"alpha": 0.1, "epsilon": 0.05}}],
    "steps": 300,
    "seeds": 2,
    "record_every": 30,
    "design": {
        "space": {TAX: {"low": 0.0, "high": 5.0}},
        "objective": "social_welfare",
        "trials": 3,
        "sampler": "random",
        "reevaluate": 3,
    },
}


def tiny(**changes: Any) -> dict[str, Any]:
    config = copy.deepcopy(TINY)
    config["design"].update(changes)
    return config


def _points(db: Path) -> list[tuple[dict[str, Any], int, str]]:
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("SELECT point, seed_index, run_id FROM runs").fetchall()
    return [(json.loads(p), int(k), str(r)) for p, k, r in rows]


def test_fresh_seeds_follow_the_searched_ones() -> None:
    assert fresh_seeds([0, 1, 2, 3, 4], 5) == (5, 6, 7, 8, 9)
    assert fresh_seeds([3, 0], 2) == (4, 5)
    with pytest.raises(ConfigError, match=r"design\.reevaluate"):
        fresh_seeds([2**31 - 2], 3)


def test_best_trial_is_rerun_on_fresh_seeds_as_labelled_runs(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    result = run_design(tiny(), db=db, workers=1)
    best, again = result.best, result.reevaluation
    assert best is not None and again is not None
    assert again.trial == best.number and again.seeds == (2, 3, 4)
    points = _points(db)
    fresh = [(p, k, r) for p, k, r in points if "reevaluation" in p]
    searched = [(p, k) for p, k, _ in points if "trial" in p]
    assert len(searched) == 2 * 3 and {k for _, k in searched} == {0, 1}
    assert sorted(k for _, k, _ in fresh) == [2, 3, 4]
    assert all(p == {"reevaluation": best.number, TAX: best.params[TAX]} for p, _, _ in fresh)
    # ordinary runs: the very run ids of the trial's config planned on those seeds
    config = {k: v for k, v in TINY.items() if k != "design"} | {"seeds": [2, 3, 4]}
    planned = {t.run_id for t in plan_runs(apply_point(config, best.params))}
    assert {r for _, _, r in fresh} == planned
    # the estimate is the mean over the fresh seeds with show's / the report's interval
    with duckdb.connect(str(db), read_only=True) as con:
        values = [
            v
            for (v,) in con.execute(
                "SELECT s.value FROM summary s JOIN runs r USING (run_id) "
                "WHERE s.name = 'social_welfare' AND r.point LIKE '%reevaluation%' "
                "ORDER BY r.seed_index"
            ).fetchall()
        ]
    assert list(again.per_seed) == pytest.approx(values)
    expected = seed_mean_ci(np.array(values), seed=0)
    assert again.estimate == expected
    # a repeated call reuses them; reevaluate is not part of the study's identity
    count = len(points)
    assert run_design(tiny(), db=db, workers=1).reevaluation == again
    assert len(_points(db)) == count
    assert run_design(tiny(reevaluate=0), db=db, workers=1).reevaluation is None


def test_the_design_page_shows_the_reevaluation(tmp_path: Path) -> None:
    from incentive_lab.experiments.execution.results import report_store

    db = tmp_path / "s.duckdb"
    result = run_design(tiny(), db=db, workers=1)
    assert result.best is not None and result.reevaluation is not None
    out = report_store(db, tmp_path / "r.html", None)
    (experiment,) = json.loads(out.with_suffix(".json").read_text("utf-8"))["experiments"]
    # the fresh runs are not candidates: every trial keeps its 2 search seeds
    assert len(experiment["candidates"]) == 3
    assert {e["n"] for e in experiment["estimates"]} == {2}
    (record,) = experiment["design"]["reevaluations"]
    assert record["trial"] == result.best.number
    assert record["seeds"] == [2, 3, 4] and record["search_seeds"] == [0, 1]
    welfare = next(e for e in record["estimates"] if e["metric"] == "social_welfare")
    e = result.reevaluation.estimate
    assert welfare["fresh"] == {"mean": e.value, "ci_low": e.ci_low, "ci_high": e.ci_high, "n": 3}
    assert welfare["search"]["mean"] == pytest.approx(result.best.objective)
    assert welfare["search"]["n"] == 2
    html = out.read_text("utf-8")
    assert "Chosen trial re-evaluated on fresh seeds" in html
    assert 'data-kind="design-reevaluation"' in html
    assert f"{e.value:.4g} [{e.ci_low:.4g}, {e.ci_high:.4g}]" in html
