"""Report figure of the UAV swarm (``uav_swarm``): sharing under the energy budget, and r_c.

Seed 004's UAV swarm shares information at an energy cost; a battery that recharges by
``recharge`` per step and pays ``share_energy`` per share caps the long-run sharing rate at
the budget-feasible level ``min(1, recharge/share_energy)``
(:mod:`incentive_lab.games.uav_swarm`), and ``r_c`` follows the environment's feedback law
driven by the sharing. :func:`sharing_and_feedback` draws, per series (mechanism / sweep
point; :func:`~incentive_lab.evaluation.game_series.series_of`):

* left — ``sharing_rate`` (UAVs that actually shared) over time, mean over seeds with a
  95% percentile-bootstrap band, and the series' budget cap as a dashed line in its colour
  (:func:`budget_caps`, from each run's stored game params);
* right — the cooperators' multiplier ``r_c`` over time the same way (the environment the
  learners shape; flat for ``feedback: constant``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from incentive_lab.core.registry import get
from incentive_lab.evaluation.figures import comparison
from incentive_lab.evaluation.game_series import run_configs, series_curves, series_of
from incentive_lab.evaluation.report.analysis import Prepared

SHARING, MULTIPLIER = "sharing_rate", "r_c"


def budget_caps(prep: Prepared) -> dict[str, float]:
    """Series → ``min(1, recharge/share_energy)`` of its runs' game params (defaults filled)."""
    labels, _ = series_of(prep)
    configs, _ = run_configs(prep)
    entry = get("game", "uav_swarm")
    caps: dict[str, float] = {}
    for run_id, label in labels.items():
        raw = configs.get(run_id, {}).get("game", {}).get("params", {})
        params: Any = entry.validate(raw, "game.params")
        caps.setdefault(label, min(1.0, params.recharge / params.share_energy))
    return caps


@comparison._styled
def sharing_and_feedback(prep: Prepared, rng: np.random.Generator) -> Any | None:
    """Sharing rate with the energy cap, and r_c, over time per series (module docstring)."""
    if SHARING not in prep.metric_names:
        return None
    _, order = series_of(prep)
    colours = comparison.palette(order)
    caps = budget_caps(prep)
    sharing = series_curves(prep, SHARING, rng)
    feedback = series_curves(prep, MULTIPLIER, rng) if MULTIPLIER in prep.metric_names else {}
    fig = comparison._figure(12.0, 4.6)
    left, right = fig.subplots(1, 2)
    for ax, curves in ((left, sharing), (right, feedback)):
        for label in order:
            if label not in curves:
                continue
            curve, colour = curves[label], colours.get(label, "#333333")
            ax.plot(curve["step"], curve["mean"], color=colour, lw=1.8, label=label)
            ax.fill_between(
                curve["step"], curve["ci_low"], curve["ci_high"], color=colour, alpha=0.18, lw=0
            )
    for label in order:
        if label in caps and label in sharing:
            colour = colours.get(label, "#333333")
            left.axhline(caps[label], color=colour, ls="--", lw=1.1)
    left.plot([], [], color="black", ls="--", lw=1.1, label="energy cap min(1, recharge/cost)")
    left.set_title("UAVs sharing (mean over seeds, 95% band)", loc="left")
    left.set(xlabel="step", ylabel="sharing rate", ylim=(-0.02, 1.05))
    left.legend(loc="lower right", fontsize="small")
    right.set_title("Cooperators' multiplier r_c (environment feedback)", loc="left")
    right.set(xlabel="step", ylabel="r_c")
    return fig
