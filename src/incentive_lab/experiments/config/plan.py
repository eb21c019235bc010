"""Plan an experiment: one :class:`RunTask` per sweep point × seed index.

Runs are ordered by sweep point (in sweep order), then by seed index. Each task carries
the resolved config of its run (:mod:`~incentive_lab.experiments.config.resolve`), the sweep
coordinates and the seeds, and its ``run_id`` = ``records.make_run_id(config, seed,
seed_index)``: stable across processes and machines, distinct for distinct runs, and
independent of how many seeds or which other sweep points the experiment has, so adding
seeds or points to a finished sweep only runs the new ones. Sweep points that resolve to the
same config (the same run written two ways) are planned once.

An experiment's *identity* (:func:`identity`) is the sha256 of its normalised config without
``name``, ``seeds``, ``sweep`` and ``limits``: what every run of the experiment shares. The
store binds a name to it, so a changed config cannot be merged into an old name's runs.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from incentive_lab.experiments.config.loading import ExperimentConfig, load_experiment
from incentive_lab.experiments.config.records import canonical_json, make_run_id
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


IDENTITY_EXCLUDES = ("name", "seeds", "sweep", "limits")
"""Fields that may change between invocations under one name (more seeds, more points)."""


def identity(experiment: ExperimentConfig) -> tuple[str, dict[str, Any]]:
    """``(sha256, config)``: the experiment-level config a name is bound to in the store."""
    config = {
        k: v for k, v in experiment.model_dump(mode="json").items() if k not in IDENTITY_EXCLUDES
    }
    return hashlib.sha256(canonical_json(config).encode()).hexdigest(), config


def variant_name(name: str, digest: str) -> str:
    """The stored name of a variant of experiment ``name`` (``name~<hash prefix>``)."""
    return f"{name}~{digest[:8]}"


@dataclass(frozen=True)
class Plan:
    """An experiment's planned runs with its identity (see :func:`identity`)."""

    name: str
    digest: str
    config: dict[str, Any]
    tasks: list[RunTask]

    def renamed(self, name: str) -> Plan:
        """The same plan stored under ``name`` (run ids are unchanged)."""
        tasks = [replace(task, experiment=name) for task in self.tasks]
        return Plan(name=name, digest=self.digest, config=self.config, tasks=tasks)


def plan_experiment(
    config: ExperimentConfig | dict[str, Any] | str | Path, *, max_runs: int | None = None
) -> Plan:
    """The runs of ``config`` (as :func:`plan_runs`) with the experiment's identity."""
    experiment, points = load_experiment(config, max_runs=max_runs)
    digest, stored = identity(experiment)
    tasks = _tasks(experiment, points)
    return Plan(name=experiment.name, digest=digest, config=stored, tasks=tasks)


def plan_runs(
    config: ExperimentConfig | dict[str, Any] | str | Path, *, max_runs: int | None = None
) -> list[RunTask]:
    """The runs of ``config`` (anything :func:`load_config` accepts), in a fixed order.

    More than ``max_runs`` runs (default: the config's ``limits.max_runs``) is a
    :class:`~incentive_lab.core.errors.ConfigError` raised before anything is built.
    """
    experiment, points = load_experiment(config, max_runs=max_runs)
    return _tasks(experiment, points)


def _tasks(
    experiment: ExperimentConfig, points: list[tuple[dict[str, Any], ResolvedRun]]
) -> list[RunTask]:
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
