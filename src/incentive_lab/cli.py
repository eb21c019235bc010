"""The ``incentive-lab`` command line (typer + rich).

Commands::

    incentive-lab list [games|learners|mechanisms] [--json]
    incentive-lab run CONFIG [--db PATH] [--workers N] [--backend local|ray] [--address A]
    incentive-lab show [--db PATH] [--experiment NAME] [--metric NAME ...]
    incentive-lab export [--db PATH] --out DIR [--format parquet|csv]
    incentive-lab demo [--out DIR] [--workers N]
    incentive-lab report [--db PATH] [--experiment NAME ...] [-o FILE]
    incentive-lab bench list | run NAME [--db PATH] [--workers N] [--seeds N] [--steps N]

Bad input (a malformed or invalid config, a missing file, a database file that is not an
incentive-lab DuckDB store) prints one line ``error: <field>: got <value>; <allowed>`` on
stderr and exits with status 2, leaving any existing database untouched. Anything else is a
bug and shows its traceback (status 1).
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from incentive_lab.cli_bench import bench_app
from incentive_lab.cli_common import (
    Backend,
    DbOption,
    WorkersOption,
    out,
    print_summary,
    run_and_report,
    user_errors,
    where,
)
from incentive_lab.cli_design import design
from incentive_lab.cli_report import report
from incentive_lab.core.errors import ConfigError, unknown_choice
from incentive_lab.core.registry import KINDS, entries, fitting, get
from incentive_lab.experiments.orchestrate import DEFAULT_DB
from incentive_lab.experiments.results import flatten_points, sort_by_points
from incentive_lab.experiments.store import RunStore, ensure_directory

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Design, train and evaluate incentive mechanisms in multi-agent learning systems.",
)


class Format(StrEnum):
    """Export file format."""

    parquet = "parquet"
    csv = "csv"
    marl_eval = "marl-eval"


@app.command("list")
def list_units(
    kind: Annotated[
        str | None, typer.Argument(help="games, learners or mechanisms (default: all).")
    ] = None,
    unit: Annotated[str | None, typer.Argument(help="One id: show its parameters in full.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable JSON.")] = False,
    for_game: Annotated[
        str | None,
        typer.Option(
            "--for",
            help="Only the learners and mechanisms whose declared needs this game meets.",
        ),
    ] = None,
) -> None:
    """List registered games, learners and mechanisms (an id shows its parameters)."""
    from incentive_lab.cli_tables import entry_record, entry_table, overview_table

    with user_errors():
        kinds = list(KINDS)
        if kind is not None:
            singular = kind[:-1] if kind.endswith("s") else kind
            if singular not in KINDS:
                raise unknown_choice("kind", kind, [f"{k}s" for k in KINDS])
            kinds = [singular]  # type: ignore[list-item]
        selected = {k: entries(k) for k in kinds}  # type: ignore[arg-type]
        if for_game is not None:
            offered = get("game", for_game, "--for").offers
            selected = {
                k: fitting(k, offered)  # type: ignore[arg-type]
                for k in kinds
                if k != "game"
            }
            if not selected:
                raise ConfigError("--for", for_game, "lists learners or mechanisms, not games")
        if unit is not None:
            selected = {kinds[0]: [get(kinds[0], unit, f"{kinds[0]}.id")]}  # type: ignore[arg-type]
        listing = {f"{k}s": [entry_record(e) for e in units] for k, units in selected.items()}
    if as_json:
        typer.echo(json.dumps(listing, indent=2, sort_keys=False))
        return
    for k, units in selected.items():
        if unit is not None:
            out.print(entry_table(k, units[0]))
        else:
            out.print(overview_table(k, units))
    if unit is None:
        out.print(
            "[dim]Parameters in full: incentive-lab list KIND ID (e.g. list games public_goods)"
        )


@app.command()
def run(
    config: Annotated[Path, typer.Argument(help="Experiment YAML file.")],
    db: DbOption = Path(DEFAULT_DB),
    workers: WorkersOption = None,
    backend: Annotated[Backend, typer.Option(help="Executor.")] = Backend.local,
    address: Annotated[str | None, typer.Option(help="Address of an existing Ray cluster.")] = None,
) -> None:
    """Run an experiment (all sweep points x seeds); finished runs are skipped."""
    with user_errors():
        if not config.is_file():
            raise ConfigError("config", str(config), "an existing YAML file")
        results = run_and_report(config, db, workers, backend.value, address)
    where(db, [results.experiment])


@app.command()
def show(
    db: DbOption = Path(DEFAULT_DB),
    experiment: Annotated[
        str | None, typer.Option(help="Only this experiment (default: all).")
    ] = None,
    metric: Annotated[
        list[str] | None, typer.Option("--metric", "-m", help="Metric column (repeatable).")
    ] = None,
) -> None:
    """Summaries across seeds per sweep point (mean ± 95% CI).

    CI: the report's stratified percentile bootstrap of the mean over seeds.

    2000 resamples, generator seeded 0 per row (evaluation.statistics.seed_mean_ci).

    ± shows half the interval's width; a single seed shows the mean alone.
    """
    with user_errors(), RunStore(db, read_only=True) as store:
        names = store.experiments()
        if experiment is not None and experiment not in names:
            raise unknown_choice("experiment", experiment, names)
        summary = sort_by_points(flatten_points(store.summary(experiment)))
        if metric:
            known = sorted(set(summary["name"]))
            for name in metric:
                if name not in known:
                    raise unknown_choice("metric", name, known)
    if summary.empty:
        out.print(f"No runs in {db}.")
        return
    print_summary(summary, metric)


@app.command()
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


def demo_configs() -> list[dict[str, Any]]:
    """The demo's MechBench scenarios (``experiments/demo.yaml``) as experiment configs."""
    from incentive_lab.experiments.bench import demo_configs as configs

    return configs()


@app.command()
def demo(
    out_dir: Annotated[
        Path, typer.Option("--out", help="Directory for the database and report.html.")
    ] = Path("incentive-lab-demo"),
    workers: WorkersOption = None,
) -> None:
    """Run a small MechBench, write the DuckDB store and the HTML report into --out."""
    from incentive_lab.cli_bench import run_demo

    run_demo(out_dir, workers, demo_configs())


app.add_typer(bench_app, name="bench")
app.command("report")(report)
app.command("design")(design)


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
