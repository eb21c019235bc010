"""``incentive-lab run CONFIG``: run an experiment into the store (finished runs are skipped).

::

    incentive-lab run CONFIG [--db PATH] [--workers N] [--backend local|ray] [--address A]
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from incentive_lab.cli._common import (
    Backend,
    DbOption,
    WorkersOption,
    run_and_report,
    user_errors,
    where,
)
from incentive_lab.core.errors import ConfigError
from incentive_lab.experiments.execution.orchestrate import DEFAULT_DB


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
