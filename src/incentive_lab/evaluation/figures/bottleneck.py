"""Report figure of Vickrey's bottleneck (``bottleneck``): departures and queue over the day.

:func:`departure_profiles` draws, per series (mechanism / sweep point), the final
``departure_rate_<k>`` (departures per hour in slot ``k``) as a step curve over the slot
times ``t_0 + kΔ`` and the final ``queue_<k>`` (vehicles waiting at the end of slot ``k``) at
the slot ends, each the mean over seeds. With them, the continuous-time theory of the game's
parameters (:mod:`incentive_lab.games.bottleneck`; Vickrey 1969, Arnott, de Palma & Lindsey
1990): the no-toll equilibrium (dashed: rate ``sα/(α−β)`` then ``sα/(α+γ)``, the queue rising
to ``δN/α`` vehicles at the on-time departure ``t̃`` and back to zero at ``t_q'``) and the
optimal fine toll (dotted: rate ``s`` over ``[t_q, t_q']``, no queue); the capacity ``s``
and ``t* − t_f`` are marked. :func:`theory_curves` computes those references.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from incentive_lab.core.registry import get
from incentive_lab.evaluation.figures import comparison
from incentive_lab.evaluation.game_series import SERIES, series_of, series_stats
from incentive_lab.evaluation.report.analysis import Prepared

RATE = "departure_rate_"
QUEUE = "queue_"


def theory_curves(params: Any) -> dict[str, np.ndarray]:
    """Continuous no-toll references for ``BottleneckParams``: times, rates, queue.

    ``time``: ``[t_q, t̃, t_q']``; ``rate``: departure rate on ``[t_q, t̃)`` and ``[t̃, t_q']``;
    ``queue``: vehicles at those three times (``0, δN/α, 0``).
    """
    p = params
    t_hat = p.desired_arrival - p.free_flow
    n, s = p.n_commuters, p.capacity
    delta = p.beta * p.gamma / (p.beta + p.gamma)
    start = t_hat - p.gamma * n / ((p.beta + p.gamma) * s)
    end = t_hat + p.beta * n / ((p.beta + p.gamma) * s)
    on_time = t_hat - delta * n / (p.alpha * s)
    return {
        "time": np.array([start, on_time, end]),
        "rate": np.array([s * p.alpha / (p.alpha - p.beta), s * p.alpha / (p.alpha + p.gamma)]),
        "queue": np.array([0.0, delta * n / p.alpha, 0.0]),
    }


def _profile(stats: Any, label: str, prefix: str, n_slots: int) -> np.ndarray | None:
    rows = stats[(stats[SERIES] == label) & stats["metric"].str.startswith(prefix)]
    if rows.empty:
        return None
    values = np.full(n_slots, np.nan)
    for metric, mean in zip(rows["metric"], rows["mean"], strict=True):
        k = int(str(metric).removeprefix(prefix))
        if k < n_slots:
            values[k] = float(mean)
    return values


@comparison._styled
def departure_profiles(
    prep: Prepared, params: dict[str, Any], rng: np.random.Generator
) -> Any | None:
    """Departure rate and queue over the day per series (``None`` without profile metrics)."""
    names = [n for n in prep.metric_names if n.startswith((RATE, QUEUE))]
    if not names:
        return None
    p: Any = get("game", "bottleneck").validate(params, "game.params")
    _, order = series_of(prep)
    stats = series_stats(prep, names, rng)
    colours = comparison.palette(order)
    starts = p.first_slot + p.slot_width * np.arange(p.n_slots)
    edges = np.append(starts, starts[-1] + p.slot_width)
    theory = theory_curves(p)
    fig = comparison._figure(9.0, 6.6)
    rate_ax, queue_ax = fig.subplots(2, 1, sharex=True)
    for label in order:
        colour = colours.get(label, "#333333")
        rates = _profile(stats, label, RATE, p.n_slots)
        if rates is not None:
            rate_ax.stairs(rates, edges, color=colour, lw=1.8, label=label)
        queue = _profile(stats, label, QUEUE, p.n_slots)
        if queue is not None:
            queue_ax.plot(
                np.append(starts[:1], edges[1:]),
                np.append([0.0], queue),
                color=colour,
                lw=1.8,
                label=label,
            )
    t = theory["time"]
    rate_ax.stairs(theory["rate"], t, color="black", ls="--", lw=1.1, label="no-toll equilibrium")
    rate_ax.stairs(
        [p.capacity], t[[0, 2]], color="black", ls=":", lw=1.3, label="fine toll (rate s)"
    )
    rate_ax.axhline(p.capacity, color="#999999", lw=0.8)
    queue_ax.plot(t, theory["queue"], color="black", ls="--", lw=1.1, label="no-toll equilibrium")
    queue_ax.plot(t[[0, 2]], [0.0, 0.0], color="black", ls=":", lw=1.3, label="fine toll")
    for ax in (rate_ax, queue_ax):
        ax.axvline(p.desired_arrival - p.free_flow, color="#999999", lw=0.8, ls="-.")
    rate_ax.set_title("Departure rate over the day (mean over seeds)", loc="left")
    rate_ax.set_ylabel("departures per hour")
    rate_ax.legend(loc="upper right", fontsize="small")
    queue_ax.set_title("Queue at the bottleneck (vehicles, end of each slot)", loc="left")
    queue_ax.set_ylabel("vehicles")
    queue_ax.set_xlabel("departure time (hours; dash-dot: t* − t_f)")
    return fig
