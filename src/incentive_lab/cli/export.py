"""``incentive-lab export``: the stored runs, metrics and summaries as files.

::

    incentive-lab export [--db PATH] --out DIR [--format parquet|csv|marl-eval]
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from incentive_lab.cli._common import DbOption, out, user_errors
from incentive_lab.experiments.execution.orchestrate import DEFAULT_DB
from incentive_lab.experiments.execution.store import RunStore, ensure_directory


class Format(StrEnum):
    """Export file format."""

    parquet = "parquet"
    csv = "csv"
    marl_eval = "marl-eval"


def export(
    out_dir: Annotated[Path, typer.Option("--out", help="Output directory.")],
    db: DbOption = Path(DEFAULT_DB),
    fmt: Annotated[Format, typer.Option("--format", help="File format.")] = Format.parquet,
) -> None:
    """Write the runs, metrics and summary tables to one file each (or marl-eval JSON)."""
    with user_errors(), RunStore(db, read_only=True) as store:
        if fmt is Format.marl_eval:
            from incentive_lab.evaluation.marl_eval import to_marl_eval, write_marl_eval

            data = to_marl_eval(
                store.summary(),
                "point",
                curves=store.metrics(),
                task_cols=("experiment",),
            )
            target = ensure_directory(out_dir, "--out") / "marl_eval.json"
            files = [write_marl_eval(target, data)]
        else:
            files = store.export(out_dir, "csv" if fmt is Format.csv else "parquet")
    for path in files:
        out.print(str(path))
