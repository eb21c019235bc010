"""The abandon-rule report figure: time to cooperation by hand, censoring, and the report.

Fixed data: two repel values, three seeds each, cooperation recorded at steps 10, 20, 30.
Time to cooperation is the first recorded step with ``cooperation_rate ≥ 0.75``; a run that
never gets there is censored at its last step (30) and counts as 30, never dropped.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from incentive_lab.evaluation.figures.abandon import (
    abandon_figures,
    first_passage,
    run_times,
    swept_repel,
    time_to_cooperation,
)
from incentive_lab.evaluation.report.analysis import ExperimentTables, prepare
from incentive_lab.experiments.execution.orchestrate import run_experiment
from incentive_lab.experiments.execution.results import report_store

COLUMN = "learners.0.params.repel"
STEPS = (10, 20, 30)
CURVES = {  # (repel, seed) → cooperation_rate at STEPS
    (0.0, 0): (0.50, 0.80, 0.90),  # reaches at 20
    (0.0, 1): (0.75, 0.70, 0.95),  # exactly 0.75 counts: 10 (a later dip does not matter)
    (0.0, 2): (0.40, 0.60, 0.76),  # 30
    (0.5, 0): (0.50, 0.60, 0.70),  # never: censored at 30
    (0.5, 1): (0.20, 0.74, 0.749),  # never (0.749 < 0.75): censored at 30
    (0.5, 2): (0.10, 0.30, 0.80),  # 30
}


def _prepared() -> object:
    metric_rows, summary_rows, runs = [], [], []
    config = {"game": {"id": "spatial_public_goods"}, "learners": [{"id": "fermi_imitation"}]}
    for (repel, seed), values in CURVES.items():
        run_id = f"r{repel}-s{seed}"
        for step, value in zip(STEPS, values, strict=True):
            metric_rows.append((run_id, seed, step, "cooperation_rate", value, repel))
        summary_rows.append((run_id, seed, "cooperation_rate", values[-1], repel))
        runs.append((run_id, json.dumps({"repel": repel}), json.dumps(config), "0"))
    metrics = pd.DataFrame(
        metric_rows, columns=["run_id", "seed_index", "step", "name", "value", COLUMN]
    )
    summary = pd.DataFrame(summary_rows, columns=["run_id", "seed_index", "name", "value", COLUMN])
    tables = ExperimentTables(
        name="abandon",
        summary=summary,
        metrics=metrics,
        runs=pd.DataFrame(runs, columns=["run_id", "point", "config", "package_version"]),
        point_columns=(COLUMN,),
    )
    return prepare(tables)


def test_first_passage_by_hand() -> None:
    steps = np.array([30.0, 10.0, 20.0])  # unordered on purpose
    assert first_passage(steps, np.array([0.9, 0.5, 0.8]), 0.75) == (20.0, True)
    assert first_passage(steps, np.array([0.7, 0.5, 0.6]), 0.75) == (30.0, False)
    assert first_passage(steps, np.array([0.1, 0.75, 0.2]), 0.75) == (10.0, True)
    assert first_passage(steps, np.array([np.nan, 0.1, 0.2]), 0.75) == (20.0, False)
    time, reached = first_passage(steps, np.full(3, np.nan), 0.75)
    assert np.isnan(time) and not reached


def test_run_times_keep_censored_runs() -> None:
    prep = _prepared()
    assert swept_repel(prep) == COLUMN
    times = run_times(prep).sort_values(["repel", "seed_index"])
    assert times["time"].tolist() == [20.0, 10.0, 30.0, 30.0, 30.0, 30.0]
    assert times["reached"].tolist() == [True, True, True, False, False, True]
    assert times["repel"].tolist() == [0.0, 0.0, 0.0, 0.5, 0.5, 0.5]


def test_time_to_cooperation_means_and_cis_by_hand() -> None:
    stats = time_to_cooperation(_prepared(), np.random.default_rng(0)).set_index("repel")
    assert stats.loc[0.0, "mean"] == pytest.approx((20 + 10 + 30) / 3)
    assert stats.loc[0.0, "reached"] == 3 and stats.loc[0.0, "n"] == 3
    assert np.isnan(stats.loc[0.0, "horizon"])
    # repel 0.5: two censored runs count as the horizon 30, one reached at 30
    assert stats.loc[0.5, "mean"] == 30.0
    assert stats.loc[0.5, "reached"] == 1 and stats.loc[0.5, "horizon"] == 30.0
    # every resample of (30, 30, 30) has mean 30: a degenerate interval
    assert (stats.loc[0.5, "ci_low"], stats.loc[0.5, "ci_high"]) == (30.0, 30.0)
    # a resample mean of {10, 20, 30} lies on the grid 10·(3..9)/3 within [10, 30]
    low, high = stats.loc[0.0, "ci_low"], stats.loc[0.0, "ci_high"]
    assert 10.0 <= low < 20.0 < high <= 30.0
    grid = [10 * k / 3 for k in range(3, 10)]
    assert min(abs(low - g) for g in grid) < 1e-9 and min(abs(high - g) for g in grid) < 1e-9
    assert list(stats["series"]) == ["repel=0", "repel=0.5"]


def test_no_figure_without_a_repel_sweep() -> None:
    prep = _prepared()
    one = prep.summary[COLUMN] == 0.0
    prep.summary = prep.summary[one]  # type: ignore[attr-defined]
    assert swept_repel(prep) is None
    assert abandon_figures(prep, np.random.default_rng(0)) == []


def test_report_of_a_tiny_repel_sweep_has_the_figure(tmp_path: Path) -> None:
    config = {
        "name": "abandon",
        "game": {"id": "spatial_public_goods", "params": {"side": 8, "r": 5.5}},
        "mechanism": {"id": "none"},
        "learners": [{"id": "fermi_imitation", "params": {"K": 0.5}}],
        "steps": 12,
        "seeds": 5,
        "record_every": 2,
        "sweep": {COLUMN: [0.0, 0.5]},
    }
    db = tmp_path / "store.duckdb"
    run_experiment(config, db=db, workers=1)
    html = report_store(db, tmp_path / "report.html").read_text(encoding="utf-8")
    pattern = r'<figure id="fig-abandon-abandon-rule" data-kind="[a-z-]+">(.*?)</figure>'
    bodies = re.findall(pattern, html, re.S)
    assert len(bodies) == 1
    body = bodies[0]
    assert body.lstrip().startswith("<svg")
    for text in ("Cooperation over time", "Time to cooperation", "repel=0.5", "/5 reached"):
        assert text in body, text
