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
from rich.markup import escape

from incentive_lab.cli._progress import ProgressBar
from incentive_lab.core.errors import ConfigError, unknown_choice
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


ExperimentOption = Annotated[
    list[str] | None,
    typer.Option("--experiment", "-e", help="Only this experiment (repeatable; default all)."),
]


def chosen_experiments(store: Any, names: list[str] | None) -> list[str] | None:
    """``names`` checked against the experiments in ``store`` (``None``: all of them)."""
    if not names:
        return None
    known = store.experiments()
    for name in names:
        if name not in known:
            raise unknown_choice("experiment", name, known)
    return list(dict.fromkeys(names))


SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        help="Override a config value: dotted.path=value (YAML), repeatable, e.g. --set steps=200.",
    ),
]


MaxRunsOption = Annotated[
    int | None,
    typer.Option("--max-runs", min=1, help="Most runs to plan (default: limits.max_runs, 100000)."),
]


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn a :class:`ConfigError` into one line on stderr and exit status 2.

    Ctrl-C exits 130 with one line saying that the finished runs are kept.
    """
    try:
        yield
    except ConfigError as error:
        message = " ".join(str(error).splitlines())
        typer.echo(f"error: {message}", err=True)
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        typer.echo(
            "interrupted: finished runs are kept in the store; run the same command to resume",
            err=True,
        )
        raise typer.Exit(130) from None


def bar_console() -> Console:
    """A fresh stderr console for one progress bar (a bar may pin its console's stream)."""
    return Console(stderr=True)


def run_and_report(
    config: Any,
    db: Path,
    workers: int | None,
    backend: str,
    address: str | None,
    **options: Any,
) -> Results:
    """Run with a progress bar on stderr (shown once the config is valid), then the table.

    ``options``: ``max_runs``, ``variant``, ``wait``, ``trackers`` of :func:`run_experiment`.
    """
    label = config.get("name", "runs") if isinstance(config, dict) else Path(str(config)).stem
    with ProgressBar(f"runs of {escape(str(label))}", bar_console()) as bar:
        results = run_experiment(
            config,
            db=db,
            workers=workers,
            backend=backend,
            address=address,
            progress=bar,
            on_wait=lambda message: err.print(f"waiting: {escape(message)}", soft_wrap=True),
            **options,
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
        group = escape(str(name).split("/")[0])
        err.print(
            f"[yellow]warning:[/yellow] {group} used its fallback action in {len(rows)} "
            f"run(s) (mean {rows['value'].mean():.3g} fallbacks per step at the end): its "
            "backend failed or its answers did not parse; see the transcripts in the runs "
            "table's extra column",
            soft_wrap=True,
        )


def print_summary(summary: Any, metrics: list[str] | None) -> None:
    """Print the summary tables (mean ± 95% CI per sweep point) of a long-form summary."""
    from pandas.api.types import is_numeric_dtype

    from incentive_lab.cli._tables import summary_tables

    summary = summary.copy()
    for column in summary.columns:  # names and points are user text: never Rich markup
        if column not in ("name", "value") and not is_numeric_dtype(summary[column]):
            summary[column] = summary[column].map(lambda v: escape(v) if isinstance(v, str) else v)
    for table in summary_tables(summary, metrics):
        out.print(table)


def where(db: Path, experiments: list[str]) -> None:
    """Print where the results are and how to see them again."""
    names = escape(", ".join(experiments))
    out.print(f"Results: experiment {names} in {escape(str(db.resolve()))}", soft_wrap=True)
    out.print(f"  see them again:  incentive-lab show --db {escape(str(db))}", soft_wrap=True)


def guard_output(path: Path, field: str, kind: str, force: bool, ours: Any = None) -> None:
    """Refuse to overwrite a file that is not ``kind`` (``ours(path)`` is False) unless forced.

    A special file (FIFO, device) is refused before opening; the store being read (``ours`` is
    not consulted for it) is never a valid output even with ``--force``.
    """
    if not path.exists() and not path.is_symlink():
        return
    if path.is_dir():
        raise ConfigError(field, str(path), f"a file path for the {kind}, not a directory")
    if not path.is_file():
        raise ConfigError(field, str(path), f"a regular file for the {kind} (a special file)")
    if is_database(path):
        raise ConfigError(field, str(path), f"a {kind} path, not a database (choose another)")
    if not force and not (ours is not None and ours(path)):
        raise ConfigError(
            field, str(path), f"a new file or an existing {kind} (pass --force to overwrite it)"
        )


def is_database(path: Path) -> bool:
    """Whether ``path`` starts like a DuckDB database file."""
    from incentive_lab.experiments.execution.store_files import DUCKDB_MAGIC

    try:
        with path.open("rb") as handle:
            return handle.read(12)[8:12] == DUCKDB_MAGIC
    except OSError:
        return False


def head_has(path: Path, prefix: bytes, marker: bytes, size: int = 65536) -> bool:
    """Whether the first ``size`` bytes of ``path`` start with ``prefix`` and hold ``marker``."""
    try:
        with path.open("rb") as handle:
            head = handle.read(size)
    except OSError:
        return False
    return head.lstrip().lower().startswith(prefix.lower()) and marker in head
