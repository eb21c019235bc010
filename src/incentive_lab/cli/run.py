"""``incentive-lab run CONFIG``: run an experiment into the store (finished runs are skipped).

::

    incentive-lab run CONFIG [--db PATH] [--workers N] [--backend local|ray] [--address A]
                             [--max-runs N] [--variant] [--wait SECONDS]
                             [--set dotted.path=value ...]

A config whose run count (sweep points x seeds) exceeds ``limits.max_runs`` (default 100000)
or ``--max-runs`` exits 2 before anything runs. A changed config under a name already in
the store exits 2 unless ``--variant`` (stored apart as ``NAME~<hash>``). A second run on the
same store waits for the first (up to ``--wait`` seconds), then skips what it stored.
``--set`` overrides config values (``experiments.config.overrides``); the stored runs record
the overridden config.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from incentive_lab.cli._common import (
    Backend,
    DbOption,
    MaxRunsOption,
    SetOption,
    WorkersOption,
    run_and_report,
    user_errors,
    where,
)
from incentive_lab.core.errors import ConfigError
from incentive_lab.experiments.config.loading import read_yaml
from incentive_lab.experiments.config.overrides import apply_overrides
from incentive_lab.experiments.execution.orchestrate import DEFAULT_DB, LOCK_WAIT
from incentive_lab.experiments.execution.tracking import TensorBoardTracker


def run(
    config: Annotated[Path, typer.Argument(help="Experiment YAML file.")],
    db: DbOption = Path(DEFAULT_DB),
    workers: WorkersOption = None,
    backend: Annotated[Backend, typer.Option(help="Executor.")] = Backend.local,
    address: Annotated[str | None, typer.Option(help="Address of an existing Ray cluster.")] = None,
    max_runs: MaxRunsOption = None,
    variant: Annotated[
        bool,
        typer.Option(
            "--variant", help="Store a changed config under a used name apart, as NAME~<hash>."
        ),
    ] = False,
    wait: Annotated[
        float,
        typer.Option("--wait", min=0, help="Seconds to wait for another run on the same --db."),
    ] = LOCK_WAIT,
    overrides: SetOption = None,
    tensorboard: Annotated[
        Path | None,
        typer.Option(
            "--tensorboard",
            help="Also write each run's metrics as TensorBoard event files under this directory.",
        ),
    ] = None,
) -> None:
    """Run an experiment (all sweep points x seeds); finished runs are skipped."""
    with user_errors():
        if not config.is_file():
            raise ConfigError("config", str(config), "an existing YAML file")
        source: Path | dict[str, Any] = config
        if overrides:
            source = apply_overrides(read_yaml(config), overrides)
        trackers = [] if tensorboard is None else [TensorBoardTracker(tensorboard)]
        results = run_and_report(
            source,
            db,
            workers,
            backend.value,
            address,
            max_runs=max_runs,
            variant=variant,
            wait=wait,
            trackers=trackers,
        )
    where(db, [results.experiment])
