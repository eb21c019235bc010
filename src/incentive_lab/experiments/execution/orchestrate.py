"""Run an experiment end to end: config → planned runs → executor → store → Results.

::

    load_config ─► plan_runs ─► skip run_ids already finished in the store
        ─► execute the rest (local processes or Ray) ─► write each result as it arrives
        (one transaction per run) ─► Results

The configuration is validated before the database is opened, so bad input never creates
or touches a database file. Because every run is written whole in one transaction and
``run_id`` is a hash of the resolved config and seed, a sweep killed at any moment (even by
SIGKILL) resumes where it stopped when the same command is run again: finished runs are
skipped, the run in flight is recomputed, no row is lost or duplicated.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from incentive_lab.experiments.execution.executors import check_options, execute
from incentive_lab.experiments.execution.results import Results
from incentive_lab.experiments.execution.store import RunStore, check_database_file

DEFAULT_DB = "incentive-lab.duckdb"


class Progress(Protocol):
    """Called once after planning (``done`` = runs already stored) and after every write."""

    def __call__(self, done: int, total: int) -> None:
        """Report ``done`` of ``total`` runs stored."""


def _plan(config: Any) -> list[Any]:
    """Validate and expand ``config`` (``plan_runs`` loads a path, dict or config itself)."""
    from incentive_lab.experiments.config.plan import plan_runs

    return list(plan_runs(config))


def run_experiment(
    config: Any,
    *,
    db: str | Path = DEFAULT_DB,
    workers: int | None = None,
    backend: str = "local",
    address: str | None = None,
    progress: Progress | Callable[[int, int], None] | None = None,
) -> Results:
    """Run every planned run of ``config`` not yet in ``db``; return a :class:`Results`.

    ``config``: a YAML path, a dict or an ``ExperimentConfig``. ``workers``: processes (or
    Ray CPUs); ``None`` = number of cores. Raises :class:`ConfigError` on bad input before
    anything is written.
    """
    path = Path(db)
    check_options(workers, backend, address)
    check_database_file(path)
    tasks = _plan(config)
    if not tasks:
        raise ValueError("the configuration planned no runs")
    experiment = tasks[0].experiment
    run_ids = tuple(task.run_id for task in tasks)
    with RunStore(path) as store:
        finished = store.finished_ids(run_ids)
        todo = [task for task in tasks if task.run_id not in finished]
        done = len(tasks) - len(todo)
        if progress is not None:
            progress(done, len(tasks))
        if todo:
            for result in execute(todo, workers=workers, backend=backend, address=address):
                store.write(result)
                done += 1
                if progress is not None:
                    progress(done, len(tasks))
    return Results(db_path=path, experiment=experiment, run_ids=run_ids)


def run(config_or_yaml_path: Any, db: str | Path = DEFAULT_DB, **kwargs: Any) -> Results:
    """Notebook entry point (``incentive_lab.run``); same as :func:`run_experiment`."""
    return run_experiment(config_or_yaml_path, db=db, **kwargs)
