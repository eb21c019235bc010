"""The numbers behind a report: candidates, conditions, statistics over seeds, curves.

Input is one experiment's long-form tables (:class:`ExperimentTables`, built by the
experiments layer from the store). A *candidate* is one point of the mechanism's part of the
sweep: the swept ``mechanism`` spec and every swept ``mechanism.…`` parameter together,
labelled by its values (``action_tax taxes=[0, 2.5]``; the bare mechanism id when it is
unambiguous). Every other swept column (a game or learner parameter) is a *condition*
(``r_d=4.0``); candidates are compared within each condition, never pooled across sweep
points. The label of a candidate lives in the ``mechanism`` column of the prepared tables.

Seeds are the replication unit. The estimate of a candidate in a condition is
:func:`~incentive_lab.evaluation.statistics.seed_mean_ci` (the mean over seeds with its 95%
stratified percentile-bootstrap interval, generator seeded with the report's seed), the very
interval ``incentive-lab show`` prints for the same runs.

* per condition: each candidate's final outcome (the run summaries) with its CI;
* curves: per recorded step the mean over seeds and a per-step percentile-bootstrap CI;
* scores: candidate → ``float64[n_seeds]`` of one condition, rows ordered by seed index,
  for paired (common-random-number) comparisons.

Every other random draw comes from the ``rng`` passed in, in a fixed order, so a report of
the same data with the same seed is identical.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from incentive_lab.evaluation.report.thresholds import Rule, rules_for
from incentive_lab.evaluation.statistics import DEFAULT_SEED, seed_mean_ci, stratified_resamples

if TYPE_CHECKING:
    from incentive_lab.evaluation.episode_frames import Replay

MECHANISM = "mechanism"
"""Column of the prepared tables holding the candidate label."""
CONDITION = "condition"
N_RESAMPLES = 1000
"""Resamples of the per-step curve bands and the game-specific figures."""


@dataclass(frozen=True)
class Objective:
    """A metric the designer cares about and which direction is better."""

    metric: str
    title: str
    unit: str
    higher_is_better: bool
    best: str
    """How the winner is described (``highest social welfare``)."""
    cost: bool = False
    """A cost objective: ranks only candidates that improve the primary objective."""


SPEND = Objective(
    "incentive_spend", "Incentive cost", "paid out by the designer per step", False,
    "lowest designer spend", cost=True,
)  # fmt: skip
LEGACY_COST = Objective(
    "incentive_cost", "Incentive cost", "gross volume paid + collected per step", False,
    "lowest incentive volume", cost=True,
)  # fmt: skip
OBJECTIVES = (
    Objective(
        "social_welfare", "Social welfare", "total base reward per step", True,
        "highest social welfare",
    ),
    Objective(
        "cooperation_rate", "Cooperation", "fraction of agent-steps", True, "most cooperation"
    ),
    Objective(
        "gini", "Fairness (Gini)", "Gini of mean rewards, 0 = equal", False,
        "fairest (lowest Gini)",
    ),
    SPEND,
)  # fmt: skip
"""The objectives of the summary and the improvement table, in display order. Runs stored
before ``incentive_spend`` existed are ranked on :data:`LEGACY_COST` (``incentive_cost``, the
gross volume of money moved) instead, and say so."""


@dataclass(frozen=True)
class ExperimentTables:
    """One experiment's stored data (long form, sweep points flattened into columns).

    ``summary``: ``run_id, seed_index, name, value`` + point columns; ``metrics``: the same
    with ``step``; ``runs``: ``run_id, point`` (JSON), ``config`` (JSON), ``package_version``.
    """

    name: str
    summary: pd.DataFrame
    metrics: pd.DataFrame
    runs: pd.DataFrame
    point_columns: tuple[str, ...] = ()
    description: str = ""
    objective: str = "social_welfare"
    budget: float | None = None
    mechanism_order: tuple[str, ...] = ()
    """Preferred order of the mechanism labels (e.g. the sweep order); others follow."""
    thresholds: Mapping[str, float] = field(default_factory=dict)
    """Absolute practical threshold per objective metric, overriding the stored config's
    ``report.thresholds`` and the default 1 % of the candidates' range (:mod:`.thresholds`)."""
    importances: Mapping[str, float] = field(default_factory=dict)
    """A design search's parameter importances (Optuna PED-ANOVA), when known."""
    by_mechanism: bool = False
    """Candidates are mechanisms alone: swept ``mechanism.…`` parameters become conditions
    (compared within each value, never pooled)."""
    seed_curves: bool = False
    """Draw one thin learning curve per seed under each mean."""
    replay: Replay | None = None
    """Who re-plays a stored run for an episode strip (an ``episode_frames.Replay``; the
    experiments layer passes its phase-aware one); ``None``: up to the first phase only."""


@dataclass
class Prepared:
    """An experiment ready for statistics: ``mechanism`` (candidate) and ``condition`` added."""

    tables: ExperimentTables
    summary: pd.DataFrame
    metrics: pd.DataFrame
    mechanisms: list[str]
    """The candidate labels, baseline first."""
    full_labels: dict[str, str]
    swept: list[str]
    """The condition columns (swept parameters that are not the mechanism's)."""
    conditions: list[str]
    baseline: str
    metric_names: list[str] = field(default_factory=list)
    candidate_columns: list[str] = field(default_factory=list)
    rules: dict[str, Rule] = field(default_factory=dict)
    """Metric → how its practical threshold is set (:mod:`.thresholds`)."""
    reevaluation: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Summary rows of a design's re-evaluation runs (column ``reevaluation`` = the trial)."""

    @property
    def candidates(self) -> list[str]:
        """The candidate labels (alias of ``mechanisms``)."""
        return self.mechanisms

    @property
    def objectives(self) -> list[Objective]:
        """The objectives this experiment recorded (legacy cost when spend is absent)."""
        found = [o for o in OBJECTIVES if o.metric in self.metric_names]
        if SPEND.metric not in self.metric_names and LEGACY_COST.metric in self.metric_names:
            found.append(LEGACY_COST)
        return found

    @property
    def primary(self) -> str:
        """The metric the designer maximises (the scenario's objective)."""
        return self.tables.objective

    @property
    def seeds(self) -> int:
        """The number of distinct seed indices."""
        return int(self.summary["seed_index"].nunique())


def short_names(labels: list[str]) -> dict[str, str]:
    """Full mechanism label → display name: the bare id when no other label shares it."""
    ids = [lab.split("(", 1)[0] for lab in labels]
    return {lab: i if ids.count(i) == 1 else lab for lab, i in zip(labels, ids, strict=True)}


def _base_mechanism(runs: pd.DataFrame) -> str:
    if runs.empty:
        return "none"
    config = json.loads(runs["config"].iloc[0])
    return str(config.get("mechanism", {}).get("id", "none"))


def value_text(value: Any) -> str:
    """A coordinate as text: JSON lists and numbers with ``:g`` (``[0.0,2.5]`` → ``[0, 2.5]``)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return value
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, int | float | np.number):
        return f"{float(value):g}"
    if isinstance(value, list):
        return "[" + ", ".join(value_text(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {value_text(v)}" for k, v in value.items()) + "}"
    return str(value)


def _condition_labels(frame: pd.DataFrame, swept: list[str]) -> pd.Series:
    if not swept:
        return pd.Series("all", index=frame.index, dtype=object)
    parts = [frame[c].map(lambda v, c=c: f"{c.rsplit('.', 1)[-1]}={v}") for c in swept]
    out = parts[0]
    for part in parts[1:]:
        out = out + ", " + part
    return out.astype(object)


def _sort_values(values: list[Any]) -> list[Any]:
    numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
    return sorted(values) if numeric else values


TRIAL = "trial"
"""The point column of a design search's trial number (each trial is a candidate)."""
REEVALUATION = "reevaluation"
"""The point column of a design's re-evaluation runs on fresh seeds (the trial number they
re-run, ``experiments.search.reevaluate``): those rows are kept apart from the candidates
(:attr:`Prepared.reevaluation`)."""


def is_candidate_column(column: str) -> bool:
    """Whether a swept column belongs to the candidate (mechanism, its params, design trial)."""
    return column in (MECHANISM, TRIAL) or column.startswith(MECHANISM + ".")


def _short_path(column: str) -> str:
    """``mechanism.params.taxes.1`` → ``taxes.1``; ``trial`` → ``trial``."""
    for prefix in (MECHANISM + ".params.", MECHANISM + "."):
        if column.startswith(prefix):
            return column[len(prefix) :]
    return column


def _candidate_labels(
    frame: pd.DataFrame, columns: list[str], names: dict[str, str], base: str
) -> pd.Series:
    if MECHANISM in columns:
        head = frame[MECHANISM].astype(str).map(names)
    else:
        head = pd.Series(base, index=frame.index, dtype=object)
    out = head.astype(object)
    for column in (c for c in columns if c != MECHANISM):
        name = _short_path(column)
        out = out + frame[column].map(lambda v, name=name: f" {name}={value_text(v)}")
    return out.astype(object)


def prepare(tables: ExperimentTables) -> Prepared:
    """Label every row with its candidate and its condition."""
    points = [c for c in tables.point_columns if c in tables.summary.columns and c != REEVALUATION]

    def candidate(column: str) -> bool:
        if tables.by_mechanism:
            return column in (MECHANISM, TRIAL)
        return is_candidate_column(column)

    candidate_columns = [c for c in points if candidate(c)]
    swept = [c for c in points if not candidate(c)]
    summary, metrics = tables.summary.copy(), tables.metrics.copy()
    again = pd.DataFrame(columns=summary.columns)
    if REEVALUATION in summary.columns:
        again = summary[summary[REEVALUATION].notna()]
        summary = summary[summary[REEVALUATION].isna()].copy()
    if REEVALUATION in metrics.columns:
        metrics = metrics[metrics[REEVALUATION].isna()].copy()
    if MECHANISM in points:
        full = list(dict.fromkeys(summary[MECHANISM].astype(str)))
        preferred = [m for m in tables.mechanism_order if m in full]
        full = preferred + [m for m in full if m not in preferred]
    else:
        full = [_base_mechanism(tables.runs)]
    names = short_names(full)
    base = full[0]
    for frame in (summary, metrics):
        frame[MECHANISM] = _candidate_labels(frame, candidate_columns, names, names[base])
        frame[CONDITION] = _condition_labels(frame, swept)
    ordered = summary.sort_values(TRIAL, kind="stable") if TRIAL in candidate_columns else summary
    labels = list(dict.fromkeys(ordered[MECHANISM]))
    rank = {names[f]: k for k, f in enumerate(full)}
    candidates = sorted(labels, key=lambda lab: rank.get(lab.split(" ", 1)[0], len(rank)))
    order = [
        str(_condition_labels(pd.DataFrame([values], columns=swept), swept).iloc[0])
        for values in _ordered_points(summary, swept)
    ]
    baseline = "none" if "none" in candidates else candidates[0]
    candidates.remove(baseline)
    candidates.insert(0, baseline)
    return Prepared(
        tables=tables,
        summary=summary,
        metrics=metrics,
        mechanisms=candidates,
        full_labels={names[f]: f for f in full},
        swept=swept,
        conditions=order or ["all"],
        baseline=baseline,
        metric_names=sorted(set(summary["name"])),
        candidate_columns=candidate_columns,
        rules=rules_for(
            sorted(set(summary["name"])),
            tables.thresholds,
            tables.runs["config"] if "config" in tables.runs.columns else (),
        ),
        reevaluation=again,
    )


def _ordered_points(summary: pd.DataFrame, swept: list[str]) -> list[list[Any]]:
    if not swept:
        return []
    frame = summary[swept].drop_duplicates()
    rows = [list(r) for r in frame.itertuples(index=False)]
    for k in reversed(range(len(swept))):
        order = _sort_values(list(dict.fromkeys(r[k] for r in rows)))
        rank = {repr(value): position for position, value in enumerate(order)}

        def key(row: list[Any], k: int = k, rank: dict[str, int] = rank) -> int:
            return rank[repr(row[k])]

        rows.sort(key=key)
    return rows


def final_stats(prep: Prepared, seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """Per candidate, condition and metric: ``mean, ci_low, ci_high, n`` (as ``show``).

    The interval is :func:`~incentive_lab.evaluation.statistics.seed_mean_ci` of the values
    ordered by seed index, generator seeded with ``seed`` for each row.
    """
    rows = prep.summary[np.isfinite(prep.summary["value"].to_numpy(dtype=float))]
    out = []
    keys = [MECHANISM, CONDITION, *prep.swept, "name"]
    for key, part in rows.groupby(keys, sort=False, dropna=False):
        values = part.sort_values("seed_index", kind="stable")["value"].to_numpy(np.float64)
        est = seed_mean_ci(values, seed=seed)
        out.append((*key, est.value, est.ci_low, est.ci_high, values.size))
    columns = [MECHANISM, CONDITION, *prep.swept, "metric", "mean", "ci_low", "ci_high", "n"]
    return pd.DataFrame(out, columns=columns)


def curve_stats(prep: Prepared, metric: str, rng: np.random.Generator) -> pd.DataFrame:
    """Learning curve of ``metric``: ``mechanism, condition, step, mean, ci_low, ci_high``."""
    part = prep.metrics[prep.metrics["name"] == metric]
    out = []
    for (mechanism, condition), rows in part.groupby([MECHANISM, CONDITION], sort=False):
        table = rows.pivot_table(index="seed_index", columns="step", values="value")
        data = table.to_numpy(dtype=np.float64)
        keep = np.all(np.isfinite(data), axis=0)
        data, steps = data[:, keep], table.columns.to_numpy()[keep]
        if data.size == 0:
            continue
        boot = stratified_resamples(data, N_RESAMPLES, rng).mean(axis=1)
        low, high = np.quantile(boot, [0.025, 0.975], axis=0)
        out.append(
            pd.DataFrame(
                {
                    MECHANISM: mechanism,
                    CONDITION: condition,
                    "step": steps,
                    "mean": data.mean(axis=0),
                    "ci_low": low,
                    "ci_high": high,
                }
            )
        )
    columns = [MECHANISM, CONDITION, "step", "mean", "ci_low", "ci_high"]
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame(columns=columns)


def scores(prep: Prepared, metric: str, condition: str, sign: float = 1.0) -> dict[str, pd.Series]:
    """Candidate → final scores of ``metric`` (× sign) in ``condition``, indexed by seed index."""
    part = prep.summary[(prep.summary["name"] == metric) & (prep.summary[CONDITION] == condition)]
    out = {}
    for candidate in prep.mechanisms:
        rows = part[part[MECHANISM] == candidate]
        values = rows.groupby("seed_index")["value"].mean().sort_index() * sign
        if not values.empty and np.all(np.isfinite(values.to_numpy(dtype=float))):
            out[candidate] = values.astype(np.float64)
    return out
