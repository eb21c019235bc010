"""Aggregates across scenarios, after Agarwal et al. (2021) and their library rliable.

R. Agarwal, M. Schwarzer, P. S. Castro, A. Courville, M. G. Bellemare, *Deep Reinforcement
Learning at the Edge of the Statistical Precipice* (NeurIPS 2021). A score array is
``float64[n_runs, n_tasks]`` (runs = seeds, tasks = scenarios), of *normalised* scores so
that tasks are comparable (:func:`normalise`). The definitions are rliable's
(``rliable.metrics``), written here with NumPy/SciPy because rliable itself does not
install next to pandas 3:

* ``iqm`` — ``scipy.stats.trim_mean(x, 0.25)`` over all ``n_runs·n_tasks`` scores (the
  bottom and top 25 % of runs dropped, ``⌊N/4⌋`` each);
* ``median`` — the median over tasks of the mean score of each task;
* ``mean`` — the mean over tasks of the mean score of each task;
* ``optimality_gap`` — ``γ − mean(min(x, γ))`` with ``γ = 1``: how far below the target
  the runs fall on average (lower is better);
* performance profile (``score distribution``) — ``τ ↦`` the fraction of all runs whose
  score exceeds ``τ``;
* probability of improvement ``P(X > Y)`` — per task the Mann–Whitney
  ``U / (n·m)`` (ties count ½), averaged over tasks
  (:mod:`incentive_lab.evaluation.improvement`).

Every interval is a 95% percentile **stratified bootstrap**: runs are resampled with
replacement within each task (``evaluation.statistics.stratified_resamples``), 2000
resamples by default; for the probability of improvement the runs of X and of Y are
resampled independently. All randomness comes from the ``rng`` argument.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from incentive_lab.core.errors import ConfigError
from incentive_lab.core.types import FloatArray
from incentive_lab.evaluation.improvement import probability_of_improvement_ci
from incentive_lab.evaluation.statistics import (
    Estimate,
    as_scores,
    bootstrap_ci,
    stratified_resamples,
)

GAMMA = 1.0
"""Target of the optimality gap (a normalised score of 1)."""


def _iqm_kernel(x: FloatArray) -> FloatArray:
    flat = x.reshape(*x.shape[:-2], -1)
    return np.asarray(stats.trim_mean(flat, 0.25, axis=-1), dtype=np.float64)


def _median_kernel(x: FloatArray) -> FloatArray:
    return np.asarray(np.median(x.mean(axis=-2), axis=-1), dtype=np.float64)


def _mean_kernel(x: FloatArray) -> FloatArray:
    return np.asarray(x.mean(axis=-2).mean(axis=-1), dtype=np.float64)


def _gap_kernel(x: FloatArray) -> FloatArray:
    flat = np.minimum(x.reshape(*x.shape[:-2], -1), GAMMA)
    return np.asarray(GAMMA - flat.mean(axis=-1), dtype=np.float64)


KERNELS = {
    "iqm": _iqm_kernel,
    "median": _median_kernel,
    "mean": _mean_kernel,
    "optimality_gap": _gap_kernel,
}
"""The aggregate metrics, vectorised ``float64[..., n_runs, n_tasks] → float64[...]``."""


def aggregate(scores: FloatArray, name: str) -> float:
    """One aggregate (a key of :data:`KERNELS`) of ``float64[n_runs, n_tasks]``."""
    if name not in KERNELS:
        raise ConfigError("aggregate", name, f"allowed: {', '.join(KERNELS)}")
    return float(KERNELS[name](as_scores(scores)[None])[0])


def aggregate_table(
    scores: Mapping[str, FloatArray],
    rng: np.random.Generator,
    *,
    n_resamples: int = 2000,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """``candidate, aggregate, value, ci_low, ci_high`` for every candidate and aggregate."""
    rows = []
    for candidate, values in scores.items():
        data = as_scores(values, f"scores[{candidate!r}]")
        for name, kernel in KERNELS.items():
            est = bootstrap_ci(data, rng, kernel, n_resamples=n_resamples, confidence=confidence)
            rows.append((candidate, name, est.value, est.ci_low, est.ci_high))
    return pd.DataFrame(rows, columns=["candidate", "aggregate", "value", "ci_low", "ci_high"])


def performance_profile(scores: FloatArray, taus: Sequence[float] | FloatArray) -> FloatArray:
    """``float64[len(taus)]``: the fraction of all runs with a score above each ``τ``."""
    data = as_scores(scores)
    return (data.reshape(-1)[None, :] > np.asarray(taus, float)[:, None]).mean(axis=1)


def performance_profile_ci(
    scores: FloatArray,
    taus: Sequence[float] | FloatArray,
    rng: np.random.Generator,
    *,
    n_resamples: int = 2000,
    confidence: float = 0.95,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """The profile with pointwise stratified-bootstrap percentile bands ``(value, low, high)``."""
    data = as_scores(scores)
    t = np.asarray(taus, dtype=np.float64)
    boot = stratified_resamples(data, n_resamples, rng).reshape(n_resamples, -1)
    above = (boot[:, None, :] > t[None, :, None]).mean(axis=2)
    alpha = 1.0 - confidence
    low, high = np.quantile(above, [alpha / 2, 1 - alpha / 2], axis=0)
    return performance_profile(data, t), low, high


def improvement_pairs(
    scores: Mapping[str, FloatArray],
    rng: np.random.Generator,
    *,
    n_resamples: int = 2000,
) -> pd.DataFrame:
    """``x, y, probability, ci_low, ci_high``: ``P(x > y)`` for every ordered pair ``x ≠ y``."""
    names = list(scores)
    rows = []
    for x in names:
        for y in names:
            if x == y:
                continue
            est: Estimate = probability_of_improvement_ci(
                scores[x], scores[y], rng, n_resamples=n_resamples
            )
            rows.append((x, y, est.value, est.ci_low, est.ci_high))
    return pd.DataFrame(rows, columns=["x", "y", "probability", "ci_low", "ci_high"])


def normalise(values: FloatArray, low: float, high: float) -> FloatArray:
    """Min–max normalised scores ``(x − low)/(high − low)`` (all 0 when ``high = low``)."""
    x = np.asarray(values, dtype=np.float64)
    span = high - low
    return np.zeros_like(x) if span <= 0 else (x - low) / span


def task_scores(
    frame: pd.DataFrame, task_col: str, candidate_col: str, seed_col: str, value_col: str
) -> dict[str, FloatArray]:
    """Candidate → normalised ``float64[n_runs, n_tasks]`` from long-form rows.

    Per task, scores are min–max normalised between the lowest and the highest candidate
    *mean* (0 = the worst candidate, 1 = the best; higher is better). Only candidates present
    in every task and the seed indices every (candidate, task) has are kept.
    """
    tasks = list(dict.fromkeys(frame[task_col]))
    pivot = frame.pivot_table(
        index=[candidate_col, seed_col], columns=task_col, values=value_col, aggfunc="mean"
    )
    out: dict[str, FloatArray] = {}
    candidates = [c for c in dict.fromkeys(frame[candidate_col])]
    per = {c: pivot.loc[c][tasks].dropna() for c in candidates if c in pivot.index}
    per = {c: t for c, t in per.items() if not t.empty}
    if not per:
        return out
    seeds = sorted(set.intersection(*(set(t.index) for t in per.values())))
    if not seeds:
        return out
    means = pd.DataFrame({c: t.loc[seeds].mean(axis=0) for c, t in per.items()})
    low, high = means.min(axis=1), means.max(axis=1)
    for c, table in per.items():
        data = table.loc[seeds].to_numpy(dtype=np.float64)
        out[c] = np.column_stack(
            [normalise(data[:, k], float(low[t]), float(high[t])) for k, t in enumerate(tasks)]
        )
    return out
