"""``incentive-lab report``: write the HTML report of stored experiments.

::

    incentive-lab report [--db PATH] [--experiment NAME ...] [-o report.html] [--seed N]

Reads the store read-only (``experiments.execution.results.report_store``) and writes one
self-contained HTML file. Bad input (no such database or experiment, an output path in a
missing directory) prints one ``error:`` line and exits with status 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from incentive_lab.cli._common import out as console
from incentive_lab.cli._common import user_errors
from incentive_lab.experiments.execution.orchestrate import DEFAULT_DB


def report(
    db: Annotated[Path, typer.Option("--db", help="DuckDB file of the run store.")] = Path(
        DEFAULT_DB
    ),
    experiment: Annotated[
        list[str] | None,
        typer.Option("--experiment", "-e", help="Experiment to include (repeatable; default all)."),
    ] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="HTML file to write.")] = Path(
        "report.html"
    ),
    seed: Annotated[int, typer.Option("--seed", help="Seed of the bootstrap resampling.")] = 0,
) -> None:
    """Write one self-contained HTML report (figures, CIs, summary) of stored experiments."""
    from incentive_lab.experiments.execution.results import report_store

    with user_errors():
        path = report_store(db, out, experiment or None, seed=seed)
    console.print(f"Report: {path.resolve()}", soft_wrap=True)
