"""Game-specific report figures, selected automatically by the experiment's game id.

:func:`game_figures` looks up the game id of an experiment (from its stored resolved
config) and returns the figures that game has beyond the generic ones of
:mod:`~incentive_lab.evaluation.figures.comparison`; each builder returns nothing when the
data it needs were not recorded (e.g. no sweep over ``r``), so a report never fails for lack
of a game-specific figure.

=========================================================  =====================================
game id                                                    figures (module)
=========================================================  =====================================
``differentiable_pgg``, ``differentiable_toy``,            phase portrait with the individual-
``matrix_mixed``                                           gradient field (``figures.dynamics``)
``auction``                                                bid vs value per payment rule;
                                                           revenue and efficiency with CIs
                                                           (``figures.allocation``)
``congestion``                                             flow share per path; price of
                                                           anarchy with CIs and the Wardrop /
                                                           optimal references
                                                           (``figures.allocation``)
``spatial_public_goods``                                   cooperation vs r with the lattice
                                                           thresholds; final strategy fields
                                                           (``figures.spatial``)
``global_local``                                           SUB-SAMPLE-Q gap vs k with the
                                                           fitted C·√((n−k+1)/(nk)) curve
                                                           (``figures.subsample``)
``recommender``                                            CTR, session length, churn,
                                                           diversity, coverage, exposure Gini,
                                                           cold-start CTR with CIs
                                                           (``figures.platform``); market
                                                           share over time, CTR vs long-term
                                                           return, exposure Gini vs CTR
                                                           (``figures.recommender``)
``bottleneck``                                             departure rate and queue over the
                                                           day per series, with the no-toll and
                                                           fine-toll theory
                                                           (``figures.bottleneck``)
``user_assistant``                                         answer-strategy shares per question
                                                           type, with √(U·L) (``figures.gtalign``)
``uav_swarm``                                              sharing rate over time with the
                                                           energy cap; r_c over time
                                                           (``figures.uav``)
any game, when a learner's ``repel`` is swept              cooperation over time and time to
                                                           cooperation per repel
                                                           (``figures.abandon``)
=========================================================  =====================================

Statistics use a child of the report's generator (``rng.spawn``), so adding or removing a
game-specific figure never changes the numbers of the rest of the report.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from incentive_lab.evaluation.figures import (
    abandon,
    allocation,
    bottleneck,
    dynamics,
    gtalign,
    platform,
    recommender,
    spatial,
    subsample,
    uav,
)
from incentive_lab.evaluation.game_series import game_id
from incentive_lab.evaluation.report.analysis import Prepared


@dataclass(frozen=True)
class GameFigure:
    """One figure for the report: the matplotlib figure, its kind (id suffix), caption."""

    figure: Any
    kind: str
    caption: str


Builder = Callable[[Prepared, dict[str, Any], np.random.Generator], list[GameFigure]]


def _params(prep: Prepared) -> dict[str, Any]:
    config = json.loads(prep.tables.runs["config"].iloc[0])
    params = config.get("game", {}).get("params", {})
    return dict(params) if isinstance(params, dict) else {}


def _dynamics(prep: Prepared, params: dict[str, Any], rng: np.random.Generator) -> list[GameFigure]:
    game = game_id(prep) or ""
    fig = dynamics.phase_portrait(prep, game, params)
    if fig is None:
        return []
    caption = (
        "Phase portrait: the players' strategies over training, one colour per series; bold: "
        "mean over seeds, faint: each seed (each itself the mean over the run's copies). "
        "Grey arrows: direction of simultaneous individual-gradient play (each player "
        "descends its own unshaped loss), computed from the game."
    )
    return [GameFigure(fig, "phase-portrait", caption)]


def _auction(prep: Prepared, params: dict[str, Any], rng: np.random.Generator) -> list[GameFigure]:
    out = []
    fig = allocation.bid_curves(prep, params, rng)
    if fig is not None:
        caption = (
            "Learned bids vs private value per payment rule: mean bid fraction in each value "
            "bucket over the last part of the run, times the bucket's midpoint, mean over "
            "seeds (bars: 95% CI). Dotted: truthful bidding; dashed: the first-price "
            "equilibrium low + (n−1)/n·(v − low) for uniform values, one item."
        )
        out.append(GameFigure(fig, "bid-curves", caption))
    fig = allocation.auction_outcomes(prep, params, rng)
    if fig is not None:
        caption = (
            "Revenue per auction and allocative efficiency per series, 95% CIs over seeds. "
            "Dotted: the equilibrium revenue of one item with uniform values (revenue "
            "equivalence: the expected second-highest value); solid: full efficiency."
        )
        out.append(GameFigure(fig, "auction-outcomes", caption))
    return out


def _congestion(
    prep: Prepared, params: dict[str, Any], rng: np.random.Generator
) -> list[GameFigure]:
    fig = allocation.congestion_flows(prep, rng)
    if fig is None:
        return []
    caption = (
        "Left: final share of agents on each path per series (mean over seeds), next to the "
        "theoretical Wardrop (selfish) and optimal splits. Right: price of anarchy with 95% "
        "CIs; dashed: the Wardrop flow's PoA, solid: the optimum (1)."
    )
    return [GameFigure(fig, "congestion-flows", caption)]


def _spatial(prep: Prepared, params: dict[str, Any], rng: np.random.Generator) -> list[GameFigure]:
    out = []
    fig = spatial.cooperation_vs_r(prep, rng)
    if fig is not None:
        caption = (
            "Cooperation (final fraction of cooperators) vs the multiplier r, mean over seeds "
            "with a 95% CI band. Dotted lines: the literature thresholds r ≈ 3.74 "
            "(cooperators die out below) and r ≈ 5.49 (defectors die out above) for the "
            "von Neumann lattice, G = 5, Fermi noise K = 0.5 (Szolnoki, Perc & Szabó 2009)."
        )
        out.append(GameFigure(fig, "cooperation-vs-r", caption))
    fig = spatial.lattice_snapshots(prep)
    if fig is not None:
        caption = (
            "Strategy field at the end of the first seed's run of each series (blue: "
            "cooperator, red: defector; large lattices shown every s-th row and column)."
        )
        out.append(GameFigure(fig, "lattice-snapshots", caption))
    return out


def _recommender(
    prep: Prepared, params: dict[str, Any], rng: np.random.Generator
) -> list[GameFigure]:
    fig = platform.platform_outcomes(prep, rng)
    if fig is None:
        return []
    caption = (
        "Platform outcomes per series: final value (mean over seeds, 95% bootstrap CI) of "
        "each user- and provider-side metric, to read what a mechanism buys and what it "
        "costs (e.g. lower provider exposure Gini against CTR)."
    )
    out = [GameFigure(fig, "platform-outcomes", caption)]
    out += [GameFigure(*f) for f in recommender.competition_figures(prep, rng)]
    return out


def _subsample(
    prep: Prepared, params: dict[str, Any], rng: np.random.Generator
) -> list[GameFigure]:
    fig = subsample.gap_vs_k(prep, params, rng)
    if fig is None:
        return []
    caption = (
        "SUB-SAMPLE-Q optimality gap vs the number k of sub-sampled agents: the reference "
        "policy's final mean reward minus the k policy's, paired by seed (common random "
        "numbers), mean with 95% bootstrap CI; dashed: C·√((n−k+1)/(n·k)) with C fitted by "
        "least squares. Right (when recorded): planning time vs k."
    )
    return [GameFigure(fig, "gap-vs-k", caption)]


def _bottleneck(
    prep: Prepared, params: dict[str, Any], rng: np.random.Generator
) -> list[GameFigure]:
    fig = bottleneck.departure_profiles(prep, params, rng)
    if fig is None:
        return []
    caption = (
        "Top: departures per hour in each slot per series (final window, mean over seeds); "
        "dashed: the no-toll equilibrium rates sα/(α−β) then sα/(α+γ); dotted: the optimal "
        "fine toll's rate s over the same rush hour; grey: capacity s. Bottom: vehicles "
        "queued at each slot's end; dashed: the no-toll queue peaking at δN/α vehicles, "
        "dotted: none under the fine toll (Vickrey 1969; Arnott, de Palma & Lindsey 1990)."
    )
    return [GameFigure(fig, "departure-profiles", caption)]


def _uav(prep: Prepared, params: dict[str, Any], rng: np.random.Generator) -> list[GameFigure]:
    fig = uav.sharing_and_feedback(prep, rng)
    if fig is None:
        return []
    caption = (
        "Left: UAVs that actually shared per step, per series, mean over seeds (band: 95% "
        "bootstrap CI); dashed, in the series' colour: the budget-feasible sharing rate "
        "min(1, recharge/share_energy) that the batteries allow in the long run. Right: the "
        "cooperators' multiplier r_c, moved by the environment's feedback law (seed 004)."
    )
    return [GameFigure(fig, "uav-sharing", caption)]


def _gtalign(prep: Prepared, params: dict[str, Any], rng: np.random.Generator) -> list[GameFigure]:
    fig = gtalign.strategy_shares(prep, rng)
    if fig is None:
        return []
    caption = (
        "Answer strategies of the assistant per question type and series (final window, mean "
        "over seeds): DA direct answer, CQ clarifying question, AQ answer + follow-up question "
        "(verbose); right: final mutual welfare √(U·L) with 95% CI (GTAlign, Zhu et al. 2025)."
    )
    return [GameFigure(fig, "strategy-shares", caption)]


BUILDERS: dict[str, Builder] = {
    "differentiable_pgg": _dynamics,
    "differentiable_toy": _dynamics,
    "matrix_mixed": _dynamics,
    "auction": _auction,
    "congestion": _congestion,
    "spatial_public_goods": _spatial,
    "global_local": _subsample,
    "recommender": _recommender,
    "bottleneck": _bottleneck,
    "user_assistant": _gtalign,
    "uav_swarm": _uav,
}
"""Game id → builder of its game-specific figures."""


def game_figures(prep: Prepared, rng: np.random.Generator) -> list[GameFigure]:
    """The game-specific figures of one experiment (empty for other games)."""
    builder = BUILDERS.get(game_id(prep) or "")
    if prep.tables.runs.empty:
        return []
    out = [] if builder is None else builder(prep, _params(prep), rng.spawn(1)[0])
    if abandon.swept_repel(prep) is not None:  # any game: a learner's repel is swept
        out += [GameFigure(*f) for f in abandon.abandon_figures(prep, rng.spawn(1)[0])]
    return out
