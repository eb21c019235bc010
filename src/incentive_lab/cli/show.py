"""``incentive-lab show``: summaries across seeds per sweep point, read from the store.

::

    incentive-lab show [--db PATH] [-e NAME ...] [--metric NAME ...]
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from incentive_lab.cli._common import (
    DbOption,
    ExperimentOption,
    chosen_experiments,
    out,
    print_summary,
    user_errors,
)
from incentive_lab.core.errors import unknown_choice
from incentive_lab.experiments.execution.orchestrate import DEFAULT_DB
from incentive_lab.experiments.execution.results import flatten_points, sort_by_points
from incentive_lab.experiments.execution.store import RunStore


def show(
    db: DbOption = Path(DEFAULT_DB),
    experiment: ExperimentOption = None,
    metric: Annotated[
        list[str] | None, typer.Option("--metric", "-m", help="Metric column (repeatable).")
    ] = None,
) -> None:
    """Summaries across seeds per sweep point: mean [95% CI].

    CI: the report's stratified percentile bootstrap of the mean over seeds.

    2000 resamples, generator seeded 0 per row (evaluation.statistics.seed_mean_ci), the same
    interval the report prints; a single seed shows the mean alone. Fewer than 5 seeds: a
    warning under the table.
    """
    with user_errors(), RunStore(db, read_only=True) as store:
        summary = store.summary(chosen_experiments(store, experiment))
        summary = sort_by_points(flatten_points(summary))
        if metric:
            known = sorted(set(summary["name"]))
            for name in metric:
                if name not in known:
                    raise unknown_choice("metric", name, known)
    if summary.empty:
        out.print(f"No runs in {db}.")
        return
    print_summary(summary, metric)
