"""run_experiment over stub runs: skip finished runs, resume after a crash, Results tables."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from stub_tasks import StubTask, stub_run

from incentive_lab.experiments import executors, orchestrate
from incentive_lab.experiments.results import aggregate

TASKS = [StubTask(run_id=f"r{i}", seed_index=i) for i in range(5)]


@pytest.fixture
def stubbed(monkeypatch):
    calls: list[str] = []

    def counting_run(task):
        calls.append(task.run_id)
        return stub_run(task)

    monkeypatch.setattr(orchestrate, "_plan", lambda config: list(TASKS))
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
    row = table.loc[table["k"] == 1].iloc[0]
    values = [direct[1], direct[3]]
    half = 12.706204736174698 * abs(values[0] - values[1]) / 2  # t_{0.975,1}·s/√2, s=|a−b|/√2
    assert (row["ci_high"] - row["ci_low"]) / 2 == pytest.approx(half, rel=1e-9)
    # summary equals the stub's mean over its last 10 recorded values, read from metrics
    metrics = results.metrics()
    last = metrics[metrics["run_id"] == "r3"].sort_values("step").tail(10)["value"].mean()
    assert summary.loc[summary["run_id"] == "r3", "value"].item() == pytest.approx(last, rel=1e-12)
