"""run_experiment over stub runs: skip finished runs, resume after a crash, Results tables."""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pytest
from scipy import stats
from stub_tasks import StubTask, stub_run

from incentive_lab.experiments.config.plan import Plan
from incentive_lab.experiments.execution import executors, orchestrate
from incentive_lab.experiments.execution.results import aggregate

TASKS = [StubTask(run_id=f"r{i}", seed_index=i) for i in range(5)]


@pytest.fixture
def stubbed(monkeypatch):
    calls: list[str] = []

    def counting_run(task):
        calls.append(task.run_id)
        return stub_run(task)

    plan = Plan(name="stub", digest="0" * 64, config={}, tasks=list(TASKS))
    monkeypatch.setattr(orchestrate, "_plan", lambda config, max_runs=None: plan)
    monkeypatch.setattr(orchestrate, "WRITE_EVERY", 0.0)  # one connection per finished run
    monkeypatch.setattr(
        orchestrate, "execute", functools.partial(executors.execute, fn=counting_run)
    )
    return calls


def test_rerun_skips_finished_runs(tmp_path: Path, stubbed) -> None:
    db = tmp_path / "s.duckdb"
    seen = []
    results = orchestrate.run_experiment(
        {}, db=db, workers=1, progress=lambda d, t: seen.append((d, t))
    )
    assert seen == [(0, 5), (1, 5), (2, 5), (3, 5), (4, 5), (5, 5)]
    assert stubbed == [t.run_id for t in TASKS]
    again = orchestrate.run_experiment({}, db=db, workers=1)
    assert stubbed == [t.run_id for t in TASKS]  # nothing recomputed
    assert len(again.runs()) == 5
    assert again.summary().equals(results.summary())


def test_crash_mid_sweep_resumes_without_loss_or_duplicates(
    tmp_path: Path, stubbed, monkeypatch
) -> None:
    db = tmp_path / "s.duckdb"

    def crash_after_two(done, total):
        if done == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        orchestrate.run_experiment({}, db=db, workers=1, progress=crash_after_two)
    assert len(stubbed) == 2
    results = orchestrate.run_experiment({}, db=db, workers=1)
    assert stubbed == [t.run_id for t in TASKS]  # the two finished runs were not redone
    summary = results.summary()
    assert sorted(summary["run_id"]) == [t.run_id for t in TASKS]
    assert len(results.metrics()) == 5 * 50


def test_summary_flattens_points_and_aggregates(tmp_path: Path, stubbed) -> None:
    results = orchestrate.run_experiment({}, db=tmp_path / "s.duckdb", workers=1)
    summary = results.summary()
    assert list(summary.columns) == [
        "run_id",
        "experiment",
        "k",
        "seed",
        "seed_index",
        "name",
        "value",
    ]
    table = aggregate(summary)
    assert list(table["k"]) == [0, 1]
    assert list(table["n"]) == [3, 2]
    direct = {i: stub_run(t).summary["x"] for i, t in enumerate(TASKS)}
    expected0 = sum(direct[i] for i in (0, 2, 4)) / 3
    assert table.loc[table["k"] == 0, "mean"].item() == pytest.approx(expected0, rel=1e-12)
    # The interval is the bootstrap of the mean over seeds. With two seeds a, b a resample's
    # mean is a, (a+b)/2 or b with probabilities 1/4, 1/2, 1/4, so of 2000 resamples about
    # 500 sit at each end and the 2.5% / 97.5% percentiles are exactly min and max.
    row = table.loc[table["k"] == 1].iloc[0]
    values = [direct[1], direct[3]]
    assert (row["ci_low"], row["ci_high"]) == (min(values), max(values))
    # Three seeds: against scipy's own percentile bootstrap of the mean.
    row = table.loc[table["k"] == 0].iloc[0]
    ref = stats.bootstrap(
        ([direct[i] for i in (0, 2, 4)],),
        np.mean,
        n_resamples=20_000,
        method="percentile",
        rng=np.random.default_rng(1),
    ).confidence_interval
    width = max(direct[i] for i in (0, 2, 4)) - min(direct[i] for i in (0, 2, 4))
    assert row["ci_low"] == pytest.approx(ref.low, abs=0.05 * width)
    assert row["ci_high"] == pytest.approx(ref.high, abs=0.05 * width)
    # summary equals the stub's mean over its last 10 recorded values, read from metrics
    metrics = results.metrics()
    last = metrics[metrics["run_id"] == "r3"].sort_values("step").tail(10)["value"].mean()
    assert summary.loc[summary["run_id"] == "r3", "value"].item() == pytest.approx(last, rel=1e-12)
