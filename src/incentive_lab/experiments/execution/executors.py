"""Executors: where runs are computed. Workers compute; only the driver writes.

``execute(tasks, workers=..., backend=...)`` yields one :class:`RunResult` per task, in
completion order (the store orders nothing by completion time, so results are identical
bit for bit across backends and worker counts: every run is the same pure function of its
task).

Backends
--------
``local``
    A ``concurrent.futures.ProcessPoolExecutor`` with the ``spawn`` start method (a worker
    never inherits the driver's open DuckDB handle or threads) that never re-imports the
    caller's main module and ships the caller's own units to the workers
    (``experiments.execution.workers``): it works from a script without a ``__main__``
    guard and from a notebook with units registered inline. ``workers`` defaults to
    ``os.cpu_count()``; ``workers=1`` (or a single task) runs inline in the driver.
``ray``
    Each run is one Ray task (the ``ray`` extra). With ``address`` the
    driver joins that cluster; without it a local Ray with ``num_cpus=workers`` is started
    and shut down afterwards (``experiments.execution.ray_start``).

Live metrics (``live``): ``live(task, rows)`` is called in the driver with each run's
metric rows as the run records them — inline runs directly, worker processes through a
queue the driver drains while it waits (every :data:`LIVE_POLL` seconds). Rows of a run
that arrive after its result are dropped (the result holds them all). The Ray backend
calls nothing live: its runs report when they finish.
"""

from __future__ import annotations

import importlib.util
import multiprocessing
import os
import queue as queues
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from typing import Any

from incentive_lab.core.errors import ConfigError
from incentive_lab.experiments.config.records import RunResult
from incentive_lab.experiments.execution.ray_start import ray_missing, ray_session
from incentive_lab.experiments.execution.workers import call_with_units, process_pool, user_units

BACKENDS = ("local", "ray")
TaskFn = Callable[[Any], RunResult]
LiveFn = Callable[[Any, list[tuple[int, str, float]]], None]
LIVE_POLL = 0.25
"""Seconds between the driver's looks at the workers' live metric rows."""


def _default_fn() -> TaskFn:
    from incentive_lab.experiments.execution.runner import execute_run

    fn: TaskFn = execute_run
    return fn


def resolve_workers(workers: int | None) -> int:
    """``None`` → number of cores; anything below 1 is a :class:`ConfigError`."""
    if workers is None:
        return max(1, os.cpu_count() or 1)
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ConfigError("workers", workers, "a positive integer (default: number of cores)")
    return workers


def check_options(workers: int | None, backend: str, address: str | None) -> int:
    """Validate executor options (before any work starts); return the worker count."""
    if backend not in BACKENDS:
        raise ConfigError("backend", backend, f"allowed: {', '.join(BACKENDS)}")
    if address is not None and backend != "ray":
        raise ConfigError("address", address, "only used with backend 'ray'")
    if backend == "ray" and importlib.util.find_spec("ray") is None:
        raise ray_missing()
    return resolve_workers(workers)


def execute(
    tasks: Sequence[Any],
    *,
    workers: int | None,
    backend: str = "local",
    address: str | None = None,
    fn: TaskFn | None = None,
    live: LiveFn | None = None,
) -> Iterator[RunResult]:
    """Run ``fn(task)`` (default ``execute_run``) for every task; yield results as they finish.

    ``fn`` must be a picklable top-level function; it exists so tests can swap in a stub.
    ``live``: called with ``(task, rows)`` as runs record metrics (module docstring).
    """
    count = check_options(workers, backend, address)
    function = fn if fn is not None else _default_fn()
    if backend == "ray":
        return _execute_ray(list(tasks), count, address, function)
    return _execute_local(list(tasks), count, function, live)


def _execute_local(
    tasks: list[Any], workers: int, fn: TaskFn, live: LiveFn | None = None
) -> Iterator[RunResult]:
    if workers == 1 or len(tasks) <= 1:
        from incentive_lab.experiments.execution.runner import live_metrics

        for task in tasks:
            forward = None if live is None else _bound(live, task)
            with live_metrics(forward):
                result = fn(task)
            yield result
        return
    rows: Any = None if live is None else multiprocessing.get_context("spawn").Queue()
    by_id = {getattr(task, "run_id", None): task for task in tasks}
    finished: set[Any] = set()
    with process_pool(min(workers, len(tasks)), live=rows) as pool:
        pending: set[Future[RunResult]] = {pool.submit(fn, task) for task in tasks}
        try:
            while pending:
                timeout = None if rows is None else LIVE_POLL
                done, pending = wait(pending, timeout=timeout, return_when=FIRST_COMPLETED)
                if live is not None:
                    _drain(rows, by_id, finished, live)
                for future in done:
                    result = future.result()
                    finished.add(result.run_id)
                    yield result
        finally:
            for future in pending:
                future.cancel()


def _bound(live: LiveFn, task: Any) -> Callable[[list[tuple[int, str, float]]], None]:
    def forward(rows: list[tuple[int, str, float]]) -> None:
        live(task, rows)

    return forward


def _drain(rows: Any, by_id: dict[Any, Any], finished: set[Any], live: LiveFn) -> None:
    """Hand every queued ``(run_id, rows)`` of an unfinished run to ``live``."""
    while True:
        try:
            run_id, fresh = rows.get_nowait()
        except queues.Empty:
            return
        if run_id in by_id and run_id not in finished:
            live(by_id[run_id], fresh)


def _execute_ray(
    tasks: list[Any], workers: int, address: str | None, fn: TaskFn
) -> Iterator[RunResult]:
    with ray_session(workers, address) as ray:
        modules, entries = user_units()
        remote = ray.remote(num_cpus=1)(call_with_units)
        shared = ray.put(entries)
        pending = [remote.remote(fn, modules, shared, task) for task in tasks]
        while pending:
            done, pending = ray.wait(pending, num_returns=1)
            for ref in done:
                yield ray.get(ref)
