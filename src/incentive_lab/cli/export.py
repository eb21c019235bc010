"""``incentive-lab export``: the stored runs, metrics and summaries as files.

::

    incentive-lab export [--db PATH] --out DIR [-e NAME ...]
                         [--format parquet|csv|marl-eval|tensorboard] [--force]

A file already in ``DIR`` is replaced only if it is an export of the same kind (a parquet
file, a CSV whose header starts with ``run_id``, a marl-eval JSON file) or with ``--force``;
the database itself, a directory or a special file never is. ``-e/--experiment``
(repeatable) keeps only those experiments' runs.

``tensorboard`` writes one event-file directory per run,
``<out>/<experiment>/<point>/seed<k>`` (``experiments.execution.tracking``; the
``tensorboard`` extra).

Parquet files are read back by ``pandas.read_parquet`` with ``pyarrow`` installed (the
``parquet`` extra) or by DuckDB without it: ``duckdb.sql("SELECT * FROM 'runs.parquet'").df()``.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from incentive_lab.cli._common import (
    DbOption,
    ExperimentOption,
    chosen_experiments,
    guard_output,
    head_has,
    out,
    user_errors,
)
from incentive_lab.core.errors import ConfigError
from incentive_lab.experiments.execution.orchestrate import DEFAULT_DB
from incentive_lab.experiments.execution.store import TABLES, RunStore, ensure_directory


class Format(StrEnum):
    """Export file format."""

    parquet = "parquet"
    csv = "csv"
    marl_eval = "marl-eval"
    tensorboard = "tensorboard"


def export(
    out_dir: Annotated[Path, typer.Option("--out", help="Output directory.")],
    db: DbOption = Path(DEFAULT_DB),
    experiment: ExperimentOption = None,
    fmt: Annotated[Format, typer.Option("--format", help="File format.")] = Format.parquet,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite files in --out that are not exports.")
    ] = False,
) -> None:
    """Write the runs, metrics and summary tables to one file each (or marl-eval JSON)."""
    with user_errors():
        _guard(out_dir, fmt, force)
    with user_errors(), RunStore(db, read_only=True) as store:
        chosen = chosen_experiments(store, experiment)
        if fmt is Format.marl_eval:
            from incentive_lab.evaluation.marl_eval import to_marl_eval, write_marl_eval

            data = to_marl_eval(
                store.summary(chosen),
                "point",
                curves=store.metrics(chosen),
                task_cols=("experiment",),
            )
            target = ensure_directory(out_dir, "--out") / "marl_eval.json"
            files = [write_marl_eval(target, data)]
        elif fmt is Format.tensorboard:
            from incentive_lab.experiments.execution.tracking import export_store

            files = export_store(store, out_dir, chosen)
        else:
            files = store.export(out_dir, "csv" if fmt is Format.csv else "parquet", chosen)
    for path in files:
        out.print(str(path))


_KIND = {
    Format.parquet: (b"PAR1", b"PAR1"),
    Format.csv: (b"run_id,", b"run_id,"),
    Format.marl_eval: (b"{", b"{"),
}


def _guard(out_dir: Path, fmt: Format, force: bool) -> None:
    """Refuse before reading anything when an output file exists and is not an export."""
    if fmt is Format.tensorboard:  # event files go into new run directories, never over files
        if out_dir.exists() and not out_dir.is_dir():
            raise ConfigError("--out", str(out_dir), "a directory (or a new path)")
        return
    if fmt is Format.marl_eval:
        names = ["marl_eval.json"]
    else:
        names = [f"{table}.{'csv' if fmt is Format.csv else 'parquet'}" for table in TABLES]
    prefix, marker = _KIND[fmt]
    for name in names:
        guard_output(
            out_dir / name,
            "--out",
            f"{fmt.value} export",
            force,
            lambda path: head_has(path, prefix, marker, size=4096),
        )
