"""Figures of the aggregates across scenarios: performance profiles (rliable's style).

A performance profile plots, for each threshold ``τ`` of the normalised score, the fraction
of runs scoring above ``τ`` with its 95% stratified-bootstrap band
(:func:`incentive_lab.evaluation.aggregates.performance_profile_ci`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from incentive_lab.evaluation.figures.comparison import _figure, _legend, _styled, styles
from incentive_lab.evaluation.report.model import PROFILE_TAUS


@_styled
def profiles(
    data: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]], colours: dict[str, str]
) -> Any:
    """One step curve per candidate: fraction of runs with normalised score > τ."""
    fig = _figure(8.0, 4.6)
    ax = fig.subplots()
    names = list(data)
    look = styles(names)
    taus = np.asarray(PROFILE_TAUS)
    for name in names:
        value, low, high = data[name]
        ls, marker = look[name]
        ax.plot(
            taus,
            value,
            color=colours[name],
            ls=ls,
            marker=marker,
            ms=4,
            lw=1.8,
            drawstyle="steps-post",
            label=name,
        )
        ax.fill_between(taus, low, high, color=colours[name], alpha=0.15, lw=0, step="post")
    ax.set_xlabel("normalised score τ (0 = worst candidate mean, 1 = best)")
    ax.set_ylabel("fraction of runs with score > τ")
    ax.set_title("Performance profiles across scenarios", loc="left")
    ax.set_ylim(-0.02, 1.02)
    _legend(fig, names, colours)
    return fig
