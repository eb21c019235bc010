"""Report figures with many long-labelled conditions or candidates keep their panels.

A sweep over learners gives the report one condition per learner, labelled by the learner's
spec (``learners=recsys_bpr(factors=64,lr=0.001,...)``). Side by side, eight such columns
squeezed the panels to nothing (matplotlib: "constrained_layout not applied because axes
sizes collapsed to zero") and long candidate names made the legend wider than the figure.
Now conditions wrap four to a row, panel titles wrap, and the legend takes as many columns
as fit.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from incentive_lab.evaluation.figures import comparison
from incentive_lab.evaluation.report.analysis import CONDITION, MECHANISM, Objective

OBJECTIVES = [
    Objective("social_welfare", "Social welfare", "clicks per user slot", True, "highest"),
    Objective("gini", "Fairness (Gini)", "0 = equal", False, "lowest"),
]
CONDITIONS = [f'learners=recsys_bpr(factors={8 * k},lr=0.001,optimizer="adam")' for k in range(8)]
CANDIDATES = ["none", 'exposure_fairness(rate=2.0,target="uniform",budget_balanced=true)']


def curves() -> dict[str, pd.DataFrame]:
    steps = np.arange(10, 110, 10)
    rows = [
        {MECHANISM: m, CONDITION: c, "step": s, "mean": 0.1 * k, "ci_low": 0.0, "ci_high": 0.2}
        for k, m in enumerate(CANDIDATES)
        for c in CONDITIONS
        for s in steps
    ]
    frame = pd.DataFrame(rows)
    return {o.metric: frame for o in OBJECTIVES}


def test_many_long_conditions_wrap_onto_rows_and_every_panel_keeps_its_size() -> None:
    colours = comparison.palette(CANDIDATES)
    fig = comparison.learning_curves(curves(), OBJECTIVES, CANDIDATES, CONDITIONS, colours)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == len(OBJECTIVES) * len(CONDITIONS)
    assert {len(row) for row in np.atleast_2d(fig.axes)} and fig.get_size_inches()[0] <= 14.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a collapsed layout warns
        comparison.to_svg(fig, "fig-test")
    for ax in visible:
        box = ax.get_position()
        assert box.width > 0.1 and box.height > 0.03, box
        assert all(
            len(line) <= comparison.TITLE_CHARS for line in ax.get_title(loc="left").split("\n")
        )
    columns = {round(ax.get_position().x0, 3) for ax in visible}
    assert len(columns) == comparison.WRAP
    legend = fig.legends[0]  # the candidates' legend fits the figure's width
    width = legend.get_window_extent(fig.canvas.get_renderer()).width
    assert width <= fig.get_size_inches()[0] * fig.dpi
