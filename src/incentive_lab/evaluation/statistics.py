"""Aggregate scores across seeds with stratified-bootstrap confidence intervals.

Seeds are the replication unit. A *score array* is ``float64[n_seeds]`` (one scenario) or
``float64[n_seeds, n_tasks]`` (several scenarios, "tasks", each run with the same number of
seeds), following Agarwal et al. (2021), *Deep RL at the Edge of the Statistical Precipice*
(NeurIPS), and its library rliable. Every aggregate pools all ``n_seeds · n_tasks`` entries.

Aggregates
    ``mean``; ``median``; ``standard_error`` (sample standard deviation with ``ddof=1``
    over ``√n``); ``iqm``, the interquartile mean. For ``n`` sorted values
    ``x_(0) ≤ … ≤ x_(n−1)`` the IQM here is the mean over the middle half *with fractional
    weights*: value ``x_(i)`` occupies the position interval ``[i, i+1)`` and is weighted
    by its overlap with ``[n/4, 3n/4]``::

        w_i = clip(min(i+1, 3n/4) − max(i, n/4), 0, 1),   IQM = Σ w_i x_(i) / (n/2)

    so ``[1, 2, 3, 4] → 2.5`` and for ``n = 5`` the weights are ``(0, ¾, 1, ¾, 0)``. This is
    the textbook interquartile mean; rliable computes ``scipy.stats.trim_mean(x, 0.25)``,
    which instead drops ``⌊n/4⌋`` values from each end (the two agree when ``4 | n``).
    ``iqm(..., method="trimmed")`` gives rliable's value.

Stratified bootstrap (``bootstrap_ci``)
    Each resample draws ``n_seeds`` seeds with replacement *independently within every task*,
    recomputes the statistic, and the CI is read off the ``n_resamples`` statistics:
    ``percentile`` (default; ``[α/2, 1−α/2]`` quantiles) or ``bca`` (bias-corrected and
    accelerated, Efron 1987; the acceleration comes from a jackknife that leaves out one seed
    row across all tasks). A custom statistic is a callable
    ``float64[B, n_seeds, n_tasks] → float64[B]``. All randomness comes from the ``rng``
    argument, so a seeded ``numpy.random.Generator`` gives identical intervals.

Intervals over seeds in tables (``seed_mean_ci``)
    The interval of every estimate the package prints for a sweep point — ``incentive-lab
    show`` / ``Results.aggregate`` (``experiments.execution.results.aggregate``) and the HTML
    report and its ``report.json`` (``evaluation.report.analysis.final_stats``) — is this one
    method: the mean over seeds (values in seed-index order), a 95% ``percentile`` interval
    from ``n_resamples = 2000`` resamples of the seeds, drawn from a generator freshly seeded
    with ``seed`` (0 unless given) for each row, so a row's interval does not depend on which
    other rows are shown and ``show`` and the report print the same ``mean [low, high]`` for
    the same runs. One seed gives the zero-width interval ``[x, x]``. A percentile interval
    never leaves the range of the seed values (two seeds: exactly ``[min, max]``), so with
    few seeds it is too narrow: :func:`interval_warnings` says so below :data:`MIN_SEEDS`.

Paired comparison (``paired_difference``)
    Common-random-number runs (seed ``k`` of mechanism X and of mechanism Y share their
    random streams) are compared through the per-seed differences ``d = x − y``: the estimate
    is ``mean(d)`` and its CI bootstraps seed rows of ``d`` (pairs stay together).

Probability of improvement lives in ``evaluation.improvement``; tables over long-form
results in ``evaluation.seed_table``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import special

from incentive_lab.core.errors import ConfigError
from incentive_lab.core.types import FloatArray

Statistic = Callable[[FloatArray], FloatArray]
"""A vectorised statistic: ``float64[B, n_seeds, n_tasks] → float64[B]``."""

IqmMethod = Literal["fractional", "trimmed"]
CiMethod = Literal["percentile", "bca"]


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its confidence interval."""

    value: float
    """The statistic on the observed data."""
    ci_low: float
    """Lower end of the confidence interval."""
    ci_high: float
    """Upper end of the confidence interval."""


def as_scores(scores: FloatArray | list[float], field: str = "scores") -> FloatArray:
    """Validate a score array into ``float64[n_seeds, n_tasks]`` (1-D means one task)."""
    array = np.asarray(scores, dtype=np.float64)
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2 or array.shape[0] == 0 or array.shape[1] == 0:
        raise ConfigError(
            field, np.shape(scores), "a non-empty array float64[n_seeds] or [n_seeds, n_tasks]"
        )
    if not np.all(np.isfinite(array)):
        raise ConfigError(field, "non-finite values", "finite numbers (no NaN or infinity)")
    return array


# -- vectorised kernels: float64[..., n_seeds, n_tasks] → float64[...] ---------------------
def _flat(x: FloatArray) -> FloatArray:
    return x.reshape(*x.shape[:-2], x.shape[-2] * x.shape[-1])


def _mean_kernel(x: FloatArray) -> FloatArray:
    return _flat(x).mean(axis=-1)


def _median_kernel(x: FloatArray) -> FloatArray:
    return np.median(_flat(x), axis=-1)


def iqm_weights(n: int) -> FloatArray:
    """Fractional interquartile weights ``float64[n]`` of the sorted values (sum ``n/2``)."""
    i = np.arange(n, dtype=np.float64)
    return np.clip(np.minimum(i + 1, 0.75 * n) - np.maximum(i, 0.25 * n), 0.0, 1.0)


def _iqm_kernel(x: FloatArray) -> FloatArray:
    flat = np.sort(_flat(x), axis=-1)
    n = flat.shape[-1]
    return flat @ iqm_weights(n) / (n / 2.0)


def _trimmed_kernel(x: FloatArray) -> FloatArray:
    flat = np.sort(_flat(x), axis=-1)
    cut = int(0.25 * flat.shape[-1])
    return flat[..., cut : flat.shape[-1] - cut].mean(axis=-1)


STATISTICS: dict[str, Statistic] = {
    "mean": _mean_kernel,
    "median": _median_kernel,
    "iqm": _iqm_kernel,
    "trimmed_iqm": _trimmed_kernel,
}
"""Named vectorised statistics accepted by :func:`bootstrap_ci`."""


def mean(scores: FloatArray | list[float]) -> float:
    """Mean of all entries of ``float64[n_seeds]`` or ``[n_seeds, n_tasks]``."""
    return float(_mean_kernel(as_scores(scores)))


def median(scores: FloatArray | list[float]) -> float:
    """Median of all entries of ``float64[n_seeds]`` or ``[n_seeds, n_tasks]``."""
    return float(_median_kernel(as_scores(scores)))


def iqm(scores: FloatArray | list[float], method: IqmMethod = "fractional") -> float:
    """Interquartile mean of all entries (module docstring for the two ``method`` values)."""
    kernel = {"fractional": _iqm_kernel, "trimmed": _trimmed_kernel}.get(method)
    if kernel is None:
        raise ConfigError("method", method, "allowed: fractional, trimmed")
    return float(kernel(as_scores(scores)))


def standard_error(scores: FloatArray | list[float]) -> float:
    """Standard error of the mean, ``std(ddof=1)/√n`` over all entries (0 for one entry)."""
    flat = as_scores(scores).reshape(-1)
    if flat.size < 2:
        return 0.0
    return float(flat.std(ddof=1) / np.sqrt(flat.size))


# -- stratified bootstrap -------------------------------------------------------------------
def _resolve(statistic: str | Statistic) -> Statistic:
    if callable(statistic):
        return statistic
    if statistic not in STATISTICS:
        raise ConfigError("statistic", statistic, f"allowed: {', '.join(sorted(STATISTICS))}")
    return STATISTICS[statistic]


def stratified_resamples(
    scores: FloatArray, n_resamples: int, rng: np.random.Generator
) -> FloatArray:
    """Resamples ``float64[B, n_seeds, n_tasks]`` of ``scores`` (seeds drawn per task)."""
    n_seeds, n_tasks = scores.shape
    rows = rng.integers(0, n_seeds, size=(n_resamples, n_seeds, n_tasks))
    return scores[rows, np.arange(n_tasks)]


def _check_ci_args(confidence: float, n_resamples: int) -> None:
    if not 0.0 < confidence < 1.0:
        raise ConfigError("confidence", confidence, "a number strictly between 0 and 1")
    if n_resamples < 1:
        raise ConfigError("n_resamples", n_resamples, "a positive integer")


def _bca_interval(
    scores: FloatArray, kernel: Statistic, point: float, boot: FloatArray, alpha: float
) -> tuple[float, float]:
    """BCa quantiles of ``boot`` (jackknife over seed rows for the acceleration)."""
    n_seeds = scores.shape[0]
    if n_seeds < 2:
        return float(boot.min()), float(boot.max())
    leave_one_out = np.nonzero(~np.eye(n_seeds, dtype=bool))[1].reshape(n_seeds, n_seeds - 1)
    jack = kernel(scores[leave_one_out])
    below = np.mean(boot < point) + 0.5 * np.mean(boot == point)
    z0 = special.ndtri(np.clip(below, 1e-12, 1 - 1e-12))
    dev = jack.mean() - jack
    denominator = 6.0 * np.sum(dev**2) ** 1.5
    accel = np.sum(dev**3) / denominator if denominator > 0 else 0.0
    z = special.ndtri(np.array([alpha / 2, 1 - alpha / 2]))
    adjusted = special.ndtr(z0 + (z0 + z) / (1 - accel * (z0 + z)))
    low, high = np.quantile(boot, np.nan_to_num(adjusted, nan=0.5))
    return float(low), float(high)


def bootstrap_ci(
    scores: FloatArray | list[float],
    rng: np.random.Generator,
    statistic: str | Statistic = "mean",
    *,
    confidence: float = 0.95,
    n_resamples: int = 2000,
    method: CiMethod = "percentile",
) -> Estimate:
    """Statistic of ``scores`` (``float64[n_seeds]`` or ``[n_seeds, n_tasks]``) with its CI.

    ``statistic`` is a name of :data:`STATISTICS` or a vectorised callable
    ``float64[B, n_seeds, n_tasks] → float64[B]``; seeds are resampled within each task.
    """
    data = as_scores(scores)
    _check_ci_args(confidence, n_resamples)
    kernel = _resolve(statistic)
    point = float(kernel(data[None])[0])
    boot = np.asarray(kernel(stratified_resamples(data, n_resamples, rng)), dtype=np.float64)
    alpha = 1.0 - confidence
    if method == "percentile":
        low, high = np.quantile(boot, [alpha / 2, 1 - alpha / 2])
        return Estimate(point, float(low), float(high))
    if method == "bca":
        low, high = _bca_interval(data, kernel, point, boot, alpha)
        return Estimate(point, low, high)
    raise ConfigError("method", method, "allowed: percentile, bca")


DEFAULT_SEED = 0
"""Seed of the bootstrap generator when none is given (``show``, the report)."""
DEFAULT_RESAMPLES = 2000
"""Bootstrap resamples of every interval the package shows."""


def seed_mean_ci(
    scores: FloatArray | list[float],
    *,
    seed: int = DEFAULT_SEED,
    confidence: float = 0.95,
    n_resamples: int = DEFAULT_RESAMPLES,
) -> Estimate:
    """Mean over seeds with its stratified percentile bootstrap CI (module docstring).

    The interval of one table row: :func:`bootstrap_ci` of the mean with a generator freshly
    seeded with ``seed``.
    """
    return bootstrap_ci(
        scores,
        np.random.default_rng(seed),
        "mean",
        confidence=confidence,
        n_resamples=n_resamples,
    )


def paired_difference(
    x: FloatArray | list[float],
    y: FloatArray | list[float],
    rng: np.random.Generator,
    *,
    confidence: float = 0.95,
    n_resamples: int = 2000,
) -> Estimate:
    """Mean paired difference ``mean(x − y)`` of common-random-number runs, with its CI.

    ``x`` and ``y`` have the same shape ``float64[n_seeds]`` or ``[n_seeds, n_tasks]``; row
    ``k`` of both comes from seed index ``k``. Seed rows of the differences are resampled.
    """
    xs, ys = as_scores(x, "x"), as_scores(y, "y")
    if xs.shape != ys.shape:
        raise ConfigError("y", ys.shape, f"the same shape as x {xs.shape} (paired seeds)")
    return bootstrap_ci(xs - ys, rng, "mean", confidence=confidence, n_resamples=n_resamples)


MIN_SEEDS = 5
"""Fewer seeds than this get a warning: the intervals are not to be trusted."""


def interval_warnings(n_seeds: int) -> list[str]:
    """Warnings about the intervals of a sample of ``n_seeds`` seeds (empty when fine).

    One seed has no interval at all; below :data:`MIN_SEEDS` the percentile bootstrap is
    unreliable: it never leaves the range of the seed values (two seeds: exactly
    ``[min, max]``), so it is too narrow, and a paired comparison has few distinct resamples.
    """
    if n_seeds < 2:
        return [
            f"{n_seeds} seed: no confidence interval can be computed; every interval shown "
            "has zero width. Run at least 5 seeds."
        ]
    if n_seeds < MIN_SEEDS:
        return [
            f"only {n_seeds} seeds (fewer than {MIN_SEEDS}): the percentile bootstrap "
            "interval cannot leave the range of the seed values and is too narrow; treat "
            "every interval and verdict as provisional. Run at least 5 seeds."
        ]
    return []
