"""Outcomes against swept game/learner parameters: a phase diagram of the candidates.

* :func:`phase_lines` — each objective over one numeric swept parameter: a line per
  candidate with its 95% CI error bars (and a hover value per point);
* :func:`phase_heatmaps` — the primary objective over two numeric swept parameters, one
  heatmap per candidate on a shared colour scale.

Candidates are compared within each value of the parameter, never pooled across values
(``evaluation.report.analysis``). Canvas, palette and styles come from :mod:`.comparison`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from incentive_lab.evaluation.figures.comparison import (
    _figure,
    _legend,
    _styled,
    _ylabel,
    styles,
)
from incentive_lab.evaluation.figures.interactive import series, tip, value_text
from incentive_lab.evaluation.report.analysis import MECHANISM, Objective


@_styled
def phase_lines(
    stats: pd.DataFrame,
    parameter: str,
    objectives: Sequence[Objective],
    mechanisms: Sequence[str],
    colours: dict[str, str],
) -> Any:
    """Each objective over one numeric swept ``parameter``: line + 95% CI per candidate.

    Candidates are dodged by a small fraction of the parameter's spacing, each with its own
    line style and marker, so equal curves stay visible.
    """
    cols = min(2, len(objectives))
    rows = -(-len(objectives) // cols)
    fig = _figure(12.0, 3.0 * rows + 0.9)
    axes = fig.subplots(rows, cols, squeeze=False)
    name = parameter.rsplit(".", 1)[-1]
    look = styles(mechanisms)
    values = np.unique(stats[parameter].to_numpy(dtype=float))
    spacing = float(np.min(np.diff(values))) if len(values) > 1 else 1.0
    for k, objective in enumerate(objectives):
        ax = axes[k // cols, k % cols]
        part = stats[stats["metric"] == objective.metric]
        for j, mechanism in enumerate(mechanisms):
            rows_m = part[part[MECHANISM] == mechanism].sort_values(parameter)
            if rows_m.empty:
                continue
            dodge = (j - (len(mechanisms) - 1) / 2) * 0.04 * spacing
            x = rows_m[parameter].to_numpy(dtype=float) + dodge
            mean = rows_m["mean"].to_numpy(dtype=float)
            err = [
                mean - rows_m["ci_low"].to_numpy(float),
                rows_m["ci_high"].to_numpy(float) - mean,
            ]
            ls, marker = look[mechanism]
            drawn = ax.errorbar(
                x,
                mean,
                yerr=err,
                color=colours[mechanism],
                ls=ls,
                marker=marker,
                lw=1.6,
                ms=5,
                capsize=2.5,
                label=mechanism,
            )
            series(drawn, j)
            lows, highs = rows_m["ci_low"].to_numpy(float), rows_m["ci_high"].to_numpy(float)
            for xi, value, lo, hi, at in zip(x, mean, lows, highs, rows_m[parameter], strict=True):
                (point,) = ax.plot([xi], [value], "o", ms=10, alpha=0.0, color=colours[mechanism])
                series(point, j)
                tip(point, f"{mechanism}, {name}={at:g}: {value_text(value, lo, hi)}")
        ax.set_title(f"{objective.title} vs {name}", loc="left")
        ax.set_xlabel(f"{name} ({parameter})")
        ax.set_ylabel(_ylabel(objective))
    for ax in axes.flat[len(objectives) :]:
        ax.set_visible(False)
    _legend(fig, mechanisms, colours)
    return fig


@_styled
def phase_heatmaps(
    stats: pd.DataFrame,
    parameters: tuple[str, str],
    objective: Objective,
    mechanisms: Sequence[str],
) -> Any:
    """One heatmap of ``objective`` per mechanism over two numeric swept parameters."""
    px, py = parameters
    part = stats[stats["metric"] == objective.metric]
    xs = sorted(part[px].astype(float).unique())
    ys = sorted(part[py].astype(float).unique())
    cols = min(3, len(mechanisms))
    rows = -(-len(mechanisms) // cols)
    fig = _figure(12.0, 3.4 * rows + 0.4)
    axes = fig.subplots(rows, cols, squeeze=False)
    lo, hi = float(part["mean"].min()), float(part["mean"].max())
    image = None
    for k, mechanism in enumerate(mechanisms):
        ax = axes[k // cols, k % cols]
        grid = np.full((len(ys), len(xs)), np.nan)
        for _, row in part[part[MECHANISM] == mechanism].iterrows():
            grid[ys.index(float(row[py])), xs.index(float(row[px]))] = row["mean"]
        image = ax.imshow(grid, origin="lower", aspect="auto", vmin=lo, vmax=hi, cmap="viridis")
        ax.set_xticks(range(len(xs)), [f"{v:g}" for v in xs])
        ax.set_yticks(range(len(ys)), [f"{v:g}" for v in ys])
        ax.grid(False)
        ax.set_title(mechanism, loc="left")
        ax.set_xlabel(px.rsplit(".", 1)[-1])
        ax.set_ylabel(py.rsplit(".", 1)[-1])
    for ax in axes.flat[len(mechanisms) :]:
        ax.set_visible(False)
    if image is not None:
        fig.colorbar(image, ax=axes, label=_ylabel(objective).replace("\n", " "))
    return fig
