"""Long-form results → one row per (group, metric) with seed statistics and CIs.

Input is a long-form DataFrame with one row per (group, [task], seed, metric), e.g. the
experiments summary table ``run_id, seed_index, name, value`` plus flattened sweep-point
columns. ``group_cols`` name what is compared (a mechanism, a sweep point, or both);
``task_cols`` optionally name scenarios that are pooled *within* a group with a stratified
bootstrap (seeds resampled inside each task, ``evaluation.statistics``). Within a group and
metric every task must have the same seed indices (a rectangular ``[n_seeds, n_tasks]``
score array), otherwise a :class:`~incentive_lab.core.errors.ConfigError` names the group.

Output columns: ``<group_cols>, metric, mean, ci_low, ci_high, iqm, n`` where ``ci_*`` is
the stratified percentile bootstrap CI of the mean and ``n`` the number of seeds.

``score_summary`` does the same for scores already in arrays, a dict
``mechanism → float64[n_seeds]`` (or ``[n_seeds, n_tasks]``), with a CI for every statistic.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from incentive_lab.core.errors import ConfigError
from incentive_lab.core.types import FloatArray
from incentive_lab.evaluation.statistics import as_scores, bootstrap_ci, iqm


def score_array(
    rows: pd.DataFrame,
    task_cols: Sequence[str] = (),
    seed_col: str = "seed_index",
    value_col: str = "value",
) -> np.ndarray:
    """Pivot the rows of one group and metric into ``float64[n_seeds, n_tasks]``."""
    if not task_cols:
        if seed_col not in rows:
            return rows[value_col].to_numpy(dtype=np.float64)[:, None]
        if rows[seed_col].duplicated().any():
            raise ConfigError(
                seed_col,
                rows[seed_col].tolist(),
                "one row per seed in each group and metric (name the scenario columns in "
                "task_cols or add them to group_cols)",
            )
        ordered = rows.sort_values(seed_col, kind="stable")
        return ordered[value_col].to_numpy(dtype=np.float64)[:, None]
    table = rows.pivot_table(
        index=seed_col, columns=list(task_cols), values=value_col, aggfunc="mean", dropna=False
    )
    counts = rows.groupby([seed_col, *task_cols]).size()
    if table.isna().to_numpy().any() or (counts > 1).any():
        raise ConfigError(
            "task_cols",
            list(task_cols),
            "exactly one value per (seed, task): every task needs the same seeds",
        )
    return table.to_numpy(dtype=np.float64)


def seed_summary(
    frame: pd.DataFrame,
    group_cols: Sequence[str],
    rng: np.random.Generator,
    *,
    task_cols: Sequence[str] = (),
    seed_col: str = "seed_index",
    metric_col: str = "name",
    value_col: str = "value",
    confidence: float = 0.95,
    n_resamples: int = 2000,
) -> pd.DataFrame:
    """Tidy table ``<group_cols>, metric, mean, ci_low, ci_high, iqm, n`` (module docstring).

    Groups and metrics appear in order of first appearance; ``rng`` is consumed in that order.
    """
    needed = [*group_cols, *task_cols, metric_col, value_col]
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise ConfigError("columns", missing, f"columns of the frame: {list(frame.columns)}")
    keys = [*group_cols, metric_col]
    rows = []
    for key, part in frame.groupby(keys, sort=False, dropna=False):
        scores = score_array(part, task_cols, seed_col, value_col)
        est = bootstrap_ci(scores, rng, "mean", confidence=confidence, n_resamples=n_resamples)
        rows.append((*key, est.value, est.ci_low, est.ci_high, iqm(scores), scores.shape[0]))
    columns = [*group_cols, "metric", "mean", "ci_low", "ci_high", "iqm", "n"]
    return pd.DataFrame(rows, columns=columns)


def score_summary(
    scores: Mapping[str, FloatArray | list[float]],
    rng: np.random.Generator,
    statistics: Sequence[str] = ("mean", "iqm"),
    *,
    confidence: float = 0.95,
    n_resamples: int = 2000,
) -> pd.DataFrame:
    """Table ``mechanism, statistic, value, ci_low, ci_high, n`` (dict order, then statistics).

    ``scores`` maps mechanism → ``float64[n_seeds]`` or ``[n_seeds, n_tasks]``; ``statistics``
    are names of ``evaluation.statistics.STATISTICS``.
    """
    rows = []
    for name, values in scores.items():
        data = as_scores(values, f"scores[{name!r}]")
        for statistic in statistics:
            est = bootstrap_ci(data, rng, statistic, confidence=confidence, n_resamples=n_resamples)
            rows.append((name, statistic, est.value, est.ci_low, est.ci_high, data.shape[0]))
    return pd.DataFrame(rows, columns=["mechanism", "statistic", "value", "ci_low", "ci_high", "n"])
