"""``incentive-lab report``: write the HTML report of stored experiments.

::

    incentive-lab report [--db PATH] [--experiment NAME ...] [-o report.html] [--seed N]
                         [--json]

Reads the store read-only (``experiments.execution.results.report_store``) and writes one
self-contained HTML file and its ``report.json`` beside it (``NAME.json``, schema in
``docs/report.md``); ``--json`` prints that JSON to stdout instead of the path. Bad input
(no such database or experiment, an output path in a missing directory) prints one
``error:`` line and exits with status 2. An existing file at ``-o`` is overwritten only if
it is an incentive-lab report (or with ``--force``); the database, a directory or a special
file never is.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import typer

from incentive_lab.cli._common import ExperimentOption, guard_output, head_has, user_errors
from incentive_lab.cli._common import out as console
from incentive_lab.core.errors import ConfigError
from incentive_lab.experiments.execution.orchestrate import DEFAULT_DB


def _is_report(path: Path) -> bool:
    return head_has(path, b"<!DOCTYPE html", b"incentive-lab")


def parse_thresholds(texts: list[str]) -> dict[str, float] | None:
    """``["cooperation_rate=0.02", ...]`` → ``{metric: value}``; one-line errors."""
    out: dict[str, float] = {}
    for text in texts:
        name, sep, raw = text.partition("=")
        try:
            value = float(raw)
        except ValueError:
            value = math.nan
        if not sep or not name.strip() or not math.isfinite(value) or value < 0:
            raise ConfigError("--threshold", text, "metric=value with a finite value >= 0")
        out[name.strip()] = value
    return out or None


def report(
    db: Annotated[Path, typer.Option("--db", help="DuckDB file of the run store.")] = Path(
        DEFAULT_DB
    ),
    experiment: ExperimentOption = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="HTML file to write.")] = Path(
        "report.html"
    ),
    seed: Annotated[
        int, typer.Option("--seed", min=0, help="Seed of the bootstrap resampling.")
    ] = 0,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite an existing file that is not a report.")
    ] = False,
    threshold: Annotated[
        list[str] | None,
        typer.Option(
            "--threshold",
            help="Practical threshold of an objective: metric=value (absolute, repeatable); "
            "overrides the config's report.thresholds without re-running.",
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the report's JSON record to stdout.")
    ] = False,
) -> None:
    """Write one self-contained HTML report (figures, CIs, summary) of stored experiments."""
    from incentive_lab.experiments.execution.results import report_store

    with user_errors():
        guard_output(out, "out", "HTML report", force, _is_report)
        try:
            thresholds = parse_thresholds(threshold or [])
            path = report_store(db, out, experiment or None, seed=seed, thresholds=thresholds)
        except OSError as error:
            raise ConfigError("out", str(out), f"a writable file ({error.strerror})") from None
    if as_json:
        from incentive_lab.evaluation.report.page import json_path

        typer.echo(json_path(path).read_text(encoding="utf-8"), nl=False)
        return
    console.print(f"Report: {path.resolve()}", soft_wrap=True)
