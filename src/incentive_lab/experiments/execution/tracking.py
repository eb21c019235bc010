"""Experiment trackers: hand every finished run to TensorBoard or any tracker of your own.

A *tracker* is any object with ``on_run(result)``; :func:`run_experiment` (and
``incentive_lab.run``, ``incentive-lab run --tensorboard DIR``) calls it in the driver
process once per run, right after the run is stored, with the
:class:`~incentive_lab.experiments.config.records.RunResult` (``run_id``, ``experiment``,
``point``, ``seed_index``, the recorded ``metrics`` rows ``(step, name, value)`` and the
``summary``). Runs already in the store (a resumed sweep) are not replayed; to send a
whole store use :func:`export_store` (``incentive-lab export --format tensorboard``).
A tracker's exception stops the experiment like any error; the runs stored so far stay.

**Watching runs as they go.** A tracker that also has ``on_metrics(task, rows)`` receives
each run's metric rows ``(step, name, value)`` while the run is computed: ``task`` names
the run (``run_id``, ``experiment``, ``point``, ``seed_index``), ``rows`` are the rows
recorded since the last call, in order, up to :data:`runner.STEP_CHUNKS
<incentive_lab.experiments.execution.runner.STEP_CHUNKS>` calls per run. It works for runs
computed in the driver and in local worker processes (their rows travel through a queue
the driver drains; ``executors``); Ray runs report only when they finish. The live rows are
a prefix of the run's ``result.metrics`` — rows still in flight when a run finishes are not
sent live, so ``on_run`` must treat ``result.metrics`` as the whole series (write what it
has not seen). A run that fails after sending rows never reaches ``on_run``.

Plugging in another tracker (MLflow, Weights & Biases, a CSV of your own) takes a class::

    class Printer:
        def on_run(self, result):
            print(result.experiment, result.point, result.summary["cooperation_rate"])

    incentive_lab.run("pd.yaml", trackers=[Printer()])

:class:`TensorBoardTracker` writes TensorBoard event files with ``tensorboardX`` (the
``tensorboard`` extra): one run directory per run, ``<log_dir>/<experiment>/<point>/seed<k>``,
holding every recorded metric as a scalar series against the step and the final summary
as ``summary/<metric>`` scalars at the last step. ``tensorboard --logdir <log_dir>`` then
compares sweep points and seeds — live: the series are written (and flushed) as the runs
record them. A run directory's earlier event files (a run that failed before it was
stored and is now recomputed, an earlier export) are replaced, so a run never shows twice.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

from incentive_lab.core.errors import ConfigError
from incentive_lab.core.extras import install_hint
from incentive_lab.experiments.config.records import RunResult


class Tracker(Protocol):
    """Receives each finished run in the driver (see the module docstring)."""

    def on_run(self, result: RunResult) -> None:
        """Called once per run, after it is stored."""


Rows = list[tuple[int, str, float]]


def live_callback(trackers: Sequence[Any]) -> Callable[[Any, Rows], None] | None:
    """``(task, rows)`` → every tracker's ``on_metrics``; ``None`` if none watches live."""
    watchers = [t.on_metrics for t in trackers if callable(getattr(t, "on_metrics", None))]
    if not watchers:
        return None

    def forward(task: Any, rows: Rows) -> None:
        for watch in watchers:
            watch(task, rows)

    return forward


_UNSAFE = re.compile(r"[^A-Za-z0-9._=+,-]+")


def run_directory(experiment: str, point: dict[str, Any], seed_index: int) -> Path:
    """``<experiment>/<point label>/seed<k>`` with characters safe in a path."""
    label = ",".join(f"{path}={value}" for path, value in point.items()) or "base"
    parts = [_UNSAFE.sub("_", experiment), _UNSAFE.sub("_", label)[:150], f"seed{seed_index}"]
    return Path(*parts)


def _writer_class() -> Any:
    try:
        from tensorboardX import SummaryWriter
    except ImportError:
        raise ConfigError(
            "tensorboard",
            "tensorboardX",
            f"the tensorboard extra installed ({install_hint('tensorboard')})",
        ) from None
    return SummaryWriter


class TensorBoardTracker:
    """Write each run's metrics as TensorBoard scalars under ``log_dir``, as they come."""

    def __init__(self, log_dir: str | Path) -> None:
        self.log_dir = Path(log_dir)
        if self.log_dir.exists() and not self.log_dir.is_dir():
            raise ConfigError("tensorboard", str(log_dir), "a directory (or a new path)")
        self._writer = _writer_class()  # fail before any run if the extra is missing
        self._open: dict[str, tuple[Any, int]] = {}  # run id -> (writer, rows written)

    def _directory(self, run: Any) -> Path:
        return self.log_dir / run_directory(run.experiment, run.point, run.seed_index)

    def on_metrics(self, task: Any, rows: Rows) -> None:
        """Append a running run's new rows to its event file and flush it."""
        writer, written = self._open.get(task.run_id) or (None, 0)
        if writer is None:
            writer = self._writer(logdir=str(fresh_directory(self._directory(task))))
        for step, name, value in rows:
            writer.add_scalar(name, float(value), int(step))
        writer.flush()
        self._open[task.run_id] = (writer, written + len(rows))

    def on_run(self, result: RunResult) -> None:
        """Write the rows not yet written and the summary into the run's directory."""
        writer, written = self._open.pop(result.run_id, (None, 0))
        if writer is None:
            write_run(self._writer, self._directory(result), result.metrics, result.summary)
            return
        _finish(writer, list(result.metrics)[written:], result.metrics, result.summary)


def fresh_directory(directory: Path) -> Path:
    """``directory``, created, without event files of an earlier write."""
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("events.out.tfevents.*"):
        old.unlink()
    return directory


def _finish(
    writer: Any,
    rows: Iterable[tuple[int, str, float]],
    metrics: Iterable[tuple[int, str, float]],
    summary: dict[str, float],
) -> None:
    """Write ``rows``, then the summary at the run's last step; close ``writer``."""
    try:
        for step, name, value in rows:
            writer.add_scalar(name, float(value), int(step))
        last = max((int(step) for step, _, _ in metrics), default=0)
        for name, value in summary.items():
            writer.add_scalar(f"summary/{name}", float(value), last)
    finally:
        writer.close()


def write_run(
    writer_class: Any,
    directory: Path,
    metrics: Iterable[tuple[int, str, float]],
    summary: dict[str, float],
) -> None:
    """One run's event file: scalars ``name`` per step, ``summary/name`` at the last step."""
    rows = list(metrics)
    _finish(writer_class(logdir=str(fresh_directory(directory))), rows, rows, summary)


def _point(raw: Any) -> dict[str, Any]:
    decoded = json.loads(raw) if isinstance(raw, str) else raw
    return dict(decoded) if isinstance(decoded, dict) else {}


def export_store(store: Any, log_dir: str | Path, experiments: list[str] | None) -> list[Path]:
    """Every stored run of ``experiments`` (default all) as TensorBoard event files."""
    writer_class = _writer_class()
    root = Path(log_dir)
    runs = store.runs(experiments)
    metrics = store.metrics(experiments)
    summary = store.summary(experiments)
    series = {run_id: frame for run_id, frame in metrics.groupby("run_id", sort=False)}
    finals = {run_id: frame for run_id, frame in summary.groupby("run_id", sort=False)}
    written = []
    for run in runs.itertuples(index=False):
        directory = root / run_directory(run.experiment, _point(run.point), run.seed_index)
        frame = series.get(run.run_id)
        rows = [] if frame is None else frame[["step", "name", "value"]].itertuples(index=False)
        final = finals.get(run.run_id)
        values = {} if final is None else dict(zip(final["name"], final["value"], strict=True))
        write_run(writer_class, directory, rows, values)
        written.append(directory)
    return written
