"""Re-evaluating the chosen design on fresh seeds, after the search.

The best of many noisy trials is optimistic: its objective on the seeds it was selected on
is biased upwards (the *optimizer's curse*, Smith & Winkler 2006, "The Optimizer's Curse:
Skepticism and Postdecision Surprise in Decision Analysis", Management Science 52(3); the
same selection bias as model selection on the validation set, Cawley & Talbot 2010, JMLR
11). An honest estimate of the chosen mechanism's outcome needs seeds the search never saw.

After :func:`~incentive_lab.experiments.search.design.run_design` has its best feasible
trial, the trial's parameters are run again on ``design.reevaluate`` *fresh* seed indices:
the next indices after the largest seed index of the experiment (seeds ``0..4`` searched →
``5..9`` re-evaluated). Those are ordinary runs in the store under the experiment's name,
with the point ``{"reevaluation": <trial number>, <parameters>}`` (no ``trial`` key), so
``show``, ``export`` and SQL can select them, and a resumed or repeated search reuses them.
The report's design page (``evaluation.report``) shows their outcomes with CIs beside the
search seeds' estimate.

The interval is :func:`~incentive_lab.evaluation.statistics.seed_mean_ci` seeded with the
design's ``seed``: the mean over the fresh seeds with its 95% stratified percentile
bootstrap interval, as ``show`` and the report print them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from incentive_lab.core.errors import ConfigError
from incentive_lab.evaluation.report.analysis import REEVALUATION
from incentive_lab.evaluation.statistics import Estimate, seed_mean_ci
from incentive_lab.experiments.config.plan import RunTask, plan_runs
from incentive_lab.experiments.config.schema import MAX_SEED_INDEX
from incentive_lab.experiments.config.sweep import apply_point, label
from incentive_lab.experiments.execution.executors import execute
from incentive_lab.experiments.execution.store import RunStore
from incentive_lab.experiments.search.objectives import execute_design_run

COST = "incentive_cost"


@dataclass(frozen=True)
class Reevaluation:
    """The chosen trial re-run on fresh seeds."""

    trial: int
    """The re-evaluated trial's number."""
    seeds: tuple[int, ...]
    """The fresh seed indices (none of them used by the search)."""
    per_seed: tuple[float, ...]
    """The objective per fresh seed, in seed order."""
    estimate: Estimate
    """Mean objective over the fresh seeds with its 95% CI."""
    cost: float
    """Mean ``incentive_cost`` over the fresh seeds."""


def fresh_seeds(used: Sequence[int], count: int) -> tuple[int, ...]:
    """``count`` seed indices after the largest of ``used`` (``[0..4]``, 3 → ``(5, 6, 7)``)."""
    start = max(used, default=-1) + 1
    if start + count - 1 > MAX_SEED_INDEX:
        raise ConfigError(
            "design.reevaluate", count, f"fresh seed indices up to {MAX_SEED_INDEX} (fewer seeds)"
        )
    return tuple(range(start, start + count))


def tasks_for(
    base: dict[str, Any], trial: int, params: dict[str, Any], seeds: Sequence[int]
) -> list[RunTask]:
    """The runs of trial ``trial``'s ``params`` on ``seeds``, labelled as the re-evaluation."""
    coordinates = {REEVALUATION: trial, **{p: label(v) for p, v in params.items()}}
    config = apply_point({**base, "seeds": list(seeds)}, params)
    return [dataclasses.replace(task, point=coordinates) for task in plan_runs(config)]


def reevaluate(
    base: dict[str, Any],
    trial: int,
    params: dict[str, Any],
    count: int,
    metric: str,
    *,
    store: RunStore,
    summaries: dict[str, dict[str, float]],
    workers: int | None,
    backend: str,
    seed: int,
) -> Reevaluation:
    """Run (or reuse from the store) the chosen trial on ``count`` fresh seeds.

    ``base``: the experiment without ``seeds``/``sweep`` semantics beyond ``seeds`` (the
    search's seeds, from which the fresh ones follow); ``summaries``: run id → summary of the
    runs already stored (updated with the new ones).
    """
    seeds = fresh_seeds([int(s) for s in base["seeds"]], count)
    tasks = tasks_for(base, trial, params, seeds)
    todo = [t for t in tasks if metric not in summaries.get(t.run_id, {})]
    if todo:
        for result in execute(todo, workers=workers, backend=backend, fn=execute_design_run):
            store.write(result)
            summaries[result.run_id] = result.summary
    ordered = sorted(tasks, key=lambda t: t.seed_index)
    values = np.array([summaries[t.run_id][metric] for t in ordered], dtype=np.float64)
    costs = [summaries[t.run_id].get(COST, 0.0) for t in ordered]
    return Reevaluation(
        trial=trial,
        seeds=tuple(t.seed_index for t in ordered),
        per_seed=tuple(float(v) for v in values),
        estimate=seed_mean_ci(values, seed=seed),
        cost=float(np.mean(costs)),
    )
