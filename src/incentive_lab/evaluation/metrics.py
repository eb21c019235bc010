"""Outcome metrics: pure functions over per-agent arrays of one recorded window.

The recorder (:mod:`incentive_lab.evaluation.recorder`) sums per-agent quantities over a
window of ``T`` steps; these functions turn the sums into the stable metric names (listed in
the README). Shapes: ``n`` agents; every ``*_sum`` argument is ``float64[n]`` (summed over
the window's steps), ``cooperations`` is ``int64[n]`` (steps each agent cooperated).

Per-agent per-step means ``x_i = base_sum_i / T`` give:

* ``social_welfare`` = ``Σ_i x_i`` — total base reward per step (never shaped rewards);
* ``mean_reward`` = ``mean_i x_i``; ``min_reward`` = ``min_i x_i``;
* ``gini`` = :func:`gini` of ``x``;
* ``cooperation_rate`` = fraction of (agent, step) pairs playing the cooperative action;
* money, per step (transfers are what the designer pays, ``+``, or collects, ``−``):
  ``incentive_spend`` = ``Σ`` of the positive transfers (paid out: subsidies, payments);
  ``incentive_collected`` = ``Σ`` of the negated negative transfers (collected: fines, taxes,
  tolls, auction payments); ``net_transfer`` = ``Σ_i`` transfers = spend − collected
  (positive: the designer pays out on net). An auction's revenue is the collected money; the
  auction rules also report it as the diagnostic ``mechanism/revenue``;
* ``incentive_cost`` = the cost the mechanism declares per step, by default the gross volume
  ``Σ|t_i|`` = spend + collected. Kept under this name because stored runs, MechBench
  budgets and the design search's budget use it; it is *not* the designer's spend (it
  counts fines collected and auction revenue too);
* ``mean_shaped_reward`` = mean shaped reward per agent per step (what learners optimised).

**Gini for signed rewards.** Rewards may be negative, where the textbook Gini breaks (it can
leave ``[0, 1]`` or divide by a zero mean). We use the mean absolute difference normalised by
the mean absolute value::

    G(x) = Σ_i Σ_j |x_i − x_j| / (2 n Σ_i |x_i|),     G = 0 when every x_i = 0.

For non-negative ``x`` this *is* the usual Gini. It lies in ``[0, 1]`` because
``|x_i − x_j| ≤ |x_i| + |x_j|``, is 0 exactly when all values are equal, and is invariant
under scaling by any ``c ≠ 0`` (but, like every Gini, not under shifts). Computed in
``O(n log n)`` from the gaps of the ascending sort ``x_(0) ≤ … ≤ x_(n−1)``::

    Σ_i Σ_j |x_i − x_j| = 2 Σ_{k=1}^{n−1} k (n − k) (x_(k) − x_(k−1)),

a sum of non-negative terms (each gap is crossed by ``k (n − k)`` ordered pairs), so the
result is never negative through cancellation and is positive whenever two values differ.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from incentive_lab.core.types import FloatArray, IntArray

METRIC_NAMES = (
    "social_welfare",
    "mean_reward",
    "cooperation_rate",
    "gini",
    "min_reward",
    "incentive_cost",
    "net_transfer",
    "mean_shaped_reward",
    "incentive_spend",
    "incentive_collected",
)
"""The stable names of the core metrics, in the order they are emitted."""


def gini(values: FloatArray) -> float:
    """Gini index of ``float64[n]`` values, defined for signed values (module docstring)."""
    x = np.sort(np.asarray(values, dtype=np.float64).reshape(-1))
    n = x.shape[0]
    if n == 0 or x[0] == x[-1]:
        return 0.0
    k = np.arange(1, n, dtype=np.float64)
    value = float((k * (n - k)) @ np.diff(x)) / (n * float(np.abs(x).sum()))
    return min(value, 1.0)


def gini_naive(values: FloatArray) -> float:
    """The ``O(n²)`` definition of :func:`gini`, for tests and documentation."""
    x = np.asarray(values, dtype=np.float64).reshape(-1)
    scale = float(np.abs(x).sum())
    if scale == 0.0:
        return 0.0
    return float(np.abs(x[:, None] - x[None, :]).sum() / (2 * x.shape[0] * scale))


def window_metrics(
    base_sum: FloatArray,
    shaped_sum: FloatArray,
    transfer_sum: FloatArray,
    cooperations: IntArray | None,
    cost_sum: float,
    steps: int,
    *,
    spend_sum: float | None = None,
    collected_sum: float | None = None,
) -> dict[str, float]:
    """The core metrics of one window of ``steps`` steps (see the module docstring).

    ``cooperations`` is ``None`` when the game has no cooperative action; then
    ``cooperation_rate`` is omitted. ``spend_sum`` / ``collected_sum`` are the window's sums
    of positive / negated negative per-agent per-step transfers; ``None`` derives them from
    ``transfer_sum`` (exact only when no agent is both paid and charged within the window).
    """
    mean_base = base_sum / steps
    out = {"social_welfare": float(mean_base.sum()), "mean_reward": float(mean_base.mean())}
    if cooperations is not None:
        out["cooperation_rate"] = float(cooperations.sum()) / (steps * cooperations.shape[0])
    out["gini"] = gini(mean_base)
    out["min_reward"] = float(mean_base.min())
    out["incentive_cost"] = cost_sum / steps
    out["net_transfer"] = float(transfer_sum.sum()) / steps
    out["mean_shaped_reward"] = float(shaped_sum.mean()) / steps
    if spend_sum is None:
        spend_sum = float(np.clip(transfer_sum, 0.0, None).sum())
    if collected_sum is None:
        collected_sum = float(np.clip(-transfer_sum, 0.0, None).sum())
    out["incentive_spend"] = spend_sum / steps
    out["incentive_collected"] = collected_sum / steps
    return out


def summarise(rows: Iterable[tuple[int, str, float]], fraction: float) -> dict[str, float]:
    """Each metric's mean over its last ``fraction`` of records (at least one record).

    ``rows``: ``(step, name, value)`` in recording order. With ``R`` records of a metric the
    summary averages the last ``max(1, ceil(fraction · R))`` of them.
    """
    series: dict[str, list[float]] = {}
    for _, name, value in rows:
        series.setdefault(name, []).append(value)
    out = {}
    for name, values in series.items():
        k = max(1, math.ceil(fraction * len(values) - 1e-9))
        out[name] = float(np.mean(values[-k:]))
    return out
