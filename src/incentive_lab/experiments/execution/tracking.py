"""Experiment trackers: hand every finished run to TensorBoard or any tracker of your own.

A *tracker* is any object with ``on_run(result)``; :func:`run_experiment` (and
``incentive_lab.run``, ``incentive-lab run --tensorboard DIR``) calls it in the driver
process once per run, right after the run is stored, with the
:class:`~incentive_lab.experiments.config.records.RunResult` (``run_id``, ``experiment``,
``point``, ``seed_index``, the recorded ``metrics`` rows ``(step, name, value)`` and the
``summary``). Runs already in the store (a resumed sweep) are not replayed; to send a
whole store use :func:`export_store` (``incentive-lab export --format tensorboard``).
A tracker's exception stops the experiment like any error; the runs stored so far stay.

Plugging in another tracker (MLflow, Weights & Biases, a CSV of your own) takes a class::

    class Printer:
        def on_run(self, result):
            print(result.experiment, result.point, result.summary["cooperation_rate"])

    incentive_lab.run("pd.yaml", trackers=[Printer()])

:class:`TensorBoardTracker` writes TensorBoard event files with ``tensorboardX`` (the
``tensorboard`` extra): one run directory per run, ``<log_dir>/<experiment>/<point>/seed<k>``,
holding every recorded metric as a scalar series against the step and the final summary
as ``summary/<metric>`` scalars at the last step. ``tensorboard --logdir <log_dir>`` then
compares sweep points and seeds.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Protocol

from incentive_lab.core.errors import ConfigError
from incentive_lab.core.extras import install_hint
from incentive_lab.experiments.config.records import RunResult


class Tracker(Protocol):
    """Receives each finished run in the driver (see the module docstring)."""

    def on_run(self, result: RunResult) -> None:
        """Called once per run, after it is stored."""


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
    """Write each finished run's metrics as TensorBoard scalars under ``log_dir``."""

    def __init__(self, log_dir: str | Path) -> None:
        self.log_dir = Path(log_dir)
        if self.log_dir.exists() and not self.log_dir.is_dir():
            raise ConfigError("tensorboard", str(log_dir), "a directory (or a new path)")
        self._writer = _writer_class()  # fail before any run if the extra is missing

    def on_run(self, result: RunResult) -> None:
        """Write ``result``'s series and summary into its own run directory."""
        write_run(
            self._writer,
            self.log_dir / run_directory(result.experiment, result.point, result.seed_index),
            result.metrics,
            result.summary,
        )


def write_run(
    writer_class: Any,
    directory: Path,
    metrics: Iterable[tuple[int, str, float]],
    summary: dict[str, float],
) -> None:
    """One run's event file: scalars ``name`` per step, ``summary/name`` at the last step."""
    writer = writer_class(logdir=str(directory))
    try:
        last = 0
        for step, name, value in metrics:
            writer.add_scalar(name, float(value), int(step))
            last = max(last, int(step))
        for name, value in summary.items():
            writer.add_scalar(f"summary/{name}", float(value), last)
    finally:
        writer.close()


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
