"""A design's chosen trial re-evaluated on fresh seeds, beside its search estimate.

The search picks the best of many noisy trials on the seeds it searched with, so that
trial's estimate is optimistic (the optimizer's curse, Smith & Winkler 2006;
``experiments.search.reevaluate`` runs the chosen trial again on seeds the search never
used). Here, per re-evaluated trial and objective, the report puts the two side by side:

* ``search`` — the trial's estimate on the search seeds (the row of the outcome table);
* ``fresh`` — the mean over the fresh seeds with the same interval as every other estimate
  (:func:`~incentive_lab.evaluation.statistics.seed_mean_ci`, seeded with the report seed).

Input: :attr:`~incentive_lab.evaluation.report.analysis.Prepared.reevaluation`, the summary
rows whose point has ``reevaluation`` = the trial number.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from incentive_lab.evaluation.report.analysis import (
    CONDITION,
    MECHANISM,
    REEVALUATION,
    TRIAL,
    Objective,
    Prepared,
)
from incentive_lab.evaluation.statistics import Estimate, seed_mean_ci


@dataclass(frozen=True)
class Reevaluated:
    """One trial re-run on fresh seeds: per objective metric, search and fresh estimates."""

    trial: int
    candidate: str
    """The trial's candidate label (as in the outcome table)."""
    seeds: tuple[int, ...]
    """The fresh seed indices."""
    search_seeds: tuple[int, ...]
    """The seed indices the search evaluated the trial on."""
    fresh: dict[str, tuple[Estimate, int]]
    """Metric → (estimate over the fresh seeds, number of seeds)."""
    search: dict[str, tuple[Estimate, int]]
    """Metric → (estimate over the search seeds, number of seeds)."""

    def record(self) -> dict[str, Any]:
        """The JSON record (``report.json`` → ``design.reevaluations``)."""

        def est(pair: tuple[Estimate, int] | None) -> dict[str, float] | None:
            if pair is None:
                return None
            e, n = pair
            return {"mean": e.value, "ci_low": e.ci_low, "ci_high": e.ci_high, "n": n}

        return {
            "trial": self.trial,
            "candidate": self.candidate,
            "seeds": list(self.seeds),
            "search_seeds": list(self.search_seeds),
            "estimates": [
                {"metric": m, "fresh": est(self.fresh[m]), "search": est(self.search.get(m))}
                for m in self.fresh
            ],
        }


def objectives_of(prep: Prepared) -> list[Objective]:
    """The design's own objective (when it is not a report objective) and the report's."""
    found = list(prep.objectives)
    if prep.primary not in {o.metric for o in found} and prep.primary in prep.metric_names:
        own = Objective(prep.primary, prep.primary, "the design objective", True, "")
        found.insert(0, own)
    return found


def _label(prep: Prepared, trial: int) -> tuple[str, tuple[int, ...]]:
    if TRIAL not in prep.summary.columns:
        return f"trial={trial}", ()
    rows = prep.summary[prep.summary[TRIAL] == trial]
    if rows.empty:
        return f"trial={trial}", ()
    seeds = tuple(sorted(int(s) for s in rows["seed_index"].unique()))
    return str(rows[MECHANISM].iloc[0]), seeds


def reevaluations(prep: Prepared, final: pd.DataFrame, seed: int) -> list[Reevaluated]:
    """Every re-evaluated trial of ``prep`` (by trial number), its objectives' estimates."""
    rows = prep.reevaluation
    if rows.empty:
        return []
    metrics = [o.metric for o in objectives_of(prep)]
    out = []
    for trial, part in rows.groupby(REEVALUATION, sort=True):
        number = int(float(str(trial)))
        label, searched = _label(prep, number)
        fresh: dict[str, tuple[Estimate, int]] = {}
        search: dict[str, tuple[Estimate, int]] = {}
        for metric in metrics:
            values = part[part["name"] == metric].sort_values("seed_index", kind="stable")
            data = values["value"].to_numpy(np.float64)
            data = data[np.isfinite(data)]
            if data.size == 0:
                continue
            fresh[metric] = (seed_mean_ci(data, seed=seed), int(data.size))
            hit = final[
                (final[MECHANISM] == label)
                & (final[CONDITION] == "all")
                & (final["metric"] == metric)
            ]
            if not hit.empty:
                r = hit.iloc[0]
                e = Estimate(float(r["mean"]), float(r["ci_low"]), float(r["ci_high"]))
                search[metric] = (e, int(r["n"]))
        seeds = tuple(sorted(int(s) for s in part["seed_index"].unique()))
        out.append(Reevaluated(number, label, seeds, searched, fresh, search))
    return out
