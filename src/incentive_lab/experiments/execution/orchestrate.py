"""Run an experiment end to end: config → planned runs → executor → store → Results.

::

    load_config ─► plan_runs ─► skip run_ids already finished in the store
        ─► execute the rest (local processes or Ray) ─► write results as they arrive
        (one transaction per run) ─► Results

The configuration is validated, and the number of runs counted from the sweep's shape and
checked against ``limits.max_runs`` / ``max_runs``, before the database is opened, so bad
input never creates or touches a database file. Because every run is written whole in one
transaction and ``run_id`` is a hash of the resolved config and seed, a sweep killed at any
moment (even by SIGKILL) resumes where it stopped when the same command is run again:
finished runs are skipped, the runs in flight are recomputed, no row is lost or duplicated.

Identity: the experiment's name is bound in the store to its config hash
(:func:`~incentive_lab.experiments.config.plan.identity`); a changed config under a stored
name is a :class:`ConfigError` unless ``variant=True``, which stores it as
``name~<hash prefix>`` (a separate experiment for ``show``, ``report`` and ``export``).

Sharing the store: the driver holds the DuckDB file open only while it writes (finished
runs are written at most every :data:`WRITE_EVERY` seconds, in one short connection), so
``show``/``report``/``export`` in another process read the finished runs while a sweep
runs. Two drivers on one store take turns: the second waits on an advisory lock on the
file (``flock``) for up to ``wait`` seconds, saying so through ``on_wait``, then skips
what the first one stored.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from incentive_lab.core.errors import ConfigError
from incentive_lab.experiments.execution.executors import check_options, execute
from incentive_lab.experiments.execution.results import Results
from incentive_lab.experiments.execution.runner import step_progress
from incentive_lab.experiments.execution.store import RunStore, check_database_file, shown
from incentive_lab.experiments.execution.tracking import Tracker, live_callback

DEFAULT_DB = "incentive-lab.duckdb"
LOCK_WAIT = 3600.0
"""Default seconds a second run on the same store waits for the first one."""
WRITE_EVERY = 1.0
"""Finished runs arriving within this many seconds of the last write are written together."""


class Progress(Protocol):
    """Called once after planning (``done`` = runs already stored) and after every write."""

    def __call__(self, done: int, total: int) -> None:
        """Report ``done`` of ``total`` runs stored."""


def _check_points(store: RunStore, plan: Any) -> None:
    """Refuse a sweep point whose label is stored under this name for another run config.

    The identity leaves the sweep out (points may be added), and a point is stored under
    its label (``sweep.label``), which names unit ids and params but not, say, the agent
    ranges of swept learner groups: two configs could share a label and be averaged as one
    point. A planned (point, seed index) whose stored run id differs is that case.
    """
    from incentive_lab.experiments.config.records import canonical_json

    stored = store.runs(plan.name, "r.point, r.seed_index, r.run_id")  # not the configs
    if stored.empty:
        return
    known = {
        (str(point), int(index)): str(run_id)
        for point, index, run_id in stored[["point", "seed_index", "run_id"]].itertuples(
            index=False
        )
    }
    for task in plan.tasks:
        point = canonical_json(task.point)
        if known.get((point, task.seed_index), task.run_id) != task.run_id:
            raise ConfigError(
                "sweep",
                point,
                f"sweep points whose label means the same runs as the point stored under "
                f"{plan.name!r} (this label was stored for another run config): choose a "
                "new experiment name",
            )


def _plan(config: Any, max_runs: int | None = None) -> Any:
    """Validate, count and expand ``config`` (a path, dict or config) into a ``Plan``."""
    from incentive_lab.experiments.config.plan import plan_experiment

    return plan_experiment(config, max_runs=max_runs)


def run_experiment(
    config: Any,
    *,
    db: str | Path = DEFAULT_DB,
    workers: int | None = None,
    backend: str = "local",
    address: str | None = None,
    progress: Progress | Callable[[int, int], None] | None = None,
    max_runs: int | None = None,
    variant: bool = False,
    wait: float = LOCK_WAIT,
    on_wait: Callable[[str], None] | None = None,
    trackers: Sequence[Tracker] = (),
) -> Results:
    """Run every planned run of ``config`` not yet in ``db``; return a :class:`Results`.

    ``config``: a YAML path, a dict or an ``ExperimentConfig``. ``workers``: processes (or
    Ray CPUs); ``None`` = number of cores. ``max_runs``: overrides the config's
    ``limits.max_runs``. ``variant``: store a changed config under ``name~<hash>`` instead
    of refusing it. ``wait``: seconds to wait for another run on ``db``. ``trackers``:
    objects whose ``on_run(result)`` receives each run once it is stored
    (:mod:`.tracking`, e.g. ``TensorBoardTracker``; a tracker with ``on_metrics`` also
    gets each run's metric rows while it runs, from the local workers too). Raises
    :class:`ConfigError` on bad input before anything is written.
    """
    path = Path(db)
    check_options(workers, backend, address)
    check_database_file(path)
    plan = _plan(config, max_runs)
    if not plan.tasks:
        raise ValueError("the configuration planned no runs")
    name, run_ids = store_plan(
        plan,
        path,
        workers=workers,
        backend=backend,
        address=address,
        progress=progress,
        variant=variant,
        wait=wait,
        on_wait=on_wait,
        trackers=trackers,
    )
    return Results(db_path=path, experiment=name, run_ids=run_ids)


def store_plan(
    plan: Any,
    path: Path,
    *,
    fn: Callable[[Any], Any] | None = None,
    workers: int | None = None,
    backend: str = "local",
    address: str | None = None,
    progress: Progress | Callable[[int, int], None] | None = None,
    variant: bool = False,
    wait: float = LOCK_WAIT,
    on_wait: Callable[[str], None] | None = None,
    trackers: Sequence[Tracker] = (),
    refusal: str | None = None,
) -> tuple[str, tuple[str, ...]]:
    """Compute the runs of ``plan`` not yet in the store at ``path`` and write them.

    The part of :func:`run_experiment` after planning, shared with every command that
    stores a planned set of runs (``schelling``): under the driver lock, bind the plan's
    name to its digest (refusing a name bound to ``taken``, or storing a ``variant``), skip
    the finished runs, execute the rest with ``fn`` (default ``runner.execute_run``) and
    write them in short batches. Returns ``(experiment name, run ids)``.
    """
    from incentive_lab.experiments.config.plan import variant_name

    with RunStore(path, on_wait=on_wait):
        pass  # create the store if absent (so there is a file to lock)
    with _driver_lock(path, wait, on_wait):
        with RunStore(path, on_wait=on_wait) as store:
            bound = store.bound_hash(plan.name)
            if variant and bound is not None and bound != plan.digest:
                plan = plan.renamed(variant_name(plan.name, plan.digest))
            previous = store.bind(plan.name, plan.digest, plan.config)
            if previous is not None and previous != plan.digest:
                raise ConfigError(
                    "name",
                    plan.name,
                    refusal
                    or "a name not yet used for another config in this database "
                    "(this config differs from the one stored under it): choose a new "
                    "name, or pass --variant to store it apart as "
                    f"{variant_name(plan.name, plan.digest)!r}",
                )
            _check_points(store, plan)
            run_ids = tuple(task.run_id for task in plan.tasks)
            finished = store.finished_ids(run_ids)
        todo = [task for task in plan.tasks if task.run_id not in finished]
        done = len(plan.tasks) - len(todo)
        if progress is not None:
            progress(done, len(plan.tasks))
        if todo:
            chosen = {} if fn is None else {"fn": fn}  # else the executor's default
            results = execute(
                todo,
                workers=workers,
                backend=backend,
                address=address,
                live=live_callback(trackers),
                **chosen,
            )
            # a run computed inline (workers=1, one run) reports its steps to the bar
            steps = getattr(progress, "steps", None)
            try:
                with step_progress(steps):
                    for written in _write_batches(path, results, on_wait, trackers):
                        done += written
                        if progress is not None:
                            progress(done, len(plan.tasks))
            except MemoryError:
                raise ConfigError(
                    "game.params",
                    plan.name,
                    "runs that fit in memory (a run ran out of memory building its game or "
                    "learners: reduce the population or the learners' tables; finished runs "
                    "are kept)",
                ) from None
            with RunStore(path, on_wait=on_wait):
                pass  # a plain close merges the write-ahead log into the database file
    return plan.name, run_ids


def _write_batches(
    path: Path,
    results: Iterator[Any],
    on_wait: Callable[[str], None] | None,
    trackers: Sequence[Tracker] = (),
) -> Iterator[int]:
    """Write results in short connections (at most one per :data:`WRITE_EVERY` seconds).

    Yields the number of runs written by each connection. A result not yet written when
    the driver dies is recomputed on resume, so batching never loses a stored run.
    """
    batch: list[Any] = []
    last = 0.0
    for result in results:
        batch.append(result)
        if time.monotonic() - last >= WRITE_EVERY:
            yield _write(path, batch, on_wait, trackers)
            batch, last = [], time.monotonic()
    if batch:
        yield _write(path, batch, on_wait, trackers)


def _write(
    path: Path,
    batch: list[Any],
    on_wait: Callable[[str], None] | None,
    trackers: Sequence[Tracker] = (),
) -> int:
    with RunStore(path, on_wait=on_wait) as store:
        store.defer_checkpoint()  # each stored run appends to <db>.wal; merged at the end
        fresh = [result for result in batch if store.write(result)]
    for tracker in trackers:  # after the store's connection is closed: readers see them
        for result in fresh:
            tracker.on_run(result)
    return len(batch)


@contextmanager
def _driver_lock(path: Path, wait: float, on_wait: Callable[[str], None] | None) -> Iterator[None]:
    """Hold an exclusive ``flock`` on the store file for the whole run (drivers take turns).

    Readers never take this lock, so ``show`` is never blocked by it. (``flock`` locks are
    independent of the POSIX locks DuckDB takes on the same file, on local file systems.)
    """
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError as error:
        raise ConfigError("db", shown(path), f"a writable file ({error.strerror})") from None
    try:
        deadline = time.monotonic() + wait
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise ConfigError(
                        "db",
                        shown(path),
                        f"a database no other run is using (still busy after {wait:g} s)",
                    ) from None
                if on_wait is not None and not told:
                    on_wait(f"another run is writing to {path}; waiting for it (up to {wait:g} s)")
                    told = True
                time.sleep(0.2)
        yield
    finally:
        os.close(fd)


def run(config_or_yaml_path: Any, db: str | Path = DEFAULT_DB, **kwargs: Any) -> Results:
    """Notebook entry point (``incentive_lab.run``); same as :func:`run_experiment`."""
    return run_experiment(config_or_yaml_path, db=db, **kwargs)
