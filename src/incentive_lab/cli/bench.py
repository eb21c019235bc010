"""``incentive-lab bench`` (MechBench) and ``incentive-lab demo``.

::

    incentive-lab bench list
    incentive-lab bench run NAME [--db PATH] [--workers N] [--seeds N] [--steps N]
                                 [--set dotted.path=value ...]
    incentive-lab demo [--out DIR] [--workers N]

``bench run`` runs one scenario of :mod:`incentive_lab.experiments.bench.suite` through the normal
store (finished runs are skipped) and prints the per-mechanism table, then the best
candidate per objective with the report's verdict (clear / tie / not clear / no effect) and
its reason. ``--set`` changes the scenario like ``run --set`` changes a config; the changed
experiment is renamed ``NAME-set-<hash>`` (``experiments.bench.suite``). ``demo`` runs the demo
scenarios with one progress bar, writes ``DIR/incentive-lab.duckdb`` and
``DIR/report.html`` and prints the best mechanism per objective and the report's path.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from incentive_lab.cli._common import (
    DbOption,
    MaxRunsOption,
    SetOption,
    WorkersOption,
    bar_console,
    out,
    run_and_report,
    user_errors,
    where,
)
from incentive_lab.cli._progress import ProgressBar
from incentive_lab.experiments.execution.orchestrate import DEFAULT_DB

bench_app = typer.Typer(
    no_args_is_help=True, help="MechBench: named, versioned mechanism-comparison scenarios."
)

DEMO_DIR = Path("incentive-lab-demo")


@bench_app.command("list")
def bench_list() -> None:
    """List the scenarios: name, version, objective, budget, mechanisms, description."""
    from incentive_lab.experiments.bench.suite import scenarios

    table = Table(title="MechBench scenarios", title_justify="left")
    table.add_column("name", no_wrap=True)
    table.add_column("v", justify="right")
    table.add_column("mechanisms", overflow="fold")
    table.add_column("description (objective, budget)", overflow="fold")
    for s in scenarios():
        budget = "no budget" if s.budget is None else f"budget {s.budget:g}/step"
        about = f"{s.description} [dim](maximise {s.objective}; {budget})[/]"
        table.add_row(s.name, str(s.version), ", ".join(s.mechanisms), about)
    out.print(table)


@bench_app.command("run")
def bench_run(
    name: Annotated[str, typer.Argument(help="Scenario name (see `bench list`).")],
    db: DbOption = Path(DEFAULT_DB),
    workers: WorkersOption = None,
    seeds: Annotated[
        int | None, typer.Option("--seeds", help="Number of seeds (default: the scenario's).")
    ] = None,
    steps: Annotated[
        int | None,
        typer.Option("--steps", help="Steps per run for a quick look (experiment NAME-steps<N>)."),
    ] = None,
    max_runs: MaxRunsOption = None,
    overrides: SetOption = None,
) -> None:
    """Run one scenario (finished runs are skipped) and print its results.

    With --set the scenario is changed, so its experiment is renamed NAME-set-<hash>.
    """
    from incentive_lab.experiments.bench.suite import get_scenario
    from incentive_lab.experiments.execution.reporting import best_mechanisms

    with user_errors():
        config = get_scenario(name).experiment_config(
            seeds=seeds, steps=steps, overrides=overrides or ()
        )
        results = run_and_report(config, db, workers, "local", None, max_runs=max_runs)
        out.print(best_table(best_mechanisms([results])))
    where(db, [results.experiment])


def _plan_total(configs: list[dict[str, Any]]) -> int:
    from incentive_lab.experiments.config.plan import plan_runs

    return sum(len(plan_runs(config)) for config in configs)


VERDICT_STYLES = {"clear": "green", "tie": "blue", "not clear": "yellow", "no effect": "red"}
"""Colour of each verdict of ``evaluation.report.verdicts`` (the report's badges)."""


def best_table(rows: list[tuple[str, list[Any]]]) -> Table:
    """Rich table: per experiment (and sweep point) the best candidate per objective.

    Each cell is the best candidate(s) with the mean, then the report's verdict on the lead
    (clear / tie / not clear / no effect, ``evaluation.report.verdicts``) and its reason.
    """
    from rich.markup import escape

    titles = ["Social welfare", "Cooperation", "Fairness (Gini)", "Incentive cost"]
    table = Table(
        title="Best candidate per objective (verdict: clear / tie / not clear / no effect, "
        "and why; as in the report)",
        title_justify="left",
    )
    table.add_column("experiment")
    for title in titles:
        table.add_column(title, overflow="fold")
    for experiment, found in rows:
        by_title = {v.objective.title: v for v in found}
        cells = []
        for title in titles:
            v = by_title.get(title)
            if v is None:
                cells.append("–")
                continue
            best = escape(", ".join(v.best) or "–")
            style = VERDICT_STYLES[v.kind]
            cells.append(
                f"{best} {v.estimate.value:.3g}\n[{style}]{v.kind}[/]: [dim]{escape(v.reason)}[/]"
            )
        table.add_row(escape(experiment), *cells)
    return table


def run_demo(out_dir: Path, workers: int | None, configs: list[dict[str, Any]]) -> None:
    """Run ``configs`` into ``out_dir`` with one progress bar, write the report, summarise."""
    from incentive_lab.core.errors import ConfigError
    from incentive_lab.experiments.execution.orchestrate import run_experiment
    from incentive_lab.experiments.execution.reporting import best_mechanisms, report_results

    with user_errors():
        if out_dir.exists() and not out_dir.is_dir():
            raise ConfigError("out", str(out_dir), "a directory (or a path to create one)")
        total = _plan_total(configs)
        out_dir.mkdir(parents=True, exist_ok=True)
        db = out_dir / DEFAULT_DB
        clock = time.perf_counter()
        results = []
        offset = 0
        with ProgressBar("demo runs", bar_console(), total=total) as bar:
            bar.show()
            for config in configs:
                bar.describe(f"demo: {config['name']}")

                def update(done: int, planned: int, offset: int = offset) -> None:
                    bar(offset + done)

                result = run_experiment(config, db=db, workers=workers, progress=update)
                offset += len(result.run_ids or ())
                results.append(result)
        seconds = time.perf_counter() - clock
        report = report_results(results, out_dir / "report.html")
        out.print(best_table(best_mechanisms(results)))
    out.print(f"{total} runs in {seconds:.0f} s (finished runs are skipped on re-runs).")
    out.print(f"Database: {db.resolve()}", soft_wrap=True)
    out.print(f"Report:   {report.resolve()}", soft_wrap=True)


def demo_configs() -> list[dict[str, Any]]:
    """The demo's MechBench scenarios (``experiments/demo.yaml``) as experiment configs."""
    from incentive_lab.experiments.bench.suite import demo_configs as configs

    return configs()


def demo(
    out_dir: Annotated[
        Path, typer.Option("--out", help="Directory for the database and report.html.")
    ] = Path("incentive-lab-demo"),
    workers: WorkersOption = None,
) -> None:
    """Run a small MechBench, write the DuckDB store and the HTML report into --out."""
    run_demo(out_dir, workers, demo_configs())
