"""The window recorder: per-agent sums over windows of ``record_every`` steps.

:class:`WindowRecorder` implements ``rollout.Recorder``. Each step costs a few vectorised
``O(n)`` additions into per-agent accumulators (base rewards, shaped rewards, transfers,
cooperation counts when the game declares a cooperative action) plus a scalar add per
designer cost, game metric (``info["metrics"]``) and diagnostic (learners' and the
mechanism's ``update`` outputs). Nothing is stored per step.

When a window of ``record_every`` steps is complete the recorder emits rows
``(step, name, value)``, where ``step`` is the number of steps played so far (the window
``[step - record_every, step)``), for the core metrics of
:func:`incentive_lab.evaluation.metrics.window_metrics` followed by the game metrics and the
diagnostics (each the mean over the window's steps that reported it), sorted by name.
Windows count steps globally, so they do not depend on phases or episode boundaries.
:meth:`WindowRecorder.flush` emits a last, shorter window if the run length is not a
multiple of ``record_every``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from incentive_lab.core.types import FloatArray, IntArray
from incentive_lab.evaluation.metrics import window_metrics
from incentive_lab.rollout import StepRecord


class _ScalarMeans:
    """Sums and counts of named scalars over a window."""

    def __init__(self) -> None:
        self.sums: dict[str, float] = {}
        self.counts: dict[str, int] = {}

    def add(self, values: dict[str, Any]) -> None:
        for name, value in values.items():
            self.sums[name] = self.sums.get(name, 0.0) + float(value)
            self.counts[name] = self.counts.get(name, 0) + 1

    def means(self) -> dict[str, float]:
        return {name: self.sums[name] / self.counts[name] for name in sorted(self.sums)}

    def clear(self) -> None:
        self.sums.clear()
        self.counts.clear()


class WindowRecorder:
    """Accumulates each window of ``record_every`` steps and emits metric rows.

    ``n_agents``: population size; ``cooperative_action``: the game's cooperative action or
    ``None`` (then no ``cooperation_rate``). ``rows`` collects ``(step, name, value)``.
    """

    def __init__(self, n_agents: int, record_every: int, cooperative_action: int | None) -> None:
        if record_every < 1:
            raise ValueError("record_every must be >= 1")
        self.n_agents = n_agents
        self.record_every = record_every
        self.cooperative_action = cooperative_action
        self.rows: list[tuple[int, str, float]] = []
        self._base: FloatArray = np.zeros(n_agents)
        self._shaped: FloatArray = np.zeros(n_agents)
        self._transfers: FloatArray = np.zeros(n_agents)
        self._cooperations: IntArray = np.zeros(n_agents, dtype=np.int64)
        self._cost = 0.0
        self._steps = 0
        self._last_step = 0
        self._game_metrics = _ScalarMeans()
        self._diagnostics = _ScalarMeans()

    def record(self, record: StepRecord) -> None:
        """Add one step; emit the window's rows when it is complete."""
        self._base += record.base_rewards
        self._shaped += record.shaped_rewards
        self._transfers += record.transfers
        if self.cooperative_action is not None:
            self._cooperations += record.actions == self.cooperative_action
        self._cost += record.cost
        metrics = record.info.get("metrics")
        if metrics:
            self._game_metrics.add(metrics)
        if record.diagnostics:
            self._diagnostics.add(record.diagnostics)
        self._steps += 1
        self._last_step = record.step + 1
        if self._steps == self.record_every:
            self._emit()

    def flush(self) -> None:
        """Emit the current partial window, if any step was recorded since the last one."""
        if self._steps:
            self._emit()

    def _emit(self) -> None:
        values = window_metrics(
            self._base,
            self._shaped,
            self._transfers,
            self._cooperations if self.cooperative_action is not None else None,
            self._cost,
            self._steps,
        )
        values.update(self._game_metrics.means())
        values.update(self._diagnostics.means())
        self.rows.extend((self._last_step, name, value) for name, value in values.items())
        self._base[:] = 0.0
        self._shaped[:] = 0.0
        self._transfers[:] = 0.0
        self._cooperations[:] = 0
        self._cost = 0.0
        self._steps = 0
        self._game_metrics.clear()
        self._diagnostics.clear()
