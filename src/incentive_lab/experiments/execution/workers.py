"""Local worker processes that run whatever the caller registered, wherever it was defined.

The local backend computes runs in ``spawn``-started processes (a fresh interpreter: no
inherited DuckDB handle, threads or locks). Python's ``spawn`` normally re-imports the
caller's main module in every worker, which breaks the two places users call the API from:

* a plain script without an ``if __name__ == "__main__":`` guard re-runs itself in every
  worker (which starts its own pool: ``BrokenProcessPool``);
* a notebook, or a script, that registers a unit inline (a class in ``__main__``): the
  worker's registry never sees it.

So the pool here never re-imports the main module (the ``init_main_from_*`` entries of the
spawn preparation data are dropped while the pool starts its processes), and every unit the
driver registered outside this package travels to the workers: units of importable modules
by name (the worker imports the module, which registers them, as the driver did), units
of ``__main__`` or of modules that cannot be imported by value (``cloudpickle``), added to
the worker's registry (:func:`incentive_lab.core.registry.add`) by the pool's initializer.

The Ray backend ships the same two lists with every task (:func:`call_with_units`).

A worker's exception reaches the driver as itself (type, message, and the worker's
traceback as its ``__cause__``), the way ``concurrent.futures`` returns it.

Live metrics: a pool started with a ``live`` queue computes every task inside
:func:`~incentive_lab.experiments.execution.runner.live_metrics`, putting
``(run_id, rows)`` on the queue as the run records them; the driver drains it
(``experiments.execution.executors``).
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import multiprocessing
import multiprocessing.spawn
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from incentive_lab.core import registry

PACKAGE = "incentive_lab"


def _importable(module: str) -> bool:
    if module == "__main__":
        return False
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def user_units() -> tuple[list[str], bytes]:
    """Modules to import and pickled entries to add so a worker sees the driver's units.

    The bytes are empty (``b""``) when every unit is importable: nothing travels by value.
    """
    import cloudpickle

    modules: set[str] = set()
    by_value: list[registry.Entry] = []
    for kind in registry.KINDS:
        for entry in registry.entries(kind):
            module = getattr(entry.factory, "__module__", None) or "__main__"
            if module.split(".")[0] == PACKAGE:
                continue
            if _importable(module):
                modules.add(module)
            else:
                by_value.append(entry)
    return sorted(modules), cloudpickle.dumps(by_value) if by_value else b""


_live: Any = None
"""In a worker of a pool with live metrics: the driver's queue of ``(run_id, rows)``."""


def _initialise(modules: list[str], entries: bytes, live: Any = None) -> None:
    """Pool initializer: import the driver's unit modules, add its inline units."""
    import cloudpickle

    global _live
    _live = live
    for module in modules:
        try:
            importlib.import_module(module)
        except ImportError:
            # not importable where this worker runs (e.g. a Ray node without the driver's
            # sys.path): a run that needs its units names the unknown id itself
            continue
    for entry in cloudpickle.loads(entries) if entries else ():
        registry.add(entry)


def call_with_units(fn: Callable[[Any], Any], modules: list[str], entries: bytes, task: Any) -> Any:
    """``fn(task)`` after learning the driver's units (the Ray backend's task function).

    A Ray worker imports this package but never the driver's main module.
    """
    _initialise(modules, entries)
    return fn(task)


@contextlib.contextmanager
def _main_not_reimported() -> Iterator[None]:
    original = multiprocessing.spawn.get_preparation_data

    def without_main(name: str) -> dict[str, Any]:
        data = dict(original(name))
        data.pop("init_main_from_path", None)
        data.pop("init_main_from_name", None)
        return data

    multiprocessing.spawn.get_preparation_data = without_main
    try:
        yield
    finally:
        multiprocessing.spawn.get_preparation_data = original


def _call_pickled(fn: Callable[[Any], Any], blob: bytes) -> Any:
    import cloudpickle

    return fn(cloudpickle.loads(blob))


def _call_live(fn: Callable[[Any], Any], payload: Any, by_value: bool) -> Any:
    """``fn(task)`` putting the run's metric rows on the driver's queue as they come."""
    import cloudpickle

    from incentive_lab.experiments.execution.runner import live_metrics

    task = cloudpickle.loads(payload) if by_value else payload
    queue, run_id = _live, getattr(task, "run_id", None)

    def forward(rows: list[tuple[int, str, float]]) -> None:
        queue.put((run_id, rows))

    with live_metrics(forward if queue is not None else None):
        return fn(task)


class Pool:
    """A spawn pool that knows the driver's units (see :func:`process_pool`)."""

    def __init__(self, executor: ProcessPoolExecutor, by_value: bool, live: bool = False) -> None:
        self._executor = executor
        self._by_value = by_value
        self._live = live

    def submit(self, fn: Callable[[Any], Any], task: Any) -> Future[Any]:
        """Schedule ``fn(task)``; a task holding inline units' params travels by value."""
        payload: Any = task
        if self._by_value:
            import cloudpickle

            payload = cloudpickle.dumps(task)
        if self._live:
            return self._executor.submit(_call_live, fn, payload, self._by_value)
        if not self._by_value:
            return self._executor.submit(fn, task)
        return self._executor.submit(_call_pickled, fn, payload)


@contextlib.contextmanager
def process_pool(workers: int, live: Any = None) -> Iterator[Pool]:
    """A spawn pool of ``workers`` processes that knows the driver's units (docstring).

    ``live``: a spawn-context ``multiprocessing`` queue for the runs' live metric rows.

    Submit every task inside the ``with`` block: processes start on demand at submission,
    and only then is the main module kept out of them. When the driver has units that
    travel by value, tasks do too (their validated params are instances of those units'
    parameter classes); cloudpickle gives a class shipped twice one identity in a worker.
    """
    modules, entries = user_units()
    executor = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_initialise,
        initargs=(modules, entries, live),
    )
    with executor, _main_not_reimported():
        yield Pool(executor, by_value=bool(entries), live=live is not None)
