"""Mechanism search: budgeted black-box optimisation of config parameters with Optuna.

:func:`run_design` takes a design config (:mod:`~incentive_lab.experiments.search.schema`)
and runs an Optuna study over its ``design.space``::

    for each trial k (sequentially) until the study has ``trials`` completed trials:
        sample a point (TPE or random, seeded from (seed, k))
        plan the experiment with the point applied: every seed, common random numbers
        run the runs not yet in the store (our executors: local processes or Ray)
        objective = mean over seeds of the runs' summaries; cost = mean incentive_cost
        tell Optuna: objective (constraint mode; cost <= budget as a constraint)
                     or objective − w · max(0, cost − budget) (penalty mode)

Runs land in the ordinary DuckDB run store under the config's name, with the trial number
and the parameters as their point (``{"trial": 3, "mechanism.params.taxes.1": 2.7}``), so
``show`` and reports group them by trial. A run is a pure function of its config and seed,
so a point sampled twice reuses the stored runs.

**Resuming.** Study state lives in Optuna's own storage (default: a SQLite file next to the
run store, ``sqlite:///<db stem>-optuna.db``), study name = the config's name. Running the
same command again continues the study: trials left RUNNING by a killed driver are marked
FAIL, and trials are added until ``trials`` have completed. Trial ``k`` (the ``k``-th
*completed* trial) is sampled by a sampler seeded with ``seed·1_000_003 + k``, so its point
depends only on the seed and the completed trials before it: a search killed and resumed
gives the same completed trials (and best trial) as an uninterrupted one. (Optuna's TPE
with one fixed seed would not: its random stream restarts with the process.) One driver per
study; the runs of one trial are parallel, trials are sequential.

**Result.** :class:`DesignResult`: every completed trial (parameters, objective, cost,
feasibility), the best feasible trial with a 95% stratified-bootstrap CI of the objective
over seeds (``evaluation.statistics.bootstrap_ci``, rng seeded with ``seed``), that trial
re-run on ``design.reevaluate`` fresh seeds (:mod:`.reevaluate`: the search's estimate of
its own winner is optimistic), and the
parameters' importances (``optuna.importance``, PED-ANOVA of Watanabe et al. 2023, Optuna's
default evaluator: deterministic, no scikit-learn) when there are >= 2 parameters and >= 4
completed trials. Optuna is optional: ``pip install -e ".[design]"`` in the checkout.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from incentive_lab.core.errors import ConfigError
from incentive_lab.core.extras import install_hint
from incentive_lab.evaluation.statistics import Estimate, bootstrap_ci
from incentive_lab.experiments.config.plan import RunTask, plan_runs
from incentive_lab.experiments.config.records import canonical_json
from incentive_lab.experiments.config.resolve import EXPERIMENT_ONLY
from incentive_lab.experiments.config.sweep import apply_point, label
from incentive_lab.experiments.execution.executors import check_options, execute
from incentive_lab.experiments.execution.orchestrate import DEFAULT_DB
from incentive_lab.experiments.execution.ray_start import ray_session
from incentive_lab.experiments.execution.store import RunStore, check_database_file
from incentive_lab.experiments.search.objectives import execute_design_run
from incentive_lab.experiments.search.reevaluate import Reevaluation, reevaluate
from incentive_lab.experiments.search.schema import (
    ChoiceSpec,
    DesignSpec,
    RangeSpec,
    load_design,
)

COST = "incentive_cost"
FINGERPRINT = "incentive_lab_design"


@dataclass(frozen=True)
class TrialOutcome:
    """One completed trial: its point and the outcome averaged over seeds."""

    number: int
    params: dict[str, Any]
    objective: float
    cost: float
    feasible: bool
    per_seed: tuple[float, ...]


@dataclass(frozen=True)
class DesignResult:
    """What a search found (also what the CLI prints)."""

    experiment: str
    study_name: str
    storage: str
    db_path: Path
    objective: str
    direction: str
    budget: float | None
    budget_mode: str
    trials: tuple[TrialOutcome, ...]
    best: TrialOutcome | None
    best_ci: Estimate | None
    importances: dict[str, float] | None
    reevaluation: Reevaluation | None = None
    """The best trial re-run on fresh seeds (:mod:`.reevaluate`); ``None`` if not asked."""

    def table(self) -> pd.DataFrame:
        """One row per completed trial: number, parameters, objective, cost, feasible."""
        rows = [
            {
                "trial": t.number,
                **{k: label(v) for k, v in t.params.items()},
                self.objective: t.objective,
                COST: t.cost,
                "feasible": t.feasible,
            }
            for t in self.trials
        ]
        return pd.DataFrame(rows)


def default_storage(db: str | Path) -> str:
    """``sqlite:///<db dir>/<db stem>-optuna.db`` (absolute), next to the run store."""
    path = Path(db).resolve()
    return f"sqlite:///{path.with_name(f'{path.stem}-optuna.db')}"


def _import_optuna() -> Any:
    try:
        import optuna
    except ImportError:
        raise ConfigError(
            "design", "optuna", f"needs Optuna installed: {install_hint('design')}"
        ) from None
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna


def run_design(
    config: str | Path | dict[str, Any],
    *,
    db: str | Path = DEFAULT_DB,
    workers: int | None = None,
    backend: str = "local",
    address: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> DesignResult:
    """Run (or resume) the search of a design config; see the module docstring.

    ``config``: a YAML path or a mapping. ``workers``: parallel runs of a trial (default:
    number of cores). Bad input raises :class:`ConfigError` before any file is written.
    """
    experiment, design = load_design(config)
    check_options(workers, backend, address)
    db_path = Path(db)
    check_database_file(db_path)
    optuna = _import_optuna()
    storage = design.storage or default_storage(db_path)
    study_name = design.study_name or experiment.name
    base = {k: v for k, v in experiment.model_dump(mode="json").items() if k not in EXPERIMENT_ONLY}
    base["seeds"] = list(experiment.seed_indices)
    base["seed"] = experiment.seed
    study = _open_study(optuna, storage, study_name, design, base)
    # Ray is started (or joined) once for the whole search, not once per trial.
    session = ray_session(workers, address) if backend == "ray" else contextlib.nullcontext()
    with session, RunStore(db_path) as store:
        summaries = _stored_summaries(store, experiment.name)
        done = _completed(optuna, study)
        if progress is not None:
            progress(min(done, design.trials), design.trials)
        while done < design.trials:
            size = min(design.batch, design.trials - done)
            batch = range(done, done + size)
            _run_batch(optuna, study, design, base, batch, store, summaries, workers, backend)
            done += size
            if progress is not None:
                progress(done, design.trials)
        result = _result(optuna, study, design, experiment.name, study_name, storage, db_path)
        if result.best is None or not design.reevaluate:
            return result
        again = reevaluate(
            base, result.best.number, result.best.params, design.reevaluate,
            design.goal.metric, store=store, summaries=summaries, workers=workers,
            backend=backend, seed=design.seed,
        )  # fmt: skip
    return dataclasses.replace(result, reevaluation=again)


def _open_study(
    optuna: Any, storage: str, name: str, design: DesignSpec, base: dict[str, Any]
) -> Any:
    """Create or load the study; a stored study of a different design is an error."""
    fingerprint = canonical_json(
        {
            "base": base,
            "design": design.model_dump(mode="json", exclude={"trials", "storage", "reevaluate"}),
        }
    )
    try:
        study = optuna.create_study(
            storage=storage, study_name=name, direction=design.sense, load_if_exists=True
        )
    except (ValueError, ImportError, optuna.exceptions.OptunaError) as error:
        raise ConfigError("design.storage", storage, f"a usable Optuna storage ({error})") from None
    stored = study.user_attrs.get(FINGERPRINT)
    if stored is None:
        study.set_user_attr(FINGERPRINT, fingerprint)
    elif stored != fingerprint:
        raise ConfigError(
            "design.study_name",
            name,
            "a study of this same design (the stored study searched another config, space or "
            "objective); choose another study_name or storage",
        )
    for trial in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.RUNNING,)):
        study._storage.set_trial_state_values(trial._trial_id, optuna.trial.TrialState.FAIL)
    return study


def _completed(optuna: Any, study: Any) -> int:
    return len(study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,)))


def _sampler(optuna: Any, design: DesignSpec, k: int) -> Any:
    """The sampler of the ``k``-th completed trial (seeded from ``seed`` and ``k``)."""
    seed = (design.seed * 1_000_003 + k) % 2**32
    if design.sampler == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    return optuna.samplers.TPESampler(seed=seed, n_startup_trials=design.startup_trials)


def _suggest(trial: Any, path: str, entry: RangeSpec | ChoiceSpec) -> Any:
    if isinstance(entry, ChoiceSpec):
        scalar = all(v is None or isinstance(v, bool | int | float | str) for v in entry.choices)
        if scalar:
            return trial.suggest_categorical(path, entry.choices)
        keys = [canonical_json(v) for v in entry.choices]
        return entry.choices[keys.index(trial.suggest_categorical(path, keys))]
    if entry.type == "int":
        step = int(entry.step) if entry.step is not None else 1
        return trial.suggest_int(path, int(entry.low), int(entry.high), step=step, log=entry.log)
    return trial.suggest_float(path, entry.low, entry.high, step=entry.step, log=entry.log)


def _run_batch(
    optuna: Any,
    study: Any,
    design: DesignSpec,
    base: dict[str, Any],
    batch: range,
    store: RunStore,
    summaries: dict[str, dict[str, float]],
    workers: int | None,
    backend: str,
) -> None:
    """Ask the trials ``batch``, run all their seeds at once, then tell each its objective.

    Trial ``k`` is sampled with the ``k``-th seed; runs are written as they arrive, so a
    killed batch resumes without recomputing them.
    """
    asked: list[tuple[Any, dict[str, Any], list[RunTask]]] = []
    try:
        for k in batch:
            study.sampler = _sampler(optuna, design, k)
            trial = study.ask()
            asked.append((trial, {}, []))
            point = {path: _suggest(trial, path, entry) for path, entry in design.space.items()}
            coordinates = {"trial": trial.number, **{p: label(v) for p, v in point.items()}}
            tasks = [
                dataclasses.replace(task, point=coordinates)
                for task in plan_runs(apply_point(base, point))
            ]
            asked[-1] = (trial, point, tasks)
        metric = design.goal.metric
        todo = [
            t for _, _, tasks in asked for t in tasks if metric not in summaries.get(t.run_id, {})
        ]
        if todo:
            for result in execute(todo, workers=workers, backend=backend, fn=execute_design_run):
                store.write(result)
                summaries[result.run_id] = result.summary
    except BaseException:
        for trial, _, _ in asked:
            study.tell(trial, state=optuna.trial.TrialState.FAIL)
        raise
    for trial, point, tasks in asked:
        values = [summaries[t.run_id][metric] for t in tasks]
        costs = [summaries[t.run_id].get(COST, 0.0) for t in tasks]
        objective, cost = float(np.mean(values)), float(np.mean(costs))
        trial.set_user_attr("objective", objective)
        trial.set_user_attr(COST, cost)
        trial.set_user_attr("per_seed", [float(v) for v in values])
        trial.set_user_attr("point", canonical_json(point))
        if design.budget is not None and design.budget_mode == "constraint":
            trial.set_constraint("budget", cost - design.budget)  # <= 0: feasible (TPE uses it)
        study.tell(trial, _told_value(design, objective, cost))


def _told_value(design: DesignSpec, objective: float, cost: float) -> float:
    if design.budget is None or design.budget_mode == "constraint":
        return objective
    penalty = design.penalty_weight * max(0.0, cost - design.budget)
    return objective - penalty if design.sense == "maximize" else objective + penalty


def _stored_summaries(store: RunStore, experiment: str) -> dict[str, dict[str, float]]:
    frame = store.summary(experiment)
    out: dict[str, dict[str, float]] = {}
    for run_id, name, value in zip(frame["run_id"], frame["name"], frame["value"], strict=True):
        out.setdefault(str(run_id), {})[str(name)] = float(value)
    return out


def _result(
    optuna: Any,
    study: Any,
    design: DesignSpec,
    experiment: str,
    study_name: str,
    storage: str,
    db_path: Path,
) -> DesignResult:
    outcomes = []
    for trial in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,)):
        cost = float(trial.user_attrs[COST])
        params = _decoded(trial.user_attrs["point"])
        outcomes.append(
            TrialOutcome(
                number=int(trial.number),
                params=params,
                objective=float(trial.user_attrs["objective"]),
                cost=cost,
                feasible=design.budget is None or cost <= design.budget,
                per_seed=tuple(float(v) for v in trial.user_attrs["per_seed"]),
            )
        )
    sign = 1.0 if design.sense == "maximize" else -1.0
    feasible = [t for t in outcomes if t.feasible and math.isfinite(t.objective)]
    best = max(feasible, key=lambda t: (sign * t.objective, -t.number), default=None)
    best_ci = None
    if best is not None:
        best_ci = bootstrap_ci(list(best.per_seed), np.random.default_rng(design.seed))
    return DesignResult(
        experiment=experiment,
        study_name=study_name,
        storage=storage,
        db_path=db_path,
        objective=design.objective,
        direction=design.sense,
        budget=design.budget,
        budget_mode=design.budget_mode,
        trials=tuple(outcomes),
        best=best,
        best_ci=best_ci,
        importances=_importances(optuna, study, design, len(outcomes)),
    )


def _decoded(raw: str) -> dict[str, Any]:
    value = json.loads(raw)
    return dict(value) if isinstance(value, dict) else {}


def _importances(
    optuna: Any, study: Any, design: DesignSpec, completed: int
) -> dict[str, float] | None:
    if len(design.space) < 2 or completed < 4:
        return None
    evaluator = optuna.importance.PedAnovaImportanceEvaluator()
    sign = -1.0 if design.sense == "maximize" else 1.0  # PED-ANOVA: low target is good

    def target(trial: Any) -> float:
        return sign * float(trial.user_attrs["objective"])  # the objective, never a penalty

    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*low `target` values", category=UserWarning)
            result = optuna.importance.get_param_importances(
                study, evaluator=evaluator, target=target
            )
    except (RuntimeError, ValueError, ImportError):
        return None
    return {str(k): float(v) for k, v in result.items()}


__all__ = [
    "DesignResult",
    "TrialOutcome",
    "default_storage",
    "run_design",
]
