"""incentive-lab: design, train and evaluate incentive mechanisms for learning agents."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from incentive_lab.experiments.execution.results import Results

__version__ = "0.1.0"


def run(
    config_or_yaml_path: Any,
    db: str | Path = "incentive-lab.duckdb",
    *,
    progress: bool | Callable[[int, int | None], None] | None = True,
    **kwargs: Any,
) -> Results:
    """Run an experiment from a YAML path, a dict or a config; return its ``Results``.

    ``progress``: ``True`` (default) draws a progress bar (on stderr; in a notebook, in the
    cell's output), ``False``/``None`` nothing, or a callable ``(done, total)`` of your own.
    Other keyword arguments: ``workers``, ``backend`` (``"local"`` or ``"ray"``),
    ``address`` — see
    :func:`incentive_lab.experiments.execution.orchestrate.run_experiment` (imported
    lazily so ``import incentive_lab`` stays light).
    """
    from incentive_lab.experiments.execution.orchestrate import run_experiment

    if progress is True:
        from incentive_lab.experiments.progress import ProgressBar

        with ProgressBar("runs") as bar:
            return run_experiment(config_or_yaml_path, db=db, progress=bar, **kwargs)
    hook = None if progress is False else progress
    return run_experiment(config_or_yaml_path, db=db, progress=hook, **kwargs)
