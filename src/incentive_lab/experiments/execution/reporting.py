"""Read experiments from a store into report tables and write the HTML report.

The bridge between the store and :mod:`incentive_lab.evaluation.report` (which never
touches a database): each experiment's summary and metrics are read, their sweep points
flattened into columns, and MechBench metadata (description, objective, budget) attached
when the experiment is a scenario of :mod:`~incentive_lab.experiments.bench.suite`.
``Results.report`` and ``incentive-lab report`` (through ``results.report_store``) both end
here; the report's ``report.json`` is written beside the HTML (``NAME.json``), never over a
JSON file that is not an incentive-lab report. It reads results through the
:class:`ResultSource` protocol, so it never imports the ``results`` module that calls it.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd

from incentive_lab.core.errors import ConfigError
from incentive_lab.evaluation.report.model import analyse
from incentive_lab.evaluation.report.page import ExperimentTables, json_path, write_report
from incentive_lab.evaluation.report.verdicts import Verdict
from incentive_lab.experiments.bench.suite import scenario_of
from incentive_lab.experiments.execution.replay import replay_run


class ResultSource(Protocol):
    """What the report reads of one experiment (``execution.results.Results`` is one)."""

    @property
    def experiment(self) -> str:
        """The experiment's name."""

    @property
    def db_path(self) -> Path:
        """The store the results are read from."""

    def summary(self) -> pd.DataFrame:
        """Long-form summary rows with flattened point columns."""

    def metrics(self) -> pd.DataFrame:
        """Long-form metric rows with flattened point columns."""

    def runs(self) -> pd.DataFrame:
        """One row per run."""


def tables_of(
    results: ResultSource,
    thresholds: Mapping[str, float] | None = None,
    *,
    by_mechanism: bool = False,
    seed_curves: bool = False,
) -> ExperimentTables:
    """The report tables of one experiment (restricted to ``results.run_ids`` if set).

    ``thresholds``: practical threshold per objective metric (default: 1 % of the range of
    the candidates' means, ``evaluation.report.verdicts``); ``by_mechanism``: candidates are
    mechanisms alone (swept mechanism parameters become conditions); ``seed_curves``: thin
    per-seed learning curves.
    """
    summary = results.summary()
    metrics = results.metrics()
    runs = results.runs()
    scenario = scenario_of(results.experiment)
    design = design_meta(results.db_path, results.experiment, summary)
    if design is not None:
        return ExperimentTables(
            name=results.experiment,
            summary=summary,
            metrics=metrics,
            runs=runs,
            point_columns=tuple(summary.attrs.get("point_columns", [])),
            objective=design.objective,
            budget=design.budget,
            thresholds=dict(thresholds or {}),
            importances=design.importances,
            by_mechanism=by_mechanism,
            seed_curves=seed_curves,
            replay=replay_run,
        )
    return ExperimentTables(
        name=results.experiment,
        summary=summary,
        metrics=metrics,
        runs=runs,
        point_columns=tuple(summary.attrs.get("point_columns", [])),
        description=scenario.description if scenario else "",
        objective=scenario.objective if scenario else "social_welfare",
        budget=scenario.budget if scenario else None,
        mechanism_order=tuple(scenario.mechanisms) if scenario else (),
        thresholds=dict(thresholds or {}),
        by_mechanism=by_mechanism,
        seed_curves=seed_curves,
        replay=replay_run,
    )


@dataclass(frozen=True)
class DesignMeta:
    """What a design search's Optuna study knows and its stored runs do not."""

    objective: str
    budget: float | None
    importances: dict[str, float]


def design_meta(db: Path, experiment: str, summary: pd.DataFrame) -> DesignMeta | None:
    """Objective, budget and parameter importances of a design run (``None`` otherwise).

    Reads the study ``experiment`` in ``<db stem>-optuna.db`` beside the store (where
    ``incentive-lab design`` keeps it) when Optuna is installed: the budget is a trial's cost
    minus its ``constraints:budget`` (constraint mode), the objective the metric whose mean
    over seeds equals the trial's recorded objective, the importances Optuna's PED-ANOVA
    (as ``design`` computes them; 2+ parameters and 4+ trials).
    """
    path = Path(db).resolve()
    storage = path.with_name(f"{path.stem}-optuna.db")
    if "trial" not in summary.attrs.get("point_columns", []) or not storage.is_file():
        return None
    try:
        import optuna
    except ImportError:
        return None
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    try:
        study = optuna.load_study(study_name=experiment, storage=f"sqlite:///{storage}")
    except (KeyError, ValueError, RuntimeError):
        return None
    trials = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    if not trials:
        return None
    budgets = [
        float(t.user_attrs["incentive_cost"]) - float(t.system_attrs["constraints:budget"])
        for t in trials
        if "constraints:budget" in t.system_attrs and "incentive_cost" in t.user_attrs
    ]
    first = trials[0]
    objective = "social_welfare"
    if "objective" in first.user_attrs:
        rows = summary[summary["trial"] == first.number]
        means = rows.groupby("name")["value"].mean()
        hits = [str(n) for n, v in means.items() if abs(v - first.user_attrs["objective"]) < 1e-9]
        objective = hits[0] if hits else objective
    return DesignMeta(objective, budgets[0] if budgets else None, _importances(optuna, study))


def _importances(optuna: Any, study: Any) -> dict[str, float]:
    if len(study.trials[0].params) < 2 or len(study.trials) < 4:
        return {}
    sign = -1.0 if study.direction == optuna.study.StudyDirection.MAXIMIZE else 1.0
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            found = optuna.importance.get_param_importances(
                study,
                evaluator=optuna.importance.PedAnovaImportanceEvaluator(),
                target=lambda t: sign * float(t.user_attrs["objective"]),
            )
    except (RuntimeError, ValueError, ImportError, KeyError):
        return {}
    return {str(k): float(v) for k, v in found.items()}


def report_results(
    results: Sequence[ResultSource],
    out: str | Path,
    *,
    seed: int = 0,
    title: str | None = None,
    thresholds: Mapping[str, float] | None = None,
    by_mechanism: bool = False,
    seed_curves: bool = False,
) -> Path:
    """Write the report of several experiments' results to ``out``; return its path.

    ``thresholds``, ``by_mechanism``, ``seed_curves``: as :func:`tables_of`.
    """
    if not results:
        raise ConfigError("experiment", "<none>", "at least one experiment with finished runs")
    tables = [
        tables_of(r, thresholds, by_mechanism=by_mechanism, seed_curves=seed_curves)
        for r in results
    ]
    empty = [t.name for t in tables if t.summary.empty]
    if empty:
        raise ConfigError("experiment", empty[0], "an experiment with finished runs")
    source = str(Path(results[0].db_path))
    beside = json_path(out)
    if beside.exists() and b'"schema": "incentive-lab/report' not in beside.read_bytes()[:200]:
        raise ConfigError(
            "out", str(out), f"a path whose {beside.name} is absent or an incentive-lab report.json"
        )
    return write_report(
        out, tables, seed=seed, title=title or "incentive-lab report", source=source
    )


def best_mechanisms(
    results: Sequence[ResultSource], *, seed: int = 0
) -> list[tuple[str, list[Verdict]]]:
    """Per experiment and sweep point, the best candidate per objective (the report's summary).

    One entry per condition, named ``experiment (condition)`` when the experiment sweeps a
    game or learner parameter, so no sweep point hides another.
    """
    rng = np.random.default_rng(seed)
    out = []
    for result in results:
        found = analyse(tables_of(result), rng, seed).verdicts
        for condition in dict.fromkeys(v.condition for v in found):
            name = result.experiment + ("" if condition == "all" else f" ({condition})")
            out.append((name, [v for v in found if v.condition == condition]))
    return out
