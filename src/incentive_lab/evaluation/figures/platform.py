"""Report figure of the recommender platform: what each mechanism does to users and providers.

One panel per platform metric the game records (SPEC §1.7) — click-through rate, session
length, churn, intra-list diversity, catalogue coverage, provider exposure Gini, cold-start
CTR, and (recorded with the options added after v0) novelty and user satisfaction — each
with the final value per series (mechanism / sweep point), mean over seeds and a 95%
bootstrap CI. Read across the panels it shows the trade-off a platform mechanism buys:
e.g. an exposure-fairness tax lowers the exposure Gini at a cost in CTR. Competition
figures (market share over time, CTR vs long-term return, exposure Gini vs CTR) are in
``figures.recommender``.
"""

from __future__ import annotations

import textwrap
from typing import Any

import numpy as np

from incentive_lab.evaluation.figures import comparison
from incentive_lab.evaluation.figures.allocation import _errorbar_panel
from incentive_lab.evaluation.game_series import series_of, series_stats
from incentive_lab.evaluation.report.analysis import Prepared

PANELS = (
    ("ctr", "Click-through rate", "clicks per slate shown (0–1)", True),
    ("session_length", "Session length", "rounds per ended session", True),
    ("churn_rate", "Churn", "churned / active users per round", False),
    ("intra_list_diversity", "Diversity", "mean pairwise cosine distance in a slate", True),
    ("coverage", "Catalogue coverage", "distinct items shown / catalogue", True),
    ("exposure_gini", "Provider exposure Gini", "0 = every provider equally exposed", False),
    ("cold_start_ctr", "Cold-start CTR", "CTR of new users", True),
    ("novelty", "Novelty", "mean self-information −log₂ p of items shown (bits)", True),
    ("user_satisfaction", "User satisfaction", "mean satisfaction / patience (0–1)", True),
)
"""(metric, title, unit, higher is better)."""


@comparison._styled
def platform_outcomes(prep: Prepared, rng: np.random.Generator) -> Any | None:
    """Final platform metrics per series with 95% CIs (``None`` if none was recorded)."""
    panels = [p for p in PANELS if p[0] in prep.metric_names]
    if not panels:
        return None
    _, order = series_of(prep)
    stats = series_stats(prep, [p[0] for p in panels], rng)
    colours = comparison.palette(order)
    columns = min(3, len(panels))
    rows = -(-len(panels) // columns)
    names = [textwrap.fill(label, 30) for label in order]  # long series labels wrap
    lines = max(name.count("\n") + 1 for name in names)
    fig = comparison._figure(4.6 * columns + 1.5, rows * (1.0 + 0.42 * lines * len(order)) + 0.4)
    axes = fig.subplots(rows, columns, squeeze=False).ravel()
    for ax, (metric, title, unit, higher) in zip(axes, panels, strict=False):
        _errorbar_panel(ax, stats, metric, order, colours, names)
        better = "higher is better" if higher else "lower is better"
        ax.set_title(f"{title} ({better})", loc="left")
        ax.set_xlabel(unit)
    for ax in axes[len(panels) :]:
        ax.set_visible(False)
    return fig
