"""What the CLI's command modules share: consoles, options, error handling, run + report.

Each command module (``listing``, ``run``, ``show``, ``export``, ``bench``, ``report``,
``design``) imports from here; none imports another command module's internals.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from incentive_lab.cli._progress import ProgressBar
from incentive_lab.core.errors import ConfigError
from incentive_lab.experiments.execution.orchestrate import run_experiment
from incentive_lab.experiments.execution.results import Results

out = Console()
err = Console(stderr=True)

DbOption = Annotated[Path, typer.Option("--db", help="DuckDB file of the run store.")]
WorkersOption = Annotated[
    int | None, typer.Option("--workers", help="Parallel runs (default: number of cores).")
]


class Backend(StrEnum):
    """Where runs execute."""

    local = "local"
    ray = "ray"


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn a :class:`ConfigError` into one line on stderr and exit status 2."""
    try:
        yield
    except ConfigError as error:
        message = " ".join(str(error).splitlines())
        typer.echo(f"error: {message}", err=True)
        raise typer.Exit(2) from None


def run_and_report(
    config: Any, db: Path, workers: int | None, backend: str, address: str | None
) -> Results:
    """Run with a progress bar on stderr (shown once the config is valid), then the table."""
    label = config.get("name", "runs") if isinstance(config, dict) else Path(str(config)).stem
    with ProgressBar(f"runs of {label}", err) as bar:
        results = run_experiment(
            config, db=db, workers=workers, backend=backend, address=address, progress=bar
        )
    summary = results.summary()
    print_summary(summary, None)
    warn_fallbacks(summary)
    return results


def warn_fallbacks(summary: Any) -> None:
    """Say so when learners fell back instead of deciding (e.g. an LLM server was down)."""
    if summary.empty:
        return
    fallbacks = summary[summary["name"].str.endswith("/fallbacks") & (summary["value"] > 0)]
    for name, rows in fallbacks.groupby("name"):
        group = str(name).split("/")[0]
        err.print(
            f"[yellow]warning:[/yellow] {group} used its fallback action in {len(rows)} "
            f"run(s) (mean {rows['value'].mean():.3g} fallbacks per step at the end): its "
            "backend failed or its answers did not parse; see the transcripts in the runs "
            "table's extra column",
            soft_wrap=True,
        )


def print_summary(summary: Any, metrics: list[str] | None) -> None:
    """Print the summary tables (mean ± 95% CI per sweep point) of a long-form summary."""
    from incentive_lab.cli._tables import summary_tables

    for table in summary_tables(summary, metrics):
        out.print(table)


def where(db: Path, experiments: list[str]) -> None:
    """Print where the results are and how to see them again."""
    names = ", ".join(experiments)
    out.print(f"Results: experiment {names} in {db.resolve()}", soft_wrap=True)
    out.print(f"  see them again:  incentive-lab show --db {db}", soft_wrap=True)
