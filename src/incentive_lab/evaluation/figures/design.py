"""The design-search page's figures: the optimisation history and the re-evaluation.

A design run stores each trial's runs with the point ``{"trial": k, <parameters>}``
(``experiments.search.design``); here each trial's objective is the mean over seeds of the
experiment's primary objective and its cost the mean ``incentive_cost`` (what the design
budget bounds). Left: the objective per trial and the best so far among the trials within
the budget; right: the cost per trial with the budget line. A trial over the budget is a red
cross. The budget is known only when the caller passes it (``ExperimentTables.budget``);
without it every trial counts as feasible and the caption says so.

:func:`reevaluation` puts the chosen trial's estimate on the search seeds beside its
estimate on fresh seeds (``evaluation.report.reevaluation``), per objective.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from incentive_lab.evaluation.figures.comparison import _figure, _styled
from incentive_lab.evaluation.figures.interactive import tip
from incentive_lab.evaluation.report.analysis import TRIAL, Objective, Prepared

COST = "incentive_cost"


def trial_table(prep: Prepared) -> dict[str, np.ndarray] | None:
    """``trial, objective, cost`` arrays sorted by trial (``None`` if not a design run)."""
    if TRIAL not in prep.candidate_columns:
        return None
    rows = prep.summary[prep.summary["name"].isin([prep.primary, COST])]
    table = rows.pivot_table(index=TRIAL, columns="name", values="value", aggfunc="mean")
    if prep.primary not in table.columns:
        return None
    table = table.sort_index()
    cost = table[COST].to_numpy(float) if COST in table.columns else np.zeros(len(table))
    return {
        "trial": table.index.to_numpy(dtype=float),
        "objective": table[prep.primary].to_numpy(float),
        "cost": cost,
    }


@_styled
def history(prep: Prepared, budget: float | None) -> Any | None:
    """Objective and best-so-far per trial; cost per trial with the budget line."""
    data = trial_table(prep)
    if data is None:
        return None
    trial, objective, cost = data["trial"], data["objective"], data["cost"]
    feasible = np.ones(len(trial), bool) if budget is None else cost <= budget
    best = np.maximum.accumulate(np.where(feasible, objective, -np.inf))
    fig = _figure(12.0, 4.2)
    left, right = fig.subplots(1, 2)
    left.plot(
        trial[feasible], objective[feasible], "o", color="#1f77b4", label="trial (within budget)"
    )
    if (~feasible).any():
        left.plot(trial[~feasible], objective[~feasible], "x", color="#b22222", ms=8,
                  mew=2, label="trial (over budget)")  # fmt: skip
    for number, value, spend, ok in zip(trial, objective, cost, feasible, strict=True):
        (point,) = left.plot([number], [value], "o", ms=10, alpha=0.0)
        within = "within the budget" if ok else "over the budget"
        tip(point, f"trial {number:g}: {prep.primary} {value:.4g}, incentive_cost {spend:.4g} "
                   f"({within})")  # fmt: skip
    shown = np.isfinite(best)
    left.step(trial[shown], best[shown], where="post", color="black", lw=1.6, label="best so far")
    from matplotlib.ticker import MaxNLocator

    for ax in (left, right):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    left.set_title(f"Optimisation history: {prep.primary}", loc="left")
    left.set_xlabel("trial")
    left.set_ylabel(f"{prep.primary}\n(mean over seeds)")
    left.legend(fontsize=8, loc="lower right")
    right.bar(trial, cost, color=np.where(feasible, "#1f77b4", "#b22222"), width=0.6,
              label="incentive_cost per trial")  # fmt: skip
    if budget is not None:
        right.axhline(budget, color="#b22222", ls=":", lw=1.4, label=f"budget ({budget:g}/step)")
    right.set_title("Cost per trial (the constraint)", loc="left")
    right.set_xlabel("trial")
    right.set_ylabel("incentive_cost\n(declared cost per step)")
    right.legend(fontsize=8, loc="upper right")
    return fig


@_styled
def reevaluation(item: Any, objectives: Sequence[Objective]) -> Any:
    """Per objective: the chosen trial on the search seeds vs on fresh seeds, 95% CIs.

    ``item``: a :class:`~incentive_lab.evaluation.report.reevaluation.Reevaluated`. The
    search estimate of the winner is optimistic (it was selected on those seeds); the fresh
    one is not.
    """
    shown = [o for o in objectives if o.metric in item.fresh]
    cols = min(4, len(shown))
    rows = -(-len(shown) // cols)
    fig = _figure(min(12.0, 3.2 * cols + 0.6), 2.7 * rows + 0.8)
    axes = fig.subplots(rows, cols, squeeze=False)
    kinds = (("search", item.search, "#7f7f7f", "o"), ("fresh", item.fresh, "#1f77b4", "s"))
    for k, objective in enumerate(shown):
        ax = axes[k // cols, k % cols]
        for x, (kind, found, colour, marker) in enumerate(kinds):
            if objective.metric not in found:
                continue
            e, n = found[objective.metric]
            seeds = item.search_seeds if kind == "search" else item.seeds
            where = f"{kind} seeds {_span(seeds)}" if seeds else f"{kind} seeds"
            drawn = ax.errorbar(
                [x], [e.value], yerr=[[e.value - e.ci_low], [e.ci_high - e.value]], fmt=marker,
                color=colour, ms=7, capsize=4, lw=1.6, label=f"{where} (n={n})",
            )  # fmt: skip
            tip(
                drawn,
                f"{objective.title}, {where}: {e.value:.4g} [{e.ci_low:.4g}, {e.ci_high:.4g}]",
            )
        ax.set_xticks([0, 1], ["search", "fresh"])
        ax.set_xlim(-0.6, 1.6)
        ax.set_title(objective.title, loc="left")
        ax.set_xlabel("seeds")
        ax.set_ylabel(f"{objective.title}\n({objective.unit})")
        ax.legend(fontsize=7, loc="best")
    for ax in axes.flat[len(shown) :]:
        ax.set_visible(False)
    return fig


def _span(seeds: Sequence[int]) -> str:
    """``0-4`` for consecutive seed indices, else ``0, 2, 7``."""
    if list(seeds) == list(range(seeds[0], seeds[-1] + 1)) and len(seeds) > 1:
        return f"{seeds[0]}-{seeds[-1]}"
    return ", ".join(str(s) for s in seeds)
