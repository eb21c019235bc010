"""The window recorder: per-agent sums over windows of ``record_every`` steps.

:class:`WindowRecorder` implements ``rollout.Recorder``. Each step costs one fused ``O(n)``
pass (a Numba kernel) adding base rewards, shaped rewards and transfers into per-agent
accumulators, the money paid out (positive transfers) and collected (negative transfers)
into two scalars, and counting cooperative actions when the game declares one, plus a scalar add
per designer cost, game metric (``info["metrics"]``) and diagnostic (learners' and the
mechanism's ``update`` outputs). Nothing is stored per step. The pass does not read what it
knows: shaped rewards that are the base rewards themselves (the identity mechanism's
read-only view) are added from the base value already loaded, and the shared zeros of
``core.mechanism.shared_zeros`` (no transfers) are not added at all — both exact, so the
sums are bit-identical to adding every array.

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
from numba import njit

from incentive_lab.core.mechanism import shared_zeros
from incentive_lab.core.types import FloatArray, IntArray
from incentive_lab.evaluation.metrics import window_metrics
from incentive_lab.rollout import StepRecord


@njit(cache=True)
def _accumulate(
    sums: FloatArray,
    money: FloatArray,
    cooperations: IntArray,
    base: FloatArray,
    shaped: FloatArray,
    transfers: FloatArray,
    actions: IntArray,
    shaped_is_base: bool,
    add_transfers: bool,
    cooperative: int,
) -> None:
    """One pass: ``sums[0..2] += base, shaped, transfers``; count cooperative actions.

    ``money[0]`` adds the positive transfers (paid out), ``money[1]`` the negative ones negated
    (collected). ``shaped_is_base``: add the base value again; ``add_transfers`` false: the
    transfers are zeros; ``cooperative < 0``: no cooperative action to count.
    """
    for i in range(base.shape[0]):
        b = base[i]
        sums[0, i] += b
        sums[1, i] += b if shaped_is_base else shaped[i]
        if add_transfers:
            t = transfers[i]
            sums[2, i] += t
            if t > 0.0:
                money[0] += t
            elif t < 0.0:
                money[1] -= t
        if cooperative >= 0 and actions[i] == cooperative:
            cooperations[i] += 1


def _same_view(a: np.ndarray, b: np.ndarray) -> bool:
    """``a`` and ``b`` are views of the same memory with the same layout."""
    return a is b or (
        a.dtype == b.dtype
        and a.shape == b.shape
        and a.strides == b.strides
        and a.__array_interface__["data"][0] == b.__array_interface__["data"][0]
    )


def _vector(values: object, dtype: type, n: int) -> np.ndarray:
    out: np.ndarray = np.ascontiguousarray(np.asarray(values, dtype=dtype).reshape(-1))
    if out.shape[0] != n:
        raise ValueError(f"expected arrays of {n} agents, got {out.shape[0]}")
    return out


_NONE: IntArray = np.zeros(0, dtype=np.int64)


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
        self._sums: FloatArray = np.zeros((3, n_agents))  # base, shaped, transfers
        self._base: FloatArray = self._sums[0]
        self._shaped: FloatArray = self._sums[1]
        self._transfers: FloatArray = self._sums[2]
        self._cooperations: IntArray = np.zeros(n_agents, dtype=np.int64)
        self._money: FloatArray = np.zeros(2)  # paid out, collected
        self._cost = 0.0
        self._steps = 0
        self._last_step = 0
        self._game_metrics = _ScalarMeans()
        self._diagnostics = _ScalarMeans()

    def record(self, record: StepRecord) -> None:
        """Add one step; emit the window's rows when it is complete."""
        n = self.n_agents
        base = _vector(record.base_rewards, np.float64, n)
        shaped = _vector(record.shaped_rewards, np.float64, n)
        transfers = record.transfers
        add_transfers = transfers is not shared_zeros(n)
        transfers = _vector(transfers, np.float64, n) if add_transfers else base
        cooperative = self.cooperative_action
        actions = _vector(record.actions, np.int64, n) if cooperative is not None else _NONE
        _accumulate(
            self._sums,
            self._money,
            self._cooperations,
            base,
            shaped,
            transfers,
            actions,
            _same_view(shaped, base),
            add_transfers,
            -1 if cooperative is None else int(cooperative),
        )
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
            spend_sum=float(self._money[0]),
            collected_sum=float(self._money[1]),
        )
        values.update(self._game_metrics.means())
        values.update(self._diagnostics.means())
        self.rows.extend((self._last_step, name, value) for name, value in values.items())
        self._sums[:] = 0.0
        self._cooperations[:] = 0
        self._money[:] = 0.0
        self._cost = 0.0
        self._steps = 0
        self._game_metrics.clear()
        self._diagnostics.clear()
