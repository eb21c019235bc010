"""The UAV swarm's report figure: the energy caps by hand and the curves from the store."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from incentive_lab.evaluation.figures.uav import budget_caps, sharing_and_feedback
from incentive_lab.evaluation.game_series import series_curves, series_of
from incentive_lab.evaluation.report.analysis import ExperimentTables, prepare
from incentive_lab.experiments.execution.orchestrate import run_experiment
from incentive_lab.experiments.execution.results import Results, report_store

CONFIG = {
    "name": "uav",
    "game": {
        "id": "uav_swarm",
        "params": {"n_agents": 20, "comm_range": 0.4, "battery": 2.0, "share_energy": 1.0},
    },
    "mechanism": {"id": "none"},
    "learners": [{"id": "faq", "params": {"alpha": 0.2, "beta": 0.1, "tau": 0.5}}],
    "steps": 60,
    "seeds": 3,
    "record_every": 10,
    "sweep": {"game.params.recharge": [2.0, 0.25]},
}


@pytest.fixture(scope="module")
def stored(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("uav") / "store.duckdb"
    run_experiment(CONFIG, db=db, workers=1)
    return db


def _prepared(db: Path):
    results = Results(db, "uav")
    tables = ExperimentTables(
        name="uav",
        summary=results.summary(),
        metrics=results.metrics(),
        runs=results.runs(),
        point_columns=("game.params.recharge",),
    )
    return prepare(tables)


def test_caps_are_the_budget_feasible_rates(stored: Path) -> None:
    caps = budget_caps(_prepared(stored))
    # min(1, recharge / share_energy): 2.0 / 1.0 → 1 (never binding); 0.25 / 1.0 → 0.25
    assert sorted(caps.values()) == [0.25, 1.0]
    assert caps[next(label for label in caps if "0.25" in label)] == 0.25


def test_curves_are_the_mean_over_seeds_and_sharing_respects_the_cap(stored: Path) -> None:
    prep = _prepared(stored)
    curves = series_curves(prep, "sharing_rate", np.random.default_rng(0))
    labels, _ = series_of(prep)
    metrics = prep.metrics[prep.metrics["name"] == "sharing_rate"]
    for label, curve in curves.items():
        runs = [run for run, lab in labels.items() if lab == label]
        rows = metrics[metrics["run_id"].isin(runs)]
        expected = rows.groupby("step")["value"].mean()
        assert np.allclose(curve["mean"], expected.loc[curve["step"]].to_numpy())
        assert np.all(curve["ci_low"] <= curve["mean"] + 1e-12)
    tight = curves[next(label for label in curves if "0.25" in label)]
    # a battery of 2 allows a burst; after it the recorded windows stay near the 0.25 cap
    assert tight["mean"].iloc[-1] <= 0.25 + 0.05
    assert sharing_and_feedback(prep, np.random.default_rng(0)) is not None


def test_the_report_shows_the_figure(stored: Path, tmp_path: Path) -> None:
    html = report_store(stored, tmp_path / "report.html").read_text(encoding="utf-8")
    bodies = re.findall(r'<figure id="fig-uav-uav-sharing"[^>]*>(.*?)</figure>', html, re.S)
    assert len(bodies) == 1
    assert "UAVs sharing" in bodies[0] and "multiplier r_c" in bodies[0]
