"""Probability of improvement between mechanisms, with stratified-bootstrap CIs.

For scores ``x`` of mechanism X and ``y`` of mechanism Y on one task (``float64[n]`` and
``float64[m]``, one entry per seed), the probability that a random run of X beats a random run
of Y, ties counting one half, is the Mann–Whitney estimate::

    P(X > Y) = 1/(n·m) Σ_i Σ_k ( [x_i > y_k] + ½ [x_i = y_k] ) = (R_X − n(n+1)/2) / (n·m)

where ``R_X`` is the rank sum of ``x`` in the pooled sample with average ranks for ties. With
several tasks (``float64[n, n_tasks]`` and ``float64[m, n_tasks]``) the per-task estimates are
averaged, as in Agarwal et al. (2021) and rliable's ``probability_of_improvement``. Hence
``P(X > Y) + P(Y > X) = 1`` and ``P(X > X) = ½``.

The CI resamples the seeds of X and of Y independently within every task (rliable's
``StratifiedIndependentBootstrap``) and takes percentiles. An improvement is *statistically
clear* at the chosen confidence when the CI lies entirely above ½.

Functions take a dict ``mechanism → float64[n_seeds]`` (or ``[n_seeds, n_tasks]``) where a
table is wanted and return pandas DataFrames ready for the report.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats

from incentive_lab.core.errors import ConfigError, unknown_choice
from incentive_lab.core.types import FloatArray
from incentive_lab.evaluation.statistics import Estimate, as_scores, stratified_resamples


def _improvement_kernel(x: FloatArray, y: FloatArray) -> FloatArray:
    """``P(X > Y)`` for batches ``float64[..., n, T]`` and ``[..., m, T]`` → ``float64[...]``."""
    n, m = x.shape[-2], y.shape[-2]
    ranks = stats.rankdata(np.concatenate([x, y], axis=-2), method="average", axis=-2)
    rank_sum = ranks[..., :n, :].sum(axis=-2)
    per_task = (rank_sum - n * (n + 1) / 2.0) / (n * m)
    return np.asarray(per_task.mean(axis=-1), dtype=np.float64)


def _pair(x: FloatArray | list[float], y: FloatArray | list[float]) -> tuple[FloatArray, ...]:
    xs, ys = as_scores(x, "x"), as_scores(y, "y")
    if xs.shape[1] != ys.shape[1]:
        raise ConfigError("y", ys.shape, f"the same number of tasks as x ({xs.shape[1]})")
    return xs, ys


def probability_of_improvement(x: FloatArray | list[float], y: FloatArray | list[float]) -> float:
    """``P(X > Y) + ½ P(X = Y)`` averaged over tasks (shapes ``[n(, T)]`` and ``[m(, T)]``)."""
    xs, ys = _pair(x, y)
    return float(_improvement_kernel(xs, ys))


def probability_of_improvement_ci(
    x: FloatArray | list[float],
    y: FloatArray | list[float],
    rng: np.random.Generator,
    *,
    confidence: float = 0.95,
    n_resamples: int = 2000,
) -> Estimate:
    """:func:`probability_of_improvement` with a percentile CI (independent stratified resamples).

    Draws the resamples of ``x`` before those of ``y`` from ``rng``.
    """
    xs, ys = _pair(x, y)
    if not 0.0 < confidence < 1.0:
        raise ConfigError("confidence", confidence, "a number strictly between 0 and 1")
    if n_resamples < 1:
        raise ConfigError("n_resamples", n_resamples, "a positive integer")
    point = float(_improvement_kernel(xs, ys))
    boot = _improvement_kernel(
        stratified_resamples(xs, n_resamples, rng), stratified_resamples(ys, n_resamples, rng)
    )
    alpha = 1.0 - confidence
    low, high = np.quantile(boot, [alpha / 2, 1 - alpha / 2])
    return Estimate(point, float(low), float(high))


def improvement_matrix(scores: Mapping[str, FloatArray | list[float]]) -> pd.DataFrame:
    """Square table ``P(row > column)`` over all mechanisms (diagonal ½).

    ``scores`` maps mechanism → ``float64[n_seeds]`` or ``[n_seeds, n_tasks]`` (same
    ``n_tasks`` for all). Rows and columns follow the dict's order.
    """
    names = list(scores)
    data = {name: as_scores(scores[name], f"scores[{name!r}]") for name in names}
    matrix = np.full((len(names), len(names)), 0.5)
    for i, a in enumerate(names):
        for j in range(i + 1, len(names)):
            p = probability_of_improvement(data[a], data[names[j]])
            matrix[i, j], matrix[j, i] = p, 1.0 - p
    return pd.DataFrame(matrix, index=pd.Index(names), columns=pd.Index(names))


def improvement_over_baseline(
    scores: Mapping[str, FloatArray | list[float]],
    baseline: str,
    rng: np.random.Generator,
    *,
    confidence: float = 0.95,
    n_resamples: int = 2000,
) -> pd.DataFrame:
    """``P(mechanism > baseline)`` with CIs for every other mechanism, in the dict's order.

    Columns ``mechanism, baseline, probability, ci_low, ci_high, clear`` where ``clear`` is
    ``"better"`` if ``ci_low > ½``, ``"worse"`` if ``ci_high < ½``, else ``"unclear"``.
    """
    if baseline not in scores:
        raise unknown_choice("baseline", baseline, scores)
    rows = []
    for name, values in scores.items():
        if name == baseline:
            continue
        est = probability_of_improvement_ci(
            values, scores[baseline], rng, confidence=confidence, n_resamples=n_resamples
        )
        verdict = "better" if est.ci_low > 0.5 else "worse" if est.ci_high < 0.5 else "unclear"
        rows.append((name, baseline, est.value, est.ci_low, est.ci_high, verdict))
    columns = ["mechanism", "baseline", "probability", "ci_low", "ci_high", "clear"]
    return pd.DataFrame(rows, columns=columns)
