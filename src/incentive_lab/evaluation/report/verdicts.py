"""Which candidate is best per objective and condition, and whether the lead matters.

Candidates are compared within one condition (one point of the game/learner sweep) on their
final outcomes. Seed ``k`` of every candidate shares its random streams (common random
numbers), so two candidates are compared through the **paired difference** over the seed
indices they share: ``d_k = s·(x_k − y_k)`` with ``s = +1`` when higher is better and
``−1`` otherwise (so ``d > 0`` always means "better"), its mean and its 95% percentile
bootstrap interval (:func:`~incentive_lab.evaluation.statistics.paired_difference`).

**Practical threshold.** An effect matters only when ``|mean d|`` exceeds the objective's
threshold (:mod:`.thresholds`): an argument (``ExperimentTables.thresholds``), else the
stored config's ``report.thresholds`` (absolute, or relative to the range of the
candidates' means in that condition), else :data:`DEFAULT_THRESHOLD` (1 %) of that range.

**Verdict** of one objective (best = the top mean, runner-up = the second):

* ``clear`` — the interval of ``d`` (best − runner-up) excludes 0 **and** ``|d|`` exceeds
  the threshold;
* ``tie`` — ``|d|`` is within the threshold: every candidate within the threshold of the
  best shares the place;
* ``not clear`` — ``|d|`` exceeds the threshold but its interval includes 0 (or fewer than
  two paired seeds);
* ``no effect`` — the baseline is among the best (no candidate beats doing nothing by more
  than the threshold), or, for the cost objective, no candidate improves the primary
  objective.

**Effects** (:func:`effects`): each candidate against the baseline, per objective, is
``better`` / ``worse`` (interval excludes 0 and ``|d|`` > threshold), ``equal`` (``|d|`` ≤
threshold) or ``unclear``. A candidate ``equal`` to the baseline on every objective that is
not a cost is **no effect here**. The **cost objective** ranks only candidates that are
``better`` than the baseline on the primary objective (the scenario's, default social
welfare): doing nothing costs nothing, and a cheap candidate that changes nothing wins
nothing. On the primary objective, candidates whose ``incentive_cost`` (the declared cost,
by default the gross volume paid + collected, as MechBench and the design search use it)
exceeds the scenario's budget are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from incentive_lab.evaluation.improvement import probability_of_improvement_ci
from incentive_lab.evaluation.report.analysis import (
    CONDITION,
    MECHANISM,
    N_RESAMPLES,
    Objective,
    Prepared,
    scores,
)
from incentive_lab.evaluation.report.thresholds import DEFAULT, Rule
from incentive_lab.evaluation.statistics import Estimate, paired_difference

DEFAULT_THRESHOLD = DEFAULT.value
"""Default practical threshold: this fraction of the range of the candidates' means."""
KINDS = ("clear", "tie", "not clear", "no effect")
BUDGET_METRIC = "incentive_cost"
"""What a scenario's budget bounds (as in MechBench and the design search)."""


@dataclass(frozen=True)
class Verdict:
    """The best candidate(s) for one objective in one condition, and how clear the lead is."""

    objective: Objective
    condition: str
    kind: str
    """One of :data:`KINDS`."""
    best: tuple[str, ...]
    estimate: Estimate
    runner_up: str | None
    runner_estimate: Estimate | None
    difference: Estimate | None
    """Paired difference best − runner-up, signed so that positive means better."""
    threshold: float
    reason: str
    excluded: tuple[str, ...] = ()
    rule: Rule = DEFAULT
    """How ``threshold`` was set (kind, value, source)."""

    @property
    def clear(self) -> bool:
        """Whether the lead is clear (statistically and practically)."""
        return self.kind == "clear"

    def sentence(self) -> str:
        """One plain-text sentence (used by the HTML summary and the CLI)."""
        o, e = self.objective, self.estimate
        if not self.best:
            return f"{o.title}: no eligible candidate. {self.kind}: {self.reason}."
        who = ", ".join(self.best) + (" (tie)" if len(self.best) > 1 else "")
        text = f"{o.title}: {who} — {o.best} {e.value:.4g} [95% CI {e.ci_low:.4g}, {e.ci_high:.4g}]"
        return f"{text}. {self.kind}: {self.reason}."

    def record(self) -> dict[str, Any]:
        """The verdict as JSON-able data (``report.json``)."""
        d = self.difference
        return {
            "objective": self.objective.metric,
            "condition": self.condition,
            "verdict": self.kind,
            "best": list(self.best),
            "estimate": _est(self.estimate),
            "runner_up": self.runner_up,
            "runner_up_estimate": _est(self.runner_estimate),
            "difference": _est(d),
            "threshold": self.threshold,
            "threshold_rule": self.rule.record(),
            "reason": self.reason,
            "excluded": list(self.excluded),
        }


def _est(e: Estimate | None) -> dict[str, float] | None:
    return None if e is None else {"mean": e.value, "ci_low": e.ci_low, "ci_high": e.ci_high}


def _estimates(final: pd.DataFrame, metric: str, condition: str) -> dict[str, Estimate]:
    part = final[(final["metric"] == metric) & (final[CONDITION] == condition)]
    return {
        str(r[MECHANISM]): Estimate(float(r["mean"]), float(r["ci_low"]), float(r["ci_high"]))
        for _, r in part.iterrows()
    }


def threshold(prep: Prepared, final: pd.DataFrame, metric: str, condition: str) -> float:
    """The practical threshold of ``metric`` in ``condition`` (module docstring)."""
    means = [e.value for e in _estimates(final, metric, condition).values()]
    return prep.rules.get(metric, DEFAULT).limit(means)


def _paired(a: pd.Series, b: pd.Series, rng: np.random.Generator) -> tuple[Estimate | None, int]:
    common = a.index.intersection(b.index)
    if len(common) == 0:
        return None, 0
    x, y = a.loc[common].to_numpy(np.float64), b.loc[common].to_numpy(np.float64)
    return paired_difference(x, y, rng, n_resamples=N_RESAMPLES), len(common)


def _status(d: Estimate | None, n: int, limit: float) -> str:
    if d is None:
        return "unclear"
    if abs(d.value) <= limit:
        return "equal"
    if n < 2 or d.ci_low <= 0.0 <= d.ci_high:
        return "unclear"
    return "better" if d.value > 0 else "worse"


def effects(prep: Prepared, final: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Each candidate vs the baseline per condition and objective (module docstring).

    Columns ``candidate, condition, metric, difference, ci_low, ci_high, threshold, status,
    poi, poi_low, poi_high`` (``poi``: probability of improvement over the baseline).
    """
    rows = []
    for condition in prep.conditions:
        for o in prep.objectives:
            sign = 1.0 if o.higher_is_better else -1.0
            data = scores(prep, o.metric, condition, sign)
            if prep.baseline not in data:
                continue
            limit = threshold(prep, final, o.metric, condition)
            base = data[prep.baseline]
            for candidate, values in data.items():
                if candidate == prep.baseline:
                    continue
                d, n = _paired(values, base, rng)
                poi = probability_of_improvement_ci(
                    values.to_numpy(), base.to_numpy(), rng, n_resamples=N_RESAMPLES
                )
                low, high = (d.ci_low, d.ci_high) if d else (np.nan, np.nan)
                rows.append(
                    (
                        candidate,
                        condition,
                        o.metric,
                        d.value if d else np.nan,
                        low,
                        high,
                        limit,
                        _status(d, n, limit),
                        poi.value,
                        poi.ci_low,
                        poi.ci_high,
                    )
                )
    columns = [
        "candidate",
        "condition",
        "metric",
        "difference",
        "ci_low",
        "ci_high",
        "threshold",
        "status",
        "poi",
        "poi_low",
        "poi_high",
    ]
    return pd.DataFrame(rows, columns=columns)


def no_effect(prep: Prepared, table: pd.DataFrame, condition: str) -> list[str]:
    """Candidates equal to the baseline on every non-cost objective in ``condition``."""
    costs = {o.metric for o in prep.objectives if o.cost}
    part = table[(table["condition"] == condition) & ~table["metric"].isin(costs)]
    return [
        str(c)
        for c, rows in part.groupby("candidate", sort=False)
        if (rows["status"] == "equal").all()
    ]


def _excluded(
    prep: Prepared, final: pd.DataFrame, table: pd.DataFrame, o: Objective, condition: str
) -> tuple[list[str], str]:
    if o.cost:
        part = table[(table["condition"] == condition) & (table["metric"] == prep.primary)]
        better = set(part.loc[part["status"] == "better", "candidate"])
        out = [m for m in prep.mechanisms if m not in better]
        return out, f"only candidates that improve {prep.primary} over {prep.baseline} rank"
    budget = prep.tables.budget
    if budget is None or o.metric != prep.primary:
        return [], ""
    spend = _estimates(final, BUDGET_METRIC, condition)
    over = [m for m, e in spend.items() if e.value > budget]
    return over, f"over the budget {budget:g}/step: {', '.join(over)}" if over else ""


def verdict(
    prep: Prepared,
    final: pd.DataFrame,
    table: pd.DataFrame,
    o: Objective,
    condition: str,
    rng: np.random.Generator,
) -> Verdict | None:
    """The verdict of objective ``o`` in ``condition`` (``None`` when nobody recorded it)."""
    estimates = _estimates(final, o.metric, condition)
    if not estimates:
        return None
    excluded, why = _excluded(prep, final, table, o, condition)
    eligible = {m: e for m, e in estimates.items() if m not in excluded}
    limit = threshold(prep, final, o.metric, condition)
    if not eligible:
        first = next(iter(estimates))
        return Verdict(
            o,
            condition,
            "no effect",
            (),
            estimates[first],
            None,
            None,
            None,
            limit,
            f"no candidate is eligible ({why})",
            tuple(excluded),
            prep.rules.get(o.metric, DEFAULT),
        )
    sign = 1.0 if o.higher_is_better else -1.0
    ranked = sorted(eligible, key=lambda m: -sign * eligible[m].value)
    best = ranked[0]
    note = f"; {why}" if why else ""
    if len(ranked) == 1:
        return Verdict(
            o,
            condition,
            "not clear",
            (best,),
            eligible[best],
            None,
            None,
            None,
            limit,
            f"the only eligible candidate{note}",
            tuple(excluded),
            prep.rules.get(o.metric, DEFAULT),
        )
    runner = ranked[1]
    data = scores(prep, o.metric, condition, sign)
    d, n = _paired(data[best], data[runner], rng)
    assert d is not None or n == 0
    tied = tuple(m for m in ranked if abs(eligible[m].value - eligible[best].value) <= limit)
    gap = f"paired difference to {runner} {_text(d)}"
    if d is None or abs(d.value) <= limit:
        kind, winners = "tie", tied
        reason = f"{gap}, within the threshold {limit:.3g}"
    elif n < 2 or d.ci_low <= 0.0 <= d.ci_high:
        kind, winners = "not clear", (best,)
        reason = f"{gap} includes 0" if n >= 2 else f"{gap} from one paired seed"
    else:
        kind, winners = "clear", (best,)
        reason = f"{gap} excludes 0 and exceeds the threshold {limit:.3g}"
    if not o.cost and prep.baseline in winners and len(winners) > 1:
        kind = "no effect"
        reason = f"no candidate beats {prep.baseline} by more than the threshold; {reason}"
    return Verdict(
        o,
        condition,
        kind,
        winners,
        eligible[best],
        runner,
        eligible[runner],
        d,
        limit,
        reason + note,
        tuple(excluded),
        prep.rules.get(o.metric, DEFAULT),
    )


def _text(d: Estimate | None) -> str:
    if d is None:
        return "(no common seeds)"
    return f"{d.value:+.4g} [95% CI {d.ci_low:+.4g}, {d.ci_high:+.4g}]"


def verdicts(
    prep: Prepared, final: pd.DataFrame, table: pd.DataFrame, rng: np.random.Generator
) -> list[Verdict]:
    """Verdicts for every condition and recorded objective, in display order."""
    found = [
        verdict(prep, final, table, o, condition, rng)
        for condition in prep.conditions
        for o in prep.objectives
    ]
    return [v for v in found if v is not None]
