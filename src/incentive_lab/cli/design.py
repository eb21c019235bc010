"""``incentive-lab design CONFIG``: run or resume a mechanism search and print what it found.

::

    incentive-lab design CONFIG [--db PATH] [--workers N] [--backend local|ray] [--address A]
                                [--set dotted.path=value ...]

Runs :func:`incentive_lab.experiments.search.design.run_design` with a progress bar on stderr, then
prints three rich tables: the best feasible parameters with the objective's mean and 95%
bootstrap CI over seeds, every trial's objective against its incentive cost (best first),
and the parameters' importances (when there are at least two parameters). Bad input exits
with status 2 and one line on stderr, like every command.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from incentive_lab.cli._common import DbOption, SetOption, WorkersOption, err, out, user_errors
from incentive_lab.cli._progress import ProgressBar
from incentive_lab.core.errors import ConfigError
from incentive_lab.experiments.config.loading import read_yaml
from incentive_lab.experiments.config.overrides import ROOTS, apply_overrides
from incentive_lab.experiments.execution.orchestrate import DEFAULT_DB
from incentive_lab.experiments.search.design import DesignResult, run_design

SHOWN_TRIALS = 15
"""Rows of the trial table (best first); all trials are in the run store and the study."""


def design(
    config: Annotated[Path, typer.Argument(help="Design YAML file (experiment + design block).")],
    db: DbOption = Path(DEFAULT_DB),
    workers: WorkersOption = None,
    backend: Annotated[str, typer.Option(help="Executor: local or ray.")] = "local",
    address: Annotated[str | None, typer.Option(help="Address of an existing Ray cluster.")] = None,
    overrides: SetOption = None,
) -> None:
    """Search mechanism parameters (Optuna) under an incentive budget; resumes a killed search."""
    with user_errors():
        if not config.is_file():
            raise ConfigError("config", str(config), "an existing YAML file")
        source: Path | dict[str, Any] = config
        if overrides:  # the experiment's fields and the design block's (design.trials=40)
            source = apply_overrides(read_yaml(config), overrides, (*ROOTS, "design"))
        result = _run(config.stem, source, db, workers, backend, address, err)
    print_design(result, out)
    out.print(f"Runs: experiment {result.experiment} in {db.resolve()}", soft_wrap=True)
    out.print(f"Study: {result.study_name} in {result.storage}", soft_wrap=True)


def _run(
    label: str,
    config: Path | dict[str, Any],
    db: Path,
    workers: int | None,
    backend: str,
    address: str | None,
    console: Console,
) -> DesignResult:
    with ProgressBar(f"trials of {label}", console) as bar:
        return run_design(
            config, db=db, workers=workers, backend=backend, address=address, progress=bar
        )


def _number(value: object) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def print_design(result: DesignResult, console: Console) -> None:
    """The best-parameters, trials and importance tables of ``result``."""
    budget = "none" if result.budget is None else f"{result.budget:g} ({result.budget_mode})"
    best = Table(
        title=f"Best feasible trial: {result.direction} {result.objective}, budget {budget}"
    )
    best.add_column("parameter")
    best.add_column("value", justify="right")
    if result.best is None or result.best_ci is None:
        console.print(f"No feasible trial among {len(result.trials)} (budget {budget}).")
    else:
        ci = result.best_ci
        best.add_row("trial", str(result.best.number))
        for path, value in result.best.params.items():
            best.add_row(path, _number(value))
        best.add_row(
            result.objective,
            f"{ci.value:.4g} [{ci.ci_low:.4g}, {ci.ci_high:.4g}] (95% CI, "
            f"{len(result.best.per_seed)} seeds)",
        )
        best.add_row("incentive_cost", f"{result.best.cost:.4g}")
        again = result.reevaluation
        if again is not None:
            e, seeds = again.estimate, ", ".join(str(s) for s in again.seeds)
            best.add_row(
                f"{result.objective} on fresh seeds {seeds}",
                f"{e.value:.4g} [{e.ci_low:.4g}, {e.ci_high:.4g}] (95% CI, {len(again.seeds)} "
                f"seeds; incentive_cost {again.cost:.4g})",
            )
        console.print(best)
    console.print(_trials_table(result))
    if result.importances:
        table = Table(title="Parameter importance (PED-ANOVA)")
        table.add_column("parameter")
        table.add_column("importance", justify="right")
        for path, value in result.importances.items():
            table.add_row(path, f"{value:.3f}")
        console.print(table)


def _trials_table(result: DesignResult) -> Table:
    sign = 1.0 if result.direction == "maximize" else -1.0
    ordered = sorted(result.trials, key=lambda t: (not t.feasible, -sign * t.objective, t.number))
    paths = list(result.trials[0].params) if result.trials else []
    shown = min(SHOWN_TRIALS, len(ordered))
    table = Table(title=f"Objective vs cost ({shown} of {len(ordered)} trials, best first)")
    for name in ["trial", *paths, result.objective, "incentive_cost", "feasible"]:
        table.add_column(name, justify="right")
    for trial in ordered[:shown]:
        table.add_row(
            str(trial.number),
            *(_number(trial.params.get(path)) for path in paths),
            f"{trial.objective:.4g}",
            f"{trial.cost:.4g}",
            "yes" if trial.feasible else "no",
        )
    return table
