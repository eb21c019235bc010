"""Experiments: configs, sweeps, phases, runs, storage and executors.

A YAML config (:func:`load_config`) expands into runs (:func:`plan_runs`, one
:class:`RunTask` per sweep point × seed index); :func:`execute_run` computes one run.
"""

from incentive_lab.experiments.config.loading import ExperimentConfig, load_config
from incentive_lab.experiments.config.plan import RunTask, plan_runs
from incentive_lab.experiments.config.records import RunResult, make_run_id
from incentive_lab.experiments.execution.runner import execute_run

__all__ = [
    "ExperimentConfig",
    "RunResult",
    "RunTask",
    "execute_run",
    "load_config",
    "make_run_id",
    "plan_runs",
]

# Storage, executors and orchestration (store.py, executors.py, orchestrate.py, results.py).
from incentive_lab.experiments.execution.executors import execute
from incentive_lab.experiments.execution.orchestrate import run_experiment
from incentive_lab.experiments.execution.results import Results
from incentive_lab.experiments.execution.store import RunStore

__all__ += ["Results", "RunStore", "execute", "run_experiment"]
