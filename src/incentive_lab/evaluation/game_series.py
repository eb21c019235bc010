"""Data shaping shared by the game-specific report figures: series, configs, statistics.

A *series* is one sweep point of an experiment (mechanism × other swept values): the unit
a game-specific figure draws one line, bar or marker for. Its label is short and readable:
the mechanism (when several are compared) followed by the other swept values, where a
swept learner list becomes its learner ids (``simul_ind``, ``aga``) — or the ids with their
parameters when the ids alone would not tell the points apart.

* :func:`game_id` — the game id of the experiment (from the first run's resolved config);
* :func:`series_of` — ``run_id → series label`` and the ordered labels;
* :func:`run_configs` — ``run_id → resolved config`` and ``run_id → extra`` (JSON decoded);
* :func:`series_stats` — per series and metric, the mean over seeds with a 95%
  stratified-bootstrap CI (:func:`~incentive_lab.evaluation.seed_table.seed_summary`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from incentive_lab.evaluation.report.analysis import MECHANISM, N_RESAMPLES, Prepared
from incentive_lab.evaluation.seed_table import seed_summary
from incentive_lab.evaluation.statistics import stratified_resamples

SERIES = "series"


def game_id(prep: Prepared) -> str | None:
    """The game id of the experiment (``None`` when no run is stored)."""
    runs = prep.tables.runs
    if runs.empty or "config" not in runs.columns:
        return None
    config = json.loads(runs["config"].iloc[0])
    game = config.get("game", {})
    return str(game.get("id")) if isinstance(game, dict) else None


def run_configs(prep: Prepared) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """``(run_id → resolved config, run_id → extra)`` of every stored run."""
    configs: dict[str, dict[str, Any]] = {}
    extras: dict[str, dict[str, Any]] = {}
    for _, row in prep.tables.runs.iterrows():
        run_id = str(row["run_id"])
        configs[run_id] = json.loads(row["config"])
        raw = row.get("extra")
        extra = json.loads(raw) if isinstance(raw, str) else raw
        extras[run_id] = extra if isinstance(extra, dict) else {}
    return configs, extras


def _spec_label(value: Any, with_params: bool) -> str:
    """``[{"id": "aga", "params": {...}}]`` → ``aga`` (or ``aga(lam=0.1, lr=1)``)."""
    try:
        decoded = json.loads(value) if isinstance(value, str) else value
    except ValueError:
        return str(value)
    specs = decoded if isinstance(decoded, list) else [decoded]
    if not all(isinstance(s, dict) and "id" in s for s in specs):
        return str(value)
    parts = []
    for spec in specs:
        params = spec.get("params") or {}
        inner = ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}"
                          for k, v in sorted(params.items()))  # fmt: skip
        parts.append(f"{spec['id']}({inner})" if with_params and inner else str(spec["id"]))
    return "+".join(parts)


def _column_labels(values: Sequence[Any], column: str) -> dict[str, str]:
    """Distinct values of one swept column → short labels (unique when the values are)."""
    distinct = list(dict.fromkeys(repr(v) for v in values))
    originals = {repr(v): v for v in values}
    name = column.rsplit(".", 1)[-1]
    for with_params in (False, True):
        labels = {}
        for key in distinct:
            value = originals[key]
            text = str(value)
            if text.startswith(("[", "{")):
                labels[key] = _spec_label(value, with_params)
            elif text.endswith(")") and "(" in text:  # a spec label: ``aga(lam=0.1,lr=1.0)``
                labels[key] = text if with_params else text.split("(", 1)[0]
            else:
                labels[key] = f"{name}={value:g}" if isinstance(value, float) else f"{name}={value}"
        if len(set(labels.values())) == len(distinct):
            return labels
    return {key: f"{name}={originals[key]}" for key in distinct}


def series_of(prep: Prepared) -> tuple[dict[str, str], list[str]]:
    """``(run_id → series label, labels in display order)`` (module docstring)."""
    frame = prep.summary.drop_duplicates("run_id")
    columns = {c: _column_labels(list(frame[c]), c) for c in prep.swept}
    several = len(prep.mechanisms) > 1 or not prep.swept
    rank_m = {m: k for k, m in enumerate(prep.mechanisms)}
    rank_c = {c: k for k, c in enumerate(prep.conditions)}
    keyed: dict[str, tuple[int, int]] = {}
    labels: dict[str, str] = {}
    for _, row in frame.iterrows():
        parts = [str(row[MECHANISM])] if several else []
        parts += [columns[c][repr(row[c])] for c in prep.swept]
        label = ", ".join(parts)
        labels[str(row["run_id"])] = label
        keyed.setdefault(label, (rank_m.get(row[MECHANISM], 0), rank_c.get(row["condition"], 0)))
    order = sorted(keyed, key=keyed.__getitem__)
    return labels, order


def with_series(frame: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    """``frame`` with a ``series`` column (rows of unknown runs dropped)."""
    out = frame[frame["run_id"].isin(labels)].copy()
    out[SERIES] = out["run_id"].map(labels).astype(object)
    return out


def series_stats(prep: Prepared, metrics: Sequence[str], rng: np.random.Generator) -> pd.DataFrame:
    """``series, metric, mean, ci_low, ci_high, iqm, n`` of the final values of ``metrics``."""
    labels, _ = series_of(prep)
    rows = with_series(prep.summary[prep.summary["name"].isin(list(metrics))], labels)
    rows = rows[np.isfinite(rows["value"].to_numpy(dtype=float))]
    if rows.empty:
        return pd.DataFrame(columns=[SERIES, "metric", "mean", "ci_low", "ci_high", "iqm", "n"])
    return seed_summary(rows, [SERIES], rng, n_resamples=N_RESAMPLES)


def series_curves(prep: Prepared, metric: str, rng: np.random.Generator) -> dict[str, pd.DataFrame]:
    """Series → ``step, mean, ci_low, ci_high`` of a recorded ``metric`` over time.

    Mean over seeds at every step all seeds recorded, with a 95% percentile-bootstrap band
    (seeds resampled per step, as the report's learning curves).
    """
    labels, order = series_of(prep)
    rows = with_series(prep.metrics[prep.metrics["name"] == metric], labels)
    out = {}
    for label in order:
        table = rows[rows[SERIES] == label].pivot_table(
            index="seed_index", columns="step", values="value"
        )
        data = table.to_numpy(dtype=np.float64)
        keep = np.all(np.isfinite(data), axis=0)
        data, steps = data[:, keep], table.columns.to_numpy(dtype=float)[keep]
        if data.size == 0:
            continue
        boot = stratified_resamples(data, N_RESAMPLES, rng).mean(axis=1)
        low, high = np.quantile(boot, [0.025, 0.975], axis=0)
        out[label] = pd.DataFrame(
            {"step": steps, "mean": data.mean(axis=0), "ci_low": low, "ci_high": high}
        )
    return out
