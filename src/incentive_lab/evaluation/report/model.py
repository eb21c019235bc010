"""Everything a report says, as data: the HTML page and ``report.json`` both render this.

:func:`analyse` turns one experiment's tables into an :class:`Analysis` (candidates,
conditions, estimates, effects against the baseline, verdicts, warnings);
:func:`cross_scenario` aggregates the primary objective over every (experiment, condition)
task (:mod:`incentive_lab.evaluation.aggregates`); :func:`report_record` is the JSON
document described in ``docs/report.md``. Because the page and the JSON are built from the
same objects, they cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from incentive_lab.evaluation import aggregates
from incentive_lab.evaluation.report.analysis import (
    CONDITION,
    MECHANISM,
    ExperimentTables,
    Prepared,
    final_stats,
    prepare,
)
from incentive_lab.evaluation.report.reevaluation import Reevaluated, reevaluations
from incentive_lab.evaluation.report.verdicts import Verdict, effects, no_effect, verdicts
from incentive_lab.evaluation.statistics import interval_warnings

SCHEMA = "incentive-lab/report/1"
AGGREGATE_RESAMPLES = 2000
PROFILE_TAUS = tuple(float(t) for t in np.linspace(0.0, 1.0, 21))


@dataclass
class Analysis:
    """One experiment, analysed."""

    prep: Prepared
    final: pd.DataFrame
    effects: pd.DataFrame
    verdicts: list[Verdict]
    no_effect: dict[str, list[str]]
    """Condition → candidates equal to the baseline on every non-cost objective."""
    warnings: list[str]
    reevaluations: list[Reevaluated] = field(default_factory=list)
    """A design's chosen trial(s) re-run on fresh seeds (:mod:`.reevaluation`)."""


def analyse(tables: ExperimentTables, rng: np.random.Generator, seed: int) -> Analysis:
    """The numbers of one experiment (``seed`` seeds every per-row interval, as ``show``)."""
    prep = prepare(tables)
    final = final_stats(prep, seed)
    table = effects(prep, final, rng)
    found = verdicts(prep, final, table, rng)
    quiet = {c: no_effect(prep, table, c) for c in prep.conditions}
    counts = prep.summary.groupby([MECHANISM, CONDITION])["seed_index"].nunique()
    warned = interval_warnings(int(counts.min()))
    return Analysis(prep, final, table, found, quiet, warned, reevaluations(prep, final, seed))


@dataclass
class CrossScenario:
    """Aggregates of the primary objective across (experiment, condition) tasks."""

    tasks: list[str]
    metric: str
    scores: dict[str, np.ndarray]
    table: pd.DataFrame
    profiles: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]
    pairs: pd.DataFrame


def cross_scenario(items: list[Analysis], rng: np.random.Generator) -> CrossScenario | None:
    """Aggregates over every task of ``items`` (``None`` with fewer than two tasks)."""
    frames = []
    metrics = {a.prep.primary for a in items}
    if len(metrics) != 1:
        return None
    metric = metrics.pop()
    for a in items:
        rows = a.prep.summary[a.prep.summary["name"] == metric]
        task = a.prep.tables.name + rows[CONDITION].map(lambda c: "" if c == "all" else f" {c}")
        frames.append(rows.assign(task=task))
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if frame.empty or frame["task"].nunique() < 2:
        return None
    frame = _common_block(frame)
    if frame.empty:
        return None
    scores = aggregates.task_scores(frame, "task", MECHANISM, "seed_index", "value")
    if len(scores) < 2:
        return None
    table = aggregates.aggregate_table(scores, rng, n_resamples=AGGREGATE_RESAMPLES)
    profiles = {
        c: aggregates.performance_profile_ci(s, PROFILE_TAUS, rng, n_resamples=AGGREGATE_RESAMPLES)
        for c, s in scores.items()
    }
    pairs = aggregates.improvement_pairs(scores, rng, n_resamples=AGGREGATE_RESAMPLES)
    tasks = [t for t in dict.fromkeys(frame["task"])]
    return CrossScenario(tasks, metric, scores, table, profiles, pairs)


def _common_block(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of the largest block of candidates × tasks where every candidate ran.

    rliable's aggregates need the same candidates on every task: candidates are taken by how
    many tasks they ran on (most first) and the block with the most (candidate, task) cells
    (ties: more tasks) is kept, needing at least 2 candidates and 2 tasks.
    """
    have: dict[str, set[str]] = {}
    for task, candidate in zip(frame["task"], frame[MECHANISM], strict=True):
        have.setdefault(str(task), set()).add(str(candidate))
    counts = frame.groupby(MECHANISM)["task"].nunique().sort_values(ascending=False, kind="stable")
    order = [str(c) for c in counts.index]
    best: tuple[int, int, list[str], list[str]] = (0, 0, [], [])
    for k in range(2, len(order) + 1):
        chosen = order[:k]
        tasks = [t for t, got in have.items() if set(chosen) <= got]
        if len(tasks) >= 2 and (k * len(tasks), len(tasks)) > best[:2]:
            best = (k * len(tasks), len(tasks), chosen, tasks)
    _, _, chosen, tasks = best
    return frame[frame[MECHANISM].isin(chosen) & frame["task"].isin(tasks)]


def _rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for record in frame.to_dict(orient="records"):
        out.append({str(k): _plain(v) for k, v in record.items()})
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def experiment_record(a: Analysis) -> dict[str, Any]:
    """One experiment of ``report.json``."""
    prep = a.prep
    estimates = a.final.rename(columns={MECHANISM: "candidate"})
    keep = ["candidate", "condition", "metric", "mean", "ci_low", "ci_high", "n"]
    objectives = [
        {
            "metric": o.metric,
            "title": o.title,
            "unit": o.unit,
            "higher_is_better": o.higher_is_better,
            "cost": o.cost,
        }
        for o in prep.objectives
    ]
    return {
        "name": prep.tables.name,
        "baseline": prep.baseline,
        "primary_objective": prep.primary,
        "budget": prep.tables.budget,
        "seeds": prep.seeds,
        "candidates": [
            {"label": c, "mechanism_label": prep.full_labels.get(c.split(" ", 1)[0], c)}
            for c in prep.mechanisms
        ],
        "candidate_columns": prep.candidate_columns,
        "condition_columns": prep.swept,
        "conditions": prep.conditions,
        "objectives": objectives,
        "thresholds": {
            o.metric: prep.rules[o.metric].record()
            for o in prep.objectives
            if o.metric in prep.rules
        },
        "estimates": _rows(
            estimates[estimates["metric"].isin([o.metric for o in prep.objectives])][keep]
        ),
        "effects": _rows(a.effects),
        "no_effect": a.no_effect,
        "verdicts": [v.record() for v in a.verdicts],
        "warnings": a.warnings,
        "design": {
            "importances": dict(prep.tables.importances),
            "reevaluations": [r.record() for r in a.reevaluations],
        }
        if prep.tables.importances or a.reevaluations
        else None,
    }


def cross_record(cross: CrossScenario | None) -> dict[str, Any] | None:
    """The aggregates of ``report.json`` (``None`` when there are none)."""
    if cross is None:
        return None
    return {
        "metric": cross.metric,
        "normalisation": "per task, min-max between the lowest and highest candidate mean",
        "tasks": cross.tasks,
        "aggregates": _rows(cross.table),
        "performance_profiles": {
            c: {
                "tau": list(PROFILE_TAUS),
                "value": v.tolist(),
                "ci_low": lo.tolist(),
                "ci_high": hi.tolist(),
            }
            for c, (v, lo, hi) in cross.profiles.items()
        },
        "probability_of_improvement": _rows(cross.pairs),
    }


def report_record(
    items: list[Analysis], cross: CrossScenario | None, *, seed: int, version: str
) -> dict[str, Any]:
    """The whole ``report.json`` document."""
    return {
        "schema": SCHEMA,
        "generator": f"incentive-lab {version}",
        "bootstrap_seed": seed,
        "interval": "mean over seeds, 95% stratified percentile bootstrap, 2000 resamples",
        "experiments": [experiment_record(a) for a in items],
        "aggregates": cross_record(cross),
    }
