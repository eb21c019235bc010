"""A stand-in for execute_run: a pure, picklable, top-level function of a task."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from incentive_lab.experiments.config.records import RunResult


@dataclass(frozen=True)
class StubTask:
    run_id: str
    seed_index: int
    steps: int = 50
    experiment: str = "stub"

    @property
    def point(self) -> dict[str, int]:
        """Sweep coordinates, as a planned ``RunTask`` has them."""
        return {"k": self.seed_index % 2}


def stub_run(task: StubTask) -> RunResult:
    rng = np.random.default_rng(task.seed_index)
    series = np.cumsum(rng.standard_normal(task.steps))
    metrics = [(int(s), "x", float(v)) for s, v in enumerate(series)]
    return RunResult(
        run_id=task.run_id,
        experiment=task.experiment,
        seed=0,
        seed_index=task.seed_index,
        config={"steps": task.steps},
        point=task.point,
        metrics=metrics,
        summary={"x": float(series[-10:].mean())},
        started_at=0.0,
        finished_at=1.0,
        package_version="0",
    )


def failing_run(task: StubTask) -> RunResult:
    raise RuntimeError(f"boom {task.run_id}")
