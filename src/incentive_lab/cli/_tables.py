"""Rich tables for the command line: the registry overview and per-sweep-point summaries.

Summary tables show, for each experiment and sweep point, the number of seeds and
``mean [low, high]`` — the 95% stratified percentile bootstrap interval over seeds, which is
asymmetric in general, so never printed as ``± half-width`` — for the main metrics
(:func:`incentive_lab.experiments.execution.results.aggregate`,
``evaluation.statistics.seed_mean_ci``): the very interval the HTML report prints for the
same runs and bootstrap seed. With fewer than 5 seeds a table carries the warning of
``evaluation.statistics.interval_warnings`` as its caption.
"""

from __future__ import annotations

import math

import pandas as pd
from rich.table import Table

from incentive_lab.core.registry import Entry
from incentive_lab.evaluation.statistics import interval_warnings
from incentive_lab.experiments.execution.results import aggregate, main_metrics, point_columns


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
