"""Results of an experiment, read back from the store as pandas DataFrames.

:class:`Results` is what ``incentive_lab.run`` returns: a handle on the database file and the
experiment, never a copy of the data, so a notebook can re-open it after a crash. Its tables
are long form; the sweep point of each run is flattened into one column per swept path
(``mechanism``, ``game.params.r_c``) so ``groupby`` works directly.

:func:`aggregate` reduces seeds (the replication unit) per sweep point and metric to
``n, mean, std, ci_low, ci_high``: the mean with the report's 95% stratified percentile
bootstrap interval (``evaluation.statistics.seed_mean_ci`` of the values in seed-index
order: 2000 resamples of the seeds, generator seeded with ``seed``, default 0; zero width
when n = 1) — the interval the report prints for the same runs. ``std`` is the sample
standard deviation over seeds.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from incentive_lab.core.errors import ConfigError, unknown_choice
from incentive_lab.experiments.config.records import canonical_json
from incentive_lab.experiments.execution.reporting import report_results
from incentive_lab.experiments.execution.store import RunStore


def _label(value: Any) -> Any:
    """A hashable, readable cell for a point coordinate (specs become their id or JSON)."""
    if isinstance(value, dict):
        params = value.get("params")
        if "id" in value and not params:
            return str(value["id"])
        return canonical_json(value)
    if isinstance(value, list):
        return canonical_json(value)
    return value


def point_columns(frame: pd.DataFrame) -> list[str]:
    """Names of the flattened point columns, in first-seen order."""
    return list(frame.attrs.get("point_columns", []))


def flatten_points(frame: pd.DataFrame) -> pd.DataFrame:
    """Replace the JSON ``point`` column by one column per swept path."""
    if "point" not in frame.columns:
        return frame
    points = [json.loads(raw) if isinstance(raw, str) else dict(raw) for raw in frame["point"]]
    keys: list[str] = []
    for point in points:
        keys.extend(key for key in point if key not in keys)
    out = frame.drop(columns=["point"])
    position = list(frame.columns).index("point")
    for offset, key in enumerate(keys):
        column = [_label(point.get(key)) for point in points]
        out.insert(position + offset, key, pd.Series(column, index=frame.index, dtype=object))
    out.attrs["point_columns"] = keys
    return out


def _sort_key(value: Any) -> tuple[int, float, str]:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (0, float(value), "")
    return (1, 0.0, str(value))


def sort_by_points(frame: pd.DataFrame) -> pd.DataFrame:
    """Stable sort on the point columns (numbers numerically); for small tables."""
    columns = point_columns(frame)
    if not columns or frame.empty:
        return frame
    keys = [tuple(_sort_key(v) for v in row) for row in frame[columns].itertuples(index=False)]
    order = sorted(range(len(frame)), key=keys.__getitem__)
    result = frame.iloc[order].reset_index(drop=True)
    result.attrs["point_columns"] = columns
    return result


def aggregate(summary: pd.DataFrame, confidence: float = 0.95, *, seed: int = 0) -> pd.DataFrame:
    """Mean and bootstrap confidence interval over seeds per (experiment, point, metric).

    ``summary`` is the long form of :meth:`Results.summary`. Returns one row per group with
    columns ``experiment, <point columns>, name, n, mean, std, ci_low, ci_high``; the interval
    is :func:`~incentive_lab.evaluation.statistics.seed_mean_ci` with ``seed``.
    """
    from incentive_lab.evaluation.statistics import seed_mean_ci

    keys = [c for c in ["experiment", *point_columns(summary), "name"] if c in summary.columns]
    rows = []
    for group, part in summary.groupby(keys, sort=False, dropna=False):
        if "seed_index" in part.columns:
            part = part.sort_values("seed_index", kind="stable")
        values = part["value"].to_numpy(dtype=np.float64)
        values = values[np.isfinite(values)]
        n = int(values.size)
        mean = float(values.mean()) if n else float("nan")
        std = float(values.std(ddof=1)) if n > 1 else 0.0
        if n:
            estimate = seed_mean_ci(values, seed=seed, confidence=confidence)
            low, high = estimate.ci_low, estimate.ci_high
        else:
            low = high = float("nan")
        labels = group if isinstance(group, tuple) else (group,)
        rows.append([*labels, n, mean, std, low, high])
    result = pd.DataFrame(rows, columns=[*keys, "n", "mean", "std", "ci_low", "ci_high"])
    result.attrs["point_columns"] = point_columns(summary)
    return result


TABLE_METRICS = (
    "cooperation_rate",
    "social_welfare",
    "incentive_spend",
    "gini",
    "incentive_cost",
    "mean_reward",
)


def main_metrics(names: list[str], limit: int = 4) -> list[str]:
    """The metrics worth a table column: the stable main ones first, else the first few."""
    preferred = [name for name in TABLE_METRICS if name in names]
    return (preferred or sorted(names))[:limit]


@dataclass(frozen=True)
class Results:
    """Handle on one experiment's runs in a store (``db_path``, ``experiment``, ``run_ids``).

    ``run_ids`` restricts the tables to the runs of one call (``None``: every run of the
    experiment in the store).
    """

    db_path: Path
    experiment: str
    run_ids: tuple[str, ...] | None = field(default=None)

    def _select(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Keep this call's runs, in plan order (sweep point by point, then seed)."""
        if self.run_ids is None:
            return frame
        order = {run_id: index for index, run_id in enumerate(self.run_ids)}
        position = frame["run_id"].map(order)
        frame = frame[position.notna()].assign(_plan=position)
        return (
            frame.sort_values("_plan", kind="stable").drop(columns="_plan").reset_index(drop=True)
        )

    def runs(self) -> pd.DataFrame:
        """One row per run: ids, seed, resolved config JSON, status, timings, version."""
        with RunStore(self.db_path, read_only=True) as store:
            return self._select(store.runs(self.experiment))

    def summary(self) -> pd.DataFrame:
        """Long form ``run_id, experiment, <point columns>, seed, seed_index, name, value``."""
        with RunStore(self.db_path, read_only=True) as store:
            return flatten_points(self._select(store.summary(self.experiment)))

    def metrics(self) -> pd.DataFrame:
        """Long form ``run_id, experiment, <point columns>, seed_index, step, name, value``."""
        with RunStore(self.db_path, read_only=True) as store:
            return flatten_points(self._select(store.metrics(self.experiment)))

    def aggregate(self) -> pd.DataFrame:
        """Mean and 95% bootstrap CI over seeds per sweep point and metric (:func:`aggregate`)."""
        return aggregate(self.summary())

    def plot_curves(self, metric: str = "cooperation_rate", ax: Any = None) -> Any:
        """A recorded ``metric`` against the step per sweep point (:mod:`.plots`)."""
        from incentive_lab.experiments.execution import plots

        metrics = self.metrics()
        return plots.curves(metrics, metric, point_columns(metrics), ax)

    def plot_outcomes(self, metric: str = "social_welfare", ax: Any = None) -> Any:
        """Final ``metric`` per sweep point with the bootstrap 95% CI (:mod:`.plots`)."""
        from incentive_lab.experiments.execution import plots

        aggregated = self.aggregate()
        return plots.outcomes(aggregated, metric, point_columns(aggregated), ax)

    def plot_pareto(
        self, x: str = "incentive_spend", y: str = "social_welfare", ax: Any = None
    ) -> Any:
        """Mean cost ``x`` against mean outcome ``y`` per point, front joined (:mod:`.plots`)."""
        from incentive_lab.experiments.execution import plots

        aggregated = self.aggregate()
        return plots.pareto(aggregated, x, y, point_columns(aggregated), ax)[0]

    def report(self, path: str | Path, *, seed: int = 0, **options: Any) -> Path:
        """Write the HTML report (and ``report.json`` beside it) of these runs to ``path``.

        ``options``: ``thresholds``, ``by_mechanism``, ``seed_curves`` of
        ``experiments.execution.reporting.report_results``.
        """
        return report_results([self], path, seed=seed, **options)


def report_store(
    db: str | Path,
    out: str | Path,
    experiments: Sequence[str] | None = None,
    *,
    seed: int = 0,
    thresholds: dict[str, float] | None = None,
) -> Path:
    """Write the report of ``experiments`` (default: all) stored in ``db`` to ``out``.

    ``thresholds``: absolute practical thresholds per objective metric, over the stored
    config's ``report.thresholds`` and the 1 % default (re-judging stored runs).
    """
    with RunStore(db, read_only=True) as store:
        names = store.experiments()
    if not names:
        raise ConfigError("db", str(db), "a store with at least one finished run")
    chosen = list(experiments) if experiments else names
    for name in chosen:
        if name not in names:
            raise unknown_choice("experiment", name, names)
    target = Path(out)
    if target.is_dir():
        raise ConfigError("out", str(target), "a file path for the HTML report, not a directory")
    if not target.parent.is_dir():
        raise ConfigError("out", str(target), "a path whose directory exists")
    if thresholds:
        with RunStore(db, read_only=True) as store:
            known = sorted(set(store.summary(chosen)["name"]))
        for name in thresholds:
            if name not in known:
                raise unknown_choice("--threshold", name, known)
    sources = [Results(Path(db), name) for name in chosen]
    return report_results(sources, target, seed=seed, thresholds=thresholds)
