"""Issue #19 acceptance: three recommenders compete for users (popular, MF, LinUCB).

Agent 0 always plays the ``popular`` strategy, agent 1 is ``recsys_bpr`` (online MF),
agent 2 ``recsys_linucb``; 300 users, 60 items, 5 topics, 10 providers, no drift, the
default soft-max choice of agent by reputation; 160 rounds, 5 seeds, each seed played
without a mechanism, with ``exposure_fairness`` at its defaults (rate 2, catalogue target)
and with ``exposure_fairness`` targeting uniform exposure, on the same users, items and
draws, so the comparisons are paired; 95 % t-intervals over seeds. Exposure is measured
over the last 40 rounds, amortized (summed over those rounds,
``games.recommender.metrics.amortized_exposure_gini``), as the fairness-of-exposure
literature measures it (Biega et al. 2018; Singh & Joachims 2018).

What holds at this budget (measured 2026-12-05, these 5 seeds): the learned agents'
combined market share rises from the first 20 rounds to the last 40 (0.69 → 0.74, CI of
the rise 0.001–0.100: narrowly); under ``exposure_fairness`` the learned agents' own
exposure distance from the fair one (the total variation the mechanism taxes) drops by
0.093 (0.238 → 0.145, CI 0.006–0.179); the fixed ``popular`` agent concentrates exposure
far more than the learners (amortized Gini 0.63 against 0.29 for the learners' combined
exposure, in every run), and no reward-side mechanism can change a fixed strategy's slates.
With the uniform target — the reference point of the Gini — the learners' combined
amortized Gini falls (0.289 → 0.172, drop 0.117, CI 0.005–0.229).

What does NOT hold: the platform-wide provider exposure Gini under the default mechanism
(amortized 0.367 → 0.357, paired drop 0.010, CI −0.091 to +0.110; per-round mean 0.369 →
0.360, drop 0.009, CI −0.091 to +0.110). Amortizing changes nothing here: within a run the
per-round Gini varies little (sd ≈ 0.015 over the 40 rounds); the spread is between seeds.
Why it does not fall: (1) the default target is each provider's catalogue share, whose own
Gini is 0.19–0.24, so moving the learners to the target barely moves their Gini (0.289 →
0.290) even though their distance from the target drops; (2) the ``popular`` agent's 26 %
of the slots stay concentrated (its Gini 0.63 → 0.67). Diagnostic variants, measured once
each and not used to pick the test: ``target: uniform`` platform drop 0.104 (CI −0.008 to
+0.215); ``rate: 10`` platform drop 0.045 (CI −0.067 to +0.158), learners' distance drop
0.093 as at rate 2 (a five times larger tax moves the learners no further). The check is
kept as a strict ``xfail`` with these numbers.

Pre-registered 12-seed protocol (written 2026-12-05 21:58 UTC, before any of it was run).
Seeds 0..11 (the 5 above included), each played under ``none``, ``exposure_fairness`` at its
defaults and with ``target: uniform``; the game, agents, 160 rounds and the seeding of this
module unchanged; paired over seeds, 95 % t-intervals with t(11) = 2.2010. Outcomes (last
40 rounds, amortized): the platform Gini (agents 0..2) and the learners' Gini (agents 1, 2),
paired drops ``none − mechanism``. Diagnostics (why the platform Gini moves or not), per
mechanism, last 40 rounds: ``popular``'s share of the slate slots and its Gini, the
learners' share and Gini; ``popular``'s market share in 8 blocks of 20 rounds and the paired
change of its last-40 market share against ``none``; the platform Gini recomputed with each
part's exposure distribution of the mechanism run but ``popular``'s slot share of the
``none`` run (the share effect is the rest). Decision: if the 12-seed platform drop under
``target: uniform`` has a CI excluding 0, a test of that claim at 12 seeds is added (in the
ordinary suite if the 7 extra seeds cost ≤ 60 s on this machine, else marked ``slow``);
otherwise the module stays at 5 seeds and the 12-seed numbers are recorded here. The default
mechanism's xfail is kept unless its 12-seed CI excludes 0. One run; no seed is dropped.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from incentive_lab.core import LearnerContext, make_game, make_learner, make_mechanism, make_rng
from incentive_lab.games.recommender.metrics import amortized_exposure_gini
from incentive_lab.mechanisms.platform.fairness import exposure_distance
from incentive_lab.rollout import LearnerGroup, Simulation

GAME = {
    "n_users": 300, "n_items": 60, "n_topics": 5, "n_agents": 3, "drift": 0.0,
    "agents_choose": "items",
}  # fmt: skip
AGENTS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("fixed", {"action": 1}),
    ("recsys_bpr", {}),
    ("recsys_linucb", {}),
)
MECHANISMS = {
    "none": ("none", {}),
    "fairness": ("exposure_fairness", {}),
    "fairness_uniform": ("exposure_fairness", {"target": "uniform"}),
}
STEPS, EARLY, LATE, SEEDS = 160, 20, 40, 5
T_975_4 = 2.7764  # Student t, 4 degrees of freedom, 97.5 % quantile


class Trace:
    def __init__(self) -> None:
        self.share: list[list[float]] = []
        self.exposure: list[np.ndarray] = []
        self.distance: list[np.ndarray] = []

    def record(self, record) -> None:  # type: ignore[no-untyped-def]
        metrics, outcome = record.info["metrics"], record.info["recommender"]
        self.share.append([metrics[f"market_share_{k}"] for k in range(3)])
        self.exposure.append(outcome.provider_exposure.copy())
        self.distance.append(exposure_distance(outcome.provider_exposure, outcome.provider_share))

    def late_gini(self, agents: slice) -> float:
        """Amortized Gini of the exposure ``agents`` gave over the last ``LATE`` rounds."""
        return amortized_exposure_gini(np.array(self.exposure)[-LATE:, agents])


def play(mechanism: str, seed: int) -> Trace:
    game = make_game("recommender", GAME)
    groups = [
        LearnerGroup(k, k + 1, make_learner(lid, p, LearnerContext.for_game(game, k, k + 1),
                                            make_rng(100 * seed + k)))
        for k, (lid, p) in enumerate(AGENTS)
    ]  # fmt: skip
    mid, params = MECHANISMS[mechanism]
    sim = Simulation(game, groups, make_mechanism(mid, params, game, make_rng(0)), make_rng(seed))
    trace = Trace()
    sim.run(STEPS, trace)
    return trace


@pytest.fixture(scope="module")
def runs() -> dict[str, list[Trace]]:
    return {m: [play(m, seed) for seed in range(SEEDS)] for m in MECHANISMS}


def interval(diff: np.ndarray) -> tuple[float, float]:
    half = T_975_4 * diff.std(ddof=1) / np.sqrt(diff.shape[0])
    return float(diff.mean() - half), float(diff.mean() + half)


def paired_drop(runs: dict[str, list[Trace]], mechanism: str, agents: slice) -> np.ndarray:
    pairs = zip(runs["none"], runs[mechanism], strict=True)
    return np.array([a.late_gini(agents) - b.late_gini(agents) for a, b in pairs])


def test_learned_agents_gain_market_share(runs: dict[str, list[Trace]]) -> None:
    learned = [np.array(t.share)[:, 1:].sum(axis=1) for t in runs["none"]]
    rise = np.array([share[-LATE:].mean() - share[:EARLY].mean() for share in learned])
    low, _ = interval(rise)
    assert low > 0.0, rise.round(3)


def test_exposure_fairness_makes_the_learned_agents_expose_providers_fairly(
    runs: dict[str, list[Trace]],
) -> None:
    def learned(t: Trace) -> float:
        return float(np.array(t.distance)[-LATE:, 1:].mean())

    drop = np.array(
        [learned(a) - learned(b) for a, b in zip(runs["none"], runs["fairness"], strict=True)]
    )
    low, _ = interval(drop)
    assert low > 0.0, drop.round(3)


def test_the_fixed_popular_agent_concentrates_exposure_most(runs: dict[str, list[Trace]]) -> None:
    for traces in runs.values():
        for t in traces:
            assert t.late_gini(slice(0, 1)) > t.late_gini(slice(1, 3)) + 0.1


def test_exposure_fairness_toward_uniform_lowers_the_learned_agents_exposure_gini(
    runs: dict[str, list[Trace]],
) -> None:
    drop = paired_drop(runs, "fairness_uniform", slice(1, 3))
    low, _ = interval(drop)
    assert low > 0.0, drop.round(3)


@pytest.mark.xfail(
    strict=True,
    reason="amortized platform exposure Gini under exposure_fairness: mean drop 0.010, "
    "CI -0.091..0.110 (module docstring)",
)
def test_exposure_fairness_lowers_the_platform_exposure_gini(runs: dict[str, list[Trace]]) -> None:
    drop = paired_drop(runs, "fairness", slice(0, 3))
    low, _ = interval(drop)
    assert low > 0.0, drop.round(3)
