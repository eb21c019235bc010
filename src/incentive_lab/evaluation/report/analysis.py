"""The numbers behind a report: per-mechanism statistics over seeds, curves, verdicts.

Input is one experiment's long-form tables (:class:`ExperimentTables`, built by the
experiments layer from the store). The compared *groups* are the values of the swept
``mechanism`` column (or the experiment's single mechanism); every other swept column is a
*condition* (``r_d=4.0``). Seeds are the replication unit; statistics come from
:mod:`~incentive_lab.evaluation.seed_table` (mean, stratified percentile-bootstrap 95% CI,
IQM) and :mod:`~incentive_lab.evaluation.improvement` (probability of improvement).

* per condition: each mechanism's final outcome (the run summaries) with its CI;
* pooled: the conditions are *tasks* of a stratified bootstrap (seeds resampled within
  each condition), so one number per mechanism summarises the whole sweep;
* curves: per recorded step the mean over seeds and a per-step percentile-bootstrap CI;
* improvement: ``P(mechanism > baseline)`` per objective, where lower-is-better metrics
  (``gini``, ``incentive_cost``) are negated first so that "improvement" always means
  "better"; the baseline is ``none`` when present, else the first mechanism.

Every random draw comes from the ``rng`` passed in, in a fixed order, so a report of the
same data with the same seed is identical.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from incentive_lab.evaluation.seed_table import score_array, seed_summary
from incentive_lab.evaluation.statistics import stratified_resamples

MECHANISM = "mechanism"
CONDITION = "condition"
N_RESAMPLES = 1000


@dataclass(frozen=True)
class Objective:
    """A metric the designer cares about and which direction is better."""

    metric: str
    title: str
    unit: str
    higher_is_better: bool
    best: str
    """How the winner is described (``highest social welfare``)."""


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
    Objective(
        "incentive_cost", "Incentive cost", "designer spend per step", False,
        "lowest incentive cost",
    ),
)  # fmt: skip
"""The objectives of the summary and the improvement table, in display order."""


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


@dataclass
class Prepared:
    """An experiment ready for statistics: ``mechanism`` and ``condition`` columns added."""

    tables: ExperimentTables
    summary: pd.DataFrame
    metrics: pd.DataFrame
    mechanisms: list[str]
    full_labels: dict[str, str]
    swept: list[str]
    conditions: list[str]
    baseline: str
    metric_names: list[str] = field(default_factory=list)

    @property
    def objectives(self) -> list[Objective]:
        """The objectives this experiment recorded."""
        return [o for o in OBJECTIVES if o.metric in self.metric_names]


def short_names(labels: list[str]) -> dict[str, str]:
    """Full mechanism label → display name: the bare id when no other label shares it."""
    ids = [lab.split("(", 1)[0] for lab in labels]
    return {lab: i if ids.count(i) == 1 else lab for lab, i in zip(labels, ids, strict=True)}


def _base_mechanism(runs: pd.DataFrame) -> str:
    if runs.empty:
        return "none"
    config = json.loads(runs["config"].iloc[0])
    return str(config.get("mechanism", {}).get("id", "none"))


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


def prepare(tables: ExperimentTables) -> Prepared:
    """Label every row with its mechanism (display name) and condition."""
    points = [c for c in tables.point_columns if c in tables.summary.columns]
    swept = [c for c in points if c != MECHANISM]
    summary, metrics = tables.summary.copy(), tables.metrics.copy()
    if MECHANISM in points:
        full = list(dict.fromkeys(summary[MECHANISM].astype(str)))
    else:
        full = [_base_mechanism(tables.runs)]
    names = short_names(full)
    for frame in (summary, metrics):
        raw = frame[MECHANISM].astype(str) if MECHANISM in points else full[0]
        frame[MECHANISM] = pd.Series(raw, index=frame.index).map(names).astype(object)
        frame[CONDITION] = _condition_labels(frame, swept)
    order: list[str] = []
    for values in _ordered_points(summary, swept):
        label = _condition_labels(pd.DataFrame([values], columns=swept), swept).iloc[0]
        order.append(str(label))
    preferred = [m for m in tables.mechanism_order if m in full]
    full = preferred + [m for m in full if m not in preferred]
    mechanisms = [names[f] for f in full]
    baseline = "none" if "none" in mechanisms else mechanisms[0]
    if baseline in mechanisms:
        mechanisms.remove(baseline)
        mechanisms.insert(0, baseline)
    return Prepared(
        tables=tables,
        summary=summary,
        metrics=metrics,
        mechanisms=mechanisms,
        full_labels={names[f]: f for f in full},
        swept=swept,
        conditions=order or ["all"],
        baseline=baseline,
        metric_names=sorted(set(summary["name"])),
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


def final_stats(prep: Prepared, rng: np.random.Generator) -> pd.DataFrame:
    """Per mechanism, condition and metric: ``mean, ci_low, ci_high, iqm, n``."""
    rows = prep.summary[np.isfinite(prep.summary["value"].to_numpy(dtype=float))]
    return seed_summary(rows, [MECHANISM, CONDITION, *prep.swept], rng, n_resamples=N_RESAMPLES)


def pooled_stats(prep: Prepared, rng: np.random.Generator) -> pd.DataFrame:
    """Per mechanism and metric, conditions pooled as bootstrap tasks."""
    rows = prep.summary[np.isfinite(prep.summary["value"].to_numpy(dtype=float))]
    return seed_summary(rows, [MECHANISM], rng, task_cols=[CONDITION], n_resamples=N_RESAMPLES)


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


def scores(prep: Prepared, metric: str, sign: float = 1.0) -> dict[str, np.ndarray]:
    """Mechanism → ``float64[n_seeds, n_conditions]`` final scores of ``metric`` (× sign)."""
    part = prep.summary[prep.summary["name"] == metric]
    out = {}
    for mechanism in prep.mechanisms:
        rows = part[part[MECHANISM] == mechanism]
        if rows.empty:
            continue
        data = score_array(rows, [CONDITION]) * sign
        if np.all(np.isfinite(data)):
            out[mechanism] = data
    return out
