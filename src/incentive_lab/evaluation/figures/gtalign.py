"""Report figure of the GTAlign user–assistant game (``user_assistant``): strategy shares.

:func:`strategy_shares` draws, for each question type (clear, ambiguous) one panel, and in it
one stacked horizontal bar per series (mechanism / sweep point): the final shares of the
assistant's strategies ``DA`` (direct answer), ``CQ`` (clarifying question) and ``AQ``
(answer + follow-up question, the verbose one), each the mean over seeds of the game metric
``share_<strategy>_<question>``. Beside each bar the final mutual welfare ``√(U·L)`` with its
95% CI. Read: under ``none`` (the assistant maximises L) the bars are all ``AQ`` — GTAlign's
verbose failure mode; under ``mutual_welfare`` clear questions get ``DA`` and ambiguous ones
``CQ``, except for novices (Zhu et al., "GTAlign", 2025; the rubric in
:mod:`incentive_lab.core.dialogue_rubric`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from incentive_lab.evaluation.figures import comparison
from incentive_lab.evaluation.game_series import SERIES, series_of, series_stats
from incentive_lab.evaluation.report.analysis import Prepared

STRATEGIES = ("DA", "CQ", "AQ")
QUESTIONS = ("clear", "ambiguous")
COLOURS = {"DA": "#4C72B0", "CQ": "#55A868", "AQ": "#C44E52"}


def _share(stats: Any, label: str, metric: str) -> float:
    rows = stats[(stats[SERIES] == label) & (stats["metric"] == metric)]
    return float(rows["mean"].iloc[0]) if not rows.empty else 0.0


@comparison._styled
def strategy_shares(prep: Prepared, rng: np.random.Generator) -> Any | None:
    """Strategy shares per question type and series (``None`` without the share metrics)."""
    names = [f"share_{s}_{q}" for q in QUESTIONS for s in STRATEGIES]
    if not any(n in prep.metric_names for n in names):
        return None
    _, order = series_of(prep)
    stats = series_stats(prep, [*names, "mutual_welfare"], rng)
    fig = comparison._figure(9.0, 1.2 + 0.55 * len(order) * 2)
    axes = fig.subplots(2, 1, sharex=True)
    y = np.arange(len(order))
    for ax, question in zip(axes, QUESTIONS, strict=True):
        left = np.zeros(len(order))
        for strategy in STRATEGIES:
            widths = np.array([_share(stats, lab, f"share_{strategy}_{question}") for lab in order])
            ax.barh(y, widths, left=left, color=COLOURS[strategy], label=strategy, height=0.6)
            left += widths
        for k, label in enumerate(order):
            rows = stats[(stats[SERIES] == label) & (stats["metric"] == "mutual_welfare")]
            if not rows.empty:
                r = rows.iloc[0]
                ax.text(
                    1.02,
                    k,
                    f"√(U·L) {r['mean']:.3f} [{r['ci_low']:.3f}, {r['ci_high']:.3f}]",
                    va="center",
                    fontsize="small",
                )
        ax.set_yticks(y, order)
        ax.set_xlim(0.0, 1.0)
        ax.invert_yaxis()
        ax.set_title(f"{question} questions: share of each answer strategy", loc="left")
    axes[1].legend(loc="upper left", bbox_to_anchor=(1.0, -0.12), fontsize="small", ncols=3)
    axes[1].set_xlabel("share of answers (final window, mean over seeds)")
    return fig
