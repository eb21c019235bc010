"""Plan an experiment: one :class:`RunTask` per sweep point × seed index.

Runs are ordered by sweep point (in sweep order), then by seed index. Each task carries
the resolved config of its run (:mod:`~incentive_lab.experiments.config.resolve`), the sweep
coordinates and the seeds, and its ``run_id`` = ``records.make_run_id(config, seed,
seed_index)``: stable across processes and machines, distinct for distinct runs, and
independent of how many seeds or which other sweep points the experiment has, so adding
seeds or points to a finished sweep only runs the new ones. Sweep points that resolve to the
same config (the same run written two ways) are planned once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from incentive_lab.experiments.config.loading import ExperimentConfig, load_experiment
from incentive_lab.experiments.config.records import make_run_id
from incentive_lab.experiments.config.resolved import ResolvedRun


@dataclass(frozen=True)
class RunTask:
    """Everything a worker needs to compute one run (picklable).

    ``seed``: the experiment seed; ``seed_index``: the replicate; ``run``: the typed resolved
    run; ``point``: sweep coordinates ``{path: label}`` (empty without a sweep).
    """

    run_id: str
    experiment: str
    seed: int
    seed_index: int
    run: ResolvedRun
    point: dict[str, Any]

    @property
    def config(self) -> dict[str, Any]:
        """The run's stored config (``run.to_json()``: the dict hashed into ``run_id``)."""
        return self.run.to_json()


def plan_runs(config: ExperimentConfig | dict[str, Any] | str | Path) -> list[RunTask]:
    """The runs of ``config`` (anything :func:`load_config` accepts), in a fixed order."""
    experiment, points = load_experiment(config)
    tasks: list[RunTask] = []
    seen: set[str] = set()
    for point, resolved in points:
        stored = resolved.to_json()
        for seed_index in experiment.seed_indices:
            run_id = make_run_id(stored, experiment.seed, seed_index)
            if run_id in seen:
                continue
            seen.add(run_id)
            tasks.append(
                RunTask(
                    run_id=run_id,
                    experiment=experiment.name,
                    seed=experiment.seed,
                    seed_index=seed_index,
                    run=resolved,
                    point=point,
                )
            )
    return tasks
