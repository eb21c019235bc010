"""The welfare-vs-cost plot: candidates, their 95% CIs and the Pareto front drawn.

A candidate is on the Pareto front when no other candidate reaches at least its welfare for
at most its cost, one of them strictly (:func:`pareto_front`). The front is drawn as a
dashed staircase (the boundary of what it attains), so it is visible even with one point.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from incentive_lab.evaluation.figures.comparison import _MARKERS, _figure, _styled
from incentive_lab.evaluation.figures.interactive import tip, value_text
from incentive_lab.evaluation.report.analysis import CONDITION, MECHANISM, Objective


def pareto_front(welfare: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """Mask of points no other point dominates (welfare ≥, cost ≤, one strictly)."""
    w, c = np.asarray(welfare, float), np.asarray(cost, float)
    better_eq = (w[None, :] >= w[:, None]) & (c[None, :] <= c[:, None])
    strict = (w[None, :] > w[:, None]) | (c[None, :] < c[:, None])
    return ~np.any(better_eq & strict, axis=1)


def _label_offsets(x: np.ndarray, y: np.ndarray) -> list[tuple[float, float]]:
    """Offsets (points) that keep labels of nearby markers from overprinting each other."""
    span_x = float(np.ptp(x)) or 1.0
    span_y = float(np.ptp(y)) or 1.0
    offsets: list[tuple[float, float]] = []
    placed: list[tuple[float, float]] = []
    for k in np.argsort(-y):
        px, py = (x[k] - x.min()) / span_x, (y[k] - y.min()) / span_y
        crowd = sum(1 for qx, qy in placed if abs(qx - px) < 0.25 and abs(qy - py) < 0.08)
        placed.append((px, py))
        offsets.append((8.0, 4.0 - 13.0 * crowd))
    order = np.argsort(-y)
    result = [(0.0, 0.0)] * len(x)
    for position, k in enumerate(order):
        result[int(k)] = offsets[position]
    return result


@_styled
def pareto(
    stats: pd.DataFrame,
    conditions: Sequence[str],
    mechanisms: Sequence[str],
    colours: dict[str, str],
    cost: Objective,
    budget: float | None = None,
) -> Any:
    """Mean social welfare (y) vs mean cost (x) per candidate, one panel per condition.

    The Pareto front (no other candidate has more welfare for less cost) is outlined and
    drawn as a dashed staircase: the boundary of what the front attains.
    """
    cols = min(3, len(conditions))
    rows = -(-len(conditions) // cols)
    fig = _figure(8.0 if cols == 1 else 13.0, 4.6 * rows)
    axes = fig.subplots(rows, cols, squeeze=False)
    for k, condition in enumerate(conditions):
        ax = axes[k // cols, k % cols]
        here = stats[stats[CONDITION] == condition]
        table = {
            metric: here[here["metric"] == metric].set_index(MECHANISM)
            for metric in ("social_welfare", cost.metric)
        }
        names = [m for m in mechanisms if all(m in t.index for t in table.values())]
        w = np.array([table["social_welfare"].loc[m, "mean"] for m in names], dtype=float)
        c = np.array([table[cost.metric].loc[m, "mean"] for m in names], dtype=float)
        front = pareto_front(w, c)
        offsets = _label_offsets(c, w)
        for j, m in enumerate(names):
            wl, wh = table["social_welfare"].loc[m, ["ci_low", "ci_high"]]
            cl, ch = table[cost.metric].loc[m, ["ci_low", "ci_high"]]
            drawn = ax.errorbar(
                c[j], w[j], xerr=[[c[j] - cl], [ch - c[j]]], yerr=[[w[j] - wl], [wh - w[j]]],
                fmt=_MARKERS[j % len(_MARKERS)], color=colours[m], ms=11 if front[j] else 7,
                capsize=3, lw=1.2, mec="black" if front[j] else colours[m], mew=1.6, zorder=3,
            )  # fmt: skip
            tip(
                drawn,
                f"{m}: social welfare {value_text(w[j], *np.asarray([wl, wh], float))}, "
                f"{cost.metric} {value_text(c[j], *np.asarray([cl, ch], float))}"
                + (" (Pareto-optimal)" if front[j] else ""),
            )
            ax.annotate(
                m, (c[j], w[j]), xytext=offsets[j], textcoords="offset points", fontsize=9,
                fontweight="bold" if front[j] else "normal", va="center",
            )  # fmt: skip
        ax.margins(x=0.12, y=0.1)
        if names:
            _front_staircase(ax, c[front], w[front])
        if budget is not None and len(c) and budget <= 1.5 * max(float(c.max()), 1e-9):
            ax.axvline(budget, color="#b22222", ls=":", lw=1.2, label=f"budget ({budget:g}/step)")
        ax.set_xlabel(f"{cost.metric} ({cost.unit}; lower is better)")
        ax.set_ylabel("social welfare\n(total base reward per step; higher is better)")
        title = "Welfare vs cost (outlined: Pareto-optimal)"
        ax.set_title(title if condition == "all" else f"{title} — {condition}", loc="left")
        ax.legend(fontsize=8, loc="lower right")
    for ax in axes.flat[len(conditions) :]:
        ax.set_visible(False)
    return fig


def _front_staircase(ax: Any, cost: np.ndarray, welfare: np.ndarray) -> None:
    """The front as a staircase from the cheapest point to the right edge of the axes."""
    order = np.argsort(cost)
    x, y = cost[order], welfare[order]
    right = ax.get_xlim()[1]
    xs = np.append(np.repeat(x, 2)[1:], right)
    ys = np.repeat(y, 2)
    ax.plot(xs, ys, ls="--", color="black", lw=1.1, zorder=2, label="Pareto front")
    ax.set_xlim(right=right)
