"""incentive-lab: design, train and evaluate incentive mechanisms for learning agents."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from incentive_lab.experiments.execution.results import Results

__version__ = "0.1.0"


def run(
    config_or_yaml_path: Any, db: str | Path = "incentive-lab.duckdb", **kwargs: Any
) -> Results:
    """Run an experiment from a YAML path, a dict or a config; return its ``Results``.

    Keyword arguments: ``workers``, ``backend`` (``"local"`` or ``"ray"``), ``address``,
    ``progress`` — see
    :func:`incentive_lab.experiments.execution.orchestrate.run_experiment` (imported
    lazily so ``import incentive_lab`` stays light).
    """
    from incentive_lab.experiments.execution.orchestrate import run_experiment

    return run_experiment(config_or_yaml_path, db=db, **kwargs)
