"""Export long-form results as marl-eval "raw experiment data" JSON.

marl-eval (InstaDeep; Gorsane et al. 2022, *Towards a Standardised Performance Evaluation
Protocol for Cooperative MARL*) reads one nested dict::

    {env_name: {task_name: {algorithm_name: {run_name: {
        "step_0": {"step_count": int, metric: [values], ...},
        ...
        "step_k": {...},
        "absolute_metrics": {metric: [values], ...},      # last key of every run
    }}}}}

Here the *algorithm* is the mechanism (or any group), the *run* is a seed
(``"run_<seed_index>"``), a *task* is one scenario (the values of ``task_cols`` joined as
``"col=value,..."``; ``"default"`` without task columns), and every metric value is a
one-element list (one evaluation per logging step). ``absolute_metrics`` come from the final
summary table (long form ``<algorithm_col>, [task_cols], seed_index, name, value``); the
steps come from the optional curves table (the same columns plus ``step``), otherwise a
single ``step_0`` repeats the final values so that the file is valid marl-eval input.
marl-eval expects the same algorithms, tasks, runs and steps everywhere; this exporter
writes what it is given and does not pad.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from incentive_lab.core.errors import ConfigError

RawData = dict[str, dict[str, dict[str, dict[str, dict[str, dict[str, Any]]]]]]
"""``env → task → algorithm → run → step → metric → [values]`` (plus ``step_count``)."""


def _task_name(frame: pd.DataFrame, task_cols: Sequence[str]) -> pd.Series:
    if not task_cols:
        return pd.Series("default", index=frame.index)
    parts = [f"{col}=" + frame[col].astype(str) for col in task_cols]
    joined = parts[0]
    for part in parts[1:]:
        joined = joined + "," + part
    return joined


def _check(frame: pd.DataFrame, columns: list[str], field: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ConfigError(field, missing, f"columns of the frame: {list(frame.columns)}")


def _metrics(rows: pd.DataFrame, metric_col: str, value_col: str) -> dict[str, Any]:
    return {str(m): [float(v)] for m, v in zip(rows[metric_col], rows[value_col], strict=True)}


def to_marl_eval(
    final: pd.DataFrame,
    algorithm_col: str,
    *,
    curves: pd.DataFrame | None = None,
    task_cols: Sequence[str] = (),
    env_name: str = "incentive_lab",
    seed_col: str = "seed_index",
    step_col: str = "step",
    metric_col: str = "name",
    value_col: str = "value",
) -> RawData:
    """The marl-eval raw-data dict of ``final`` (and ``curves``), see the module docstring."""
    base = [algorithm_col, *task_cols, seed_col, metric_col, value_col]
    _check(final, base, "final")
    if curves is not None:
        _check(curves, [*base, step_col], "curves")
    data: RawData = {env_name: {}}
    tasks = data[env_name]
    keyed = final.assign(_task=_task_name(final, task_cols))
    for (task, algorithm, seed), rows in keyed.groupby(
        ["_task", algorithm_col, seed_col], sort=True
    ):
        run = tasks.setdefault(str(task), {}).setdefault(str(algorithm), {})
        run[f"run_{seed}"] = {"absolute_metrics": _metrics(rows, metric_col, value_col)}
    if curves is None:
        for runs in (r for algos in tasks.values() for r in algos.values()):
            for name, run_data in runs.items():
                runs[name] = {
                    "step_0": {"step_count": 0, **run_data["absolute_metrics"]},
                    **run_data,
                }
        return data
    keyed_curves = curves.assign(_task=_task_name(curves, task_cols))
    for (task, algorithm, seed), rows in keyed_curves.groupby(
        ["_task", algorithm_col, seed_col], sort=True
    ):
        run_name = f"run_{seed}"
        runs = tasks.setdefault(str(task), {}).setdefault(str(algorithm), {})
        steps: dict[str, Any] = {}
        for i, (step, at_step) in enumerate(rows.groupby(step_col, sort=True)):
            steps[f"step_{i}"] = {
                "step_count": int(step),  # type: ignore[arg-type]
                **_metrics(at_step, metric_col, value_col),
            }
        absolute = runs.get(run_name, {}).get("absolute_metrics", {})
        runs[run_name] = {**steps, "absolute_metrics": absolute}
    return data


def write_marl_eval(path: str | Path, data: RawData) -> Path:
    """Write ``data`` (from :func:`to_marl_eval`) as JSON to ``path``; return the path."""
    target = Path(path)
    target.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return target
