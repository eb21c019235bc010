"""The best mechanism per objective, and whether its lead is statistically clear.

For each objective (:data:`~incentive_lab.evaluation.report.analysis.OBJECTIVES`) the best
mechanism is the one with the best pooled mean (conditions pooled as tasks). Mechanisms
whose mean equals the best up to ``1e-9 · max(1, |best|)`` share the place (a tie). For the
incentive cost the baseline is left out (doing nothing costs nothing); for the scenario's
objective metric, mechanisms spending more than the budget are left out.

The lead over the runner-up (the best mechanism outside the tie) is *statistically clear*
when either

1. the 95% CI of the probability of improvement ``P(best > runner-up)`` lies above ½
   (Agarwal et al. 2021; lower-is-better metrics are negated), or
2. the two mechanisms' 95% bootstrap CIs of the mean do not overlap;

the verdict says which criterion held (the first is checked first).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from incentive_lab.evaluation.improvement import (
    improvement_over_baseline,
    probability_of_improvement_ci,
)
from incentive_lab.evaluation.report.analysis import (
    MECHANISM,
    N_RESAMPLES,
    Objective,
    Prepared,
    scores,
)
from incentive_lab.evaluation.statistics import Estimate


@dataclass(frozen=True)
class Verdict:
    """The best mechanism(s) for one objective and how clear the lead is."""

    objective: Objective
    best: tuple[str, ...]
    estimate: Estimate
    runner_up: str | None
    runner_estimate: Estimate | None
    improvement: Estimate | None
    clear: bool
    criterion: str
    excluded: tuple[str, ...] = ()

    def sentence(self) -> str:
        """One plain-text sentence (used by the HTML summary and the CLI)."""
        o, e = self.objective, self.estimate
        what = o.best
        who = ", ".join(self.best) + (" (tie)" if len(self.best) > 1 else "")
        text = f"{o.title}: {who} — {what} {e.value:.4g} [95% CI {e.ci_low:.4g}, {e.ci_high:.4g}]"
        if self.runner_up is None:
            return text + "; no other mechanism to compare."
        lead = f"Lead over {self.runner_up}: "
        if self.clear:
            return f"{text}. {lead}statistically clear ({self.criterion})."
        return f"{text}. {lead}not statistically clear ({self.criterion})."


def _estimates(pooled: pd.DataFrame, metric: str) -> dict[str, Estimate]:
    part = pooled[pooled["metric"] == metric]
    return {
        str(row[MECHANISM]): Estimate(
            float(row["mean"]), float(row["ci_low"]), float(row["ci_high"])
        )
        for _, row in part.iterrows()
    }


def verdict(
    prep: Prepared,
    pooled: pd.DataFrame,
    objective: Objective,
    rng: np.random.Generator,
) -> Verdict | None:
    """The verdict for ``objective`` (``None`` when no mechanism recorded it)."""
    estimates = _estimates(pooled, objective.metric)
    excluded: list[str] = []
    if objective.metric == "incentive_cost" and len(estimates) > 1:
        excluded.append(prep.baseline)
    budget = prep.tables.budget
    if budget is not None and objective.metric == prep.tables.objective:
        costs = _estimates(pooled, "incentive_cost")
        excluded += [m for m, c in costs.items() if c.value > budget and m in estimates]
    candidates = {m: e for m, e in estimates.items() if m not in excluded}
    if not candidates:
        return None
    sign = 1.0 if objective.higher_is_better else -1.0
    ranked = sorted(candidates, key=lambda m: -sign * candidates[m].value)
    top = candidates[ranked[0]].value
    tolerance = 1e-9 * max(1.0, abs(top))
    best = tuple(m for m in ranked if abs(candidates[m].value - top) <= tolerance)
    rest = [m for m in ranked if m not in best]
    if not rest:
        return Verdict(
            objective, best, candidates[best[0]], None, None, None, False, "", tuple(excluded)
        )
    runner = rest[0]
    data = scores(prep, objective.metric, sign)
    poi = probability_of_improvement_ci(data[best[0]], data[runner], rng, n_resamples=N_RESAMPLES)
    b, r = candidates[best[0]], candidates[runner]
    text = f"P(improvement) = {poi.value:.2f} [95% CI {poi.ci_low:.2f}, {poi.ci_high:.2f}]"
    if poi.ci_low > 0.5:
        clear, criterion = True, f"{text} excludes 0.5"
    elif b.ci_low > r.ci_high or b.ci_high < r.ci_low:
        clear, criterion = True, f"non-overlapping 95% CIs of the mean; {text}"
    else:
        clear, criterion = False, f"{text} includes 0.5 and the 95% CIs overlap"
    return Verdict(objective, best, b, runner, r, poi, clear, criterion, tuple(excluded))


def verdicts(prep: Prepared, pooled: pd.DataFrame, rng: np.random.Generator) -> list[Verdict]:
    """Verdicts for every objective the experiment recorded, in display order."""
    found = [verdict(prep, pooled, objective, rng) for objective in prep.objectives]
    return [v for v in found if v is not None]


def improvement_table(prep: Prepared, rng: np.random.Generator) -> pd.DataFrame:
    """``mechanism, metric, probability, ci_low, ci_high, clear`` vs ``prep.baseline``.

    ``probability`` is ``P(mechanism better than baseline)`` (lower-is-better metrics
    negated); ``clear`` is ``better`` / ``worse`` / ``unclear``.
    """
    frames = []
    for objective in prep.objectives:
        sign = 1.0 if objective.higher_is_better else -1.0
        data = scores(prep, objective.metric, sign)
        if prep.baseline not in data or len(data) < 2:
            continue
        table = improvement_over_baseline(data, prep.baseline, rng, n_resamples=N_RESAMPLES)
        frames.append(table.assign(metric=objective.metric))
    if not frames:
        columns = ["mechanism", "metric", "probability", "ci_low", "ci_high", "clear"]
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True).drop(columns="baseline")
