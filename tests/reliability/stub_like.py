"""A small finished-run result for store tests."""

from __future__ import annotations

from incentive_lab.experiments.config.records import RunResult


def result_for(run_id: str, experiment: str = "stub") -> RunResult:
    return RunResult(
        run_id=run_id,
        experiment=experiment,
        seed=0,
        seed_index=0,
        config={"steps": 1},
        point={},
        metrics=[(0, "x", 1.0)],
        summary={"x": 1.0},
        started_at=0.0,
        finished_at=1.0,
        package_version="0",
    )
