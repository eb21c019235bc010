"""When learning settles: convergence step, stability, adaptation time, price of anarchy.

Pure functions over one recorded time series (``steps: int64[T]`` and ``values:
float64[T]``, in recording order, as the recorder writes them). SPEC §4 defines:

* **convergence step** — the first recorded step after which the moving average (over
  ``window`` records) stays within ``eps`` of its final value;
* **stability** — the variance of the values over the last ``window`` records;
* **adaptation time** — after a regime shift at ``shift_step`` (a phase of a lifelong run),
  the number of steps until the moving average stays within ``eps`` of the value it settles
  at before the next shift (or the end);
* **price of anarchy** — welfare at the optimum divided by the welfare reached, for reward
  games (both positive); ``nan`` where it is undefined.

``eps`` defaults to ``rel_eps`` (5%) of the series' range, so the measures are comparable
across metrics with different units; a constant series has converged at its first record.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np

from incentive_lab.core.types import FloatArray, IntArray


def moving_average(values: FloatArray, window: int) -> FloatArray:
    """``float64[T]``: trailing mean over up to ``window`` records (shorter at the start)."""
    values = np.asarray(values, dtype=np.float64)
    if values.size == 0:
        return values
    window = max(1, int(window))
    sums = np.cumsum(np.concatenate([[0.0], values]))
    idx = np.arange(1, values.size + 1)
    start = np.maximum(0, idx - window)
    return (sums[idx] - sums[start]) / (idx - start)


def _tolerance(values: FloatArray, eps: float | None, rel_eps: float) -> float:
    if eps is not None:
        return float(eps)
    spread = float(np.max(values) - np.min(values)) if values.size else 0.0
    return rel_eps * spread


def settling_index(
    values: FloatArray, window: int, eps: float | None = None, rel_eps: float = 0.05
) -> int:
    """Index of the first record after which the moving average stays within ``eps``."""
    values = np.asarray(values, dtype=np.float64)
    if values.size == 0:
        raise ValueError("settling_index needs at least one value")
    average = moving_average(values, window)
    tolerance = _tolerance(values, eps, rel_eps)
    rounding = 1e-9 * max(1.0, float(np.max(np.abs(values))))  # cumulative-sum round-off
    outside = np.abs(average - average[-1]) > tolerance + rounding
    if not outside.any():
        return 0
    return int(np.flatnonzero(outside)[-1] + 1)


def convergence_step(
    steps: IntArray,
    values: FloatArray,
    window: int = 5,
    eps: float | None = None,
    rel_eps: float = 0.05,
) -> int:
    """The first recorded step after which the moving average stays near its final value."""
    steps = np.asarray(steps)
    return int(steps[settling_index(values, window, eps, rel_eps)])


def stability(values: FloatArray, window: int = 5) -> float:
    """Variance of the last ``window`` values (lower is more stable)."""
    values = np.asarray(values, dtype=np.float64)
    return float(np.var(values[-max(1, int(window)) :]))


def adaptation_time(
    steps: IntArray,
    values: FloatArray,
    shift_step: int,
    next_shift: int | None = None,
    window: int = 5,
    eps: float | None = None,
    rel_eps: float = 0.05,
) -> float:
    """Steps from ``shift_step`` until the series settles at its new level (``nan`` if no data).

    Only records with ``shift_step < step <= next_shift`` are considered; ``eps`` defaults to
    ``rel_eps`` of that segment's range.
    """
    steps = np.asarray(steps)
    values = np.asarray(values, dtype=np.float64)
    mask = steps > shift_step
    if next_shift is not None:
        mask &= steps <= next_shift
    if not mask.any():
        return math.nan
    segment_steps, segment = steps[mask], values[mask]
    index = settling_index(segment, window, eps, rel_eps)
    return float(segment_steps[index] - shift_step)


def price_of_anarchy(optimum: float | None, achieved: float) -> float:
    """``optimum / achieved`` for positive welfare values, else ``nan``."""
    if optimum is None or not (optimum > 0 and achieved > 0):
        return math.nan
    return float(optimum / achieved)


DYNAMICS_METRICS = ("social_welfare", "mean_reward", "cooperation_rate")
"""Recorded metrics whose convergence, stability and adaptation the summary reports."""


def dynamics_summary(
    rows: Iterable[tuple[int, str, float]],
    shift_steps: Sequence[int] = (),
    window: int = 5,
    names: Sequence[str] = DYNAMICS_METRICS,
) -> dict[str, float]:
    """Summary entries ``convergence_step/<m>``, ``stability/<m>``, ``adaptation_time/<m>/<k>``.

    ``rows``: the recorder's ``(step, name, value)`` rows; ``shift_steps``: the steps at which
    phases changed the rules or the mechanism (one adaptation time per phase ``k``).
    """
    series: dict[str, tuple[list[int], list[float]]] = {}
    for step, name, value in rows:
        if name in names:
            step_list, value_list = series.setdefault(name, ([], []))
            step_list.append(step)
            value_list.append(value)
    out: dict[str, float] = {}
    bounds = [*shift_steps, None]
    for name, (steps_list, values_list) in series.items():
        steps = np.asarray(steps_list, dtype=np.int64)
        values = np.asarray(values_list, dtype=np.float64)
        last_start = shift_steps[-1] if shift_steps else -1
        final = steps > last_start
        out[f"convergence_step/{name}"] = float(
            convergence_step(steps[final], values[final], window)
        )
        out[f"stability/{name}"] = stability(values, window)
        for k, shift in enumerate(shift_steps):
            out[f"adaptation_time/{name}/{k}"] = adaptation_time(
                steps, values, shift, bounds[k + 1], window
            )
    return out
