"""Rich tables for the command line: registry listings and per-sweep-point summaries.

Summary tables show, for each experiment and sweep point, the number of seeds and
``mean [low, high]`` — the 95% stratified percentile bootstrap interval over seeds, which is
asymmetric in general, so never printed as ``± half-width`` — for the main metrics
(:func:`incentive_lab.experiments.execution.results.aggregate`,
``evaluation.statistics.seed_mean_ci``): the very interval the HTML report prints for the
same runs and bootstrap seed. With fewer than 5 seeds a table carries the warning of
``evaluation.statistics.interval_warnings`` as its caption.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import pandas as pd
from rich.table import Table

from incentive_lab.core.params import describe_params
from incentive_lab.core.registry import Entry
from incentive_lab.evaluation.statistics import interval_warnings
from incentive_lab.experiments.execution.results import aggregate, main_metrics, point_columns


def _plain(value: Any) -> Any:
    """A JSON-able version of a default or metadata value."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    tolist = getattr(value, "tolist", None)
    return _plain(tolist()) if callable(tolist) else str(value)


_OPERATORS = {
    "ge": ">=",
    "gt": ">",
    "le": "<=",
    "lt": "<",
    "min_length": "length >=",
    "max_length": "length <=",
    "multiple_of": "multiple of",
}


def constraint_text(raw: str) -> str:
    """``"Ge(ge=0)"`` → ``">= 0"``; anything unrecognised is returned unchanged."""
    match = re.fullmatch(r"\w+\((\w+)=(.*)\)", raw)
    if match and match.group(1) in _OPERATORS:
        return f"{_OPERATORS[match.group(1)]} {match.group(2)}"
    return raw


def _rows(entry: Entry) -> list[dict[str, Any]]:
    return [
        {
            **row,
            "default": _plain(row["default"]),
            "constraints": [constraint_text(c) for c in row["constraints"]],
        }
        for row in describe_params(entry.params)
    ]


def entry_record(entry: Entry) -> dict[str, Any]:
    """One registered unit as a JSON-able dict (``list --json``)."""
    return {
        "id": entry.id,
        "description": entry.description,
        "parameters": _rows(entry),
        "metadata": _plain(dict(entry.metadata)),
        "offers": sorted(c.value for c in entry.offers),
        "requires": sorted(c.value for c in entry.needs()),
    }


def entry_table(kind: str, entry: Entry) -> Table:
    """A table of the parameters of one unit, titled ``id — description``."""
    table = Table(title=f"[bold]{entry.id}[/bold] — {entry.description}", title_justify="left")
    for column in ("parameter", "type", "default", "constraints", "description"):
        table.add_column(column, overflow="fold")
    for row in _rows(entry):
        default = "required" if row["required"] else json.dumps(row["default"])
        table.add_row(
            row["name"], row["type"], default, ", ".join(row["constraints"]), row["description"]
        )
    return table


def overview_table(kind: str, units: list[Entry]) -> Table:
    """One line per unit of ``kind``: id, description and parameter names."""
    table = Table(title=f"[bold]{kind}s[/bold]", title_justify="left")
    table.add_column("id", style="bold", no_wrap=True)
    table.add_column("description", overflow="fold", ratio=3)
    table.add_column("parameters", overflow="fold", ratio=2)
    table.add_column("offers" if kind == "game" else "needs", overflow="fold", ratio=1)
    for entry in units:
        names = ", ".join(entry.params.model_fields) or "–"
        declared = entry.offers if kind == "game" else entry.needs()
        table.add_row(entry.id, entry.description, names, ", ".join(sorted(declared)) or "–")
    return table


def _format(mean: float, low: float, high: float, n: int) -> str:
    if math.isnan(mean):
        return "–"
    if n < 2:
        return f"{mean:.4g}"
    return f"{mean:.4g} [{low:.4g}, {high:.4g}]"


def summary_tables(summary: pd.DataFrame, metrics: list[str] | None = None) -> list[Table]:
    """One table per experiment: rows = sweep points, columns = metrics (mean [95% CI])."""
    if summary.empty:
        return []
    stats = aggregate(summary)
    points = point_columns(summary)
    chosen = metrics or main_metrics(sorted(set(stats["name"])))
    tables = []
    for experiment, part in stats.groupby("experiment", sort=True):
        warnings = interval_warnings(int(part["n"].min()))
        table = Table(
            title=f"experiment [bold]{experiment}[/bold] (mean [95% CI] over seeds)",
            caption="\n".join(f"[yellow]warning:[/] {w}" for w in warnings) or None,
            caption_justify="left",
        )
        for column in points:
            table.add_column(column, overflow="fold")
        table.add_column("seeds", justify="right")
        for name in chosen:
            table.add_column(name.replace("_", " "), justify="right", overflow="fold")
        keys = points or ["experiment"]
        for labels, rows in part.groupby(keys, sort=False, dropna=False):
            labels = labels if isinstance(labels, tuple) else (labels,)
            by_name = {row["name"]: row for _, row in rows.iterrows()}
            seeds = max(int(row["n"]) for row in by_name.values())
            cells = [
                _format(row["mean"], row["ci_low"], row["ci_high"], int(row["n"]))
                if (row := by_name.get(name)) is not None
                else "–"
                for name in chosen
            ]
            table.add_row(*([str(v) for v in labels] if points else []), str(seeds), *cells)
        tables.append(table)
    return tables
