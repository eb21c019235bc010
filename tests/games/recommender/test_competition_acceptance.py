"""Issue #19 acceptance: three recommenders compete for users (popular, MF, LinUCB).

Agent 0 always plays the ``popular`` strategy, agent 1 is ``recsys_bpr`` (online MF),
agent 2 ``recsys_linucb``; 300 users, 60 items, 5 topics, no drift, the default soft-max
choice of agent by reputation; 160 rounds, 5 seeds, each seed played with and without
``exposure_fairness`` (default rate 2, catalogue target) on the same users, items and draws,
so the comparisons are paired; 95 % t-intervals over seeds.

What holds at this budget (measured when written, these 5 seeds): the learned agents'
combined market share rises from the first 20 rounds to the last 40 (0.69 → 0.74, CI of
the rise 0.001–0.100: narrowly), and under ``exposure_fairness`` the learned agents' own
exposure distance from the fair one (the total variation the mechanism taxes) drops by
half (BPR 0.26 → 0.15, LinUCB 0.22 → 0.14; CI of the drop 0.006–0.179); with
``shaping: 0`` the learners ignore the tax and their slates are unchanged.

What does NOT hold at this budget: the platform-wide provider exposure Gini (0.369 →
0.360; paired drop 0.009, CI −0.091 to 0.110; with 6 seeds 0.036, CI −0.067 to 0.140):
the ``popular`` agent, a fixed strategy the tax cannot teach, keeps concentrating
exposure (its distance 0.58 → 0.53), and one round's Gini over 10 providers is noisy.
That check is kept as a strict ``xfail`` with these numbers.
"""

from __future__ import annotations

import numpy as np
import pytest

from incentive_lab.core import LearnerContext, make_game, make_learner, make_mechanism, make_rng
from incentive_lab.mechanisms.platform.fairness import exposure_distance
from incentive_lab.rollout import LearnerGroup, Simulation

GAME = {
    "n_users": 300, "n_items": 60, "n_topics": 5, "n_agents": 3, "drift": 0.0,
    "agents_choose": "items",
}  # fmt: skip
AGENTS = (("fixed", {"action": 1}), ("recsys_bpr", {}), ("recsys_linucb", {}))
STEPS, EARLY, LATE, SEEDS = 160, 20, 40, 5
T_975_4 = 2.7764  # Student t, 4 degrees of freedom, 97.5 % quantile


class Trace:
    def __init__(self) -> None:
        self.share: list[list[float]] = []
        self.gini: list[float] = []
        self.distance: list[np.ndarray] = []

    def record(self, record) -> None:  # type: ignore[no-untyped-def]
        metrics, outcome = record.info["metrics"], record.info["recommender"]
        self.share.append([metrics[f"market_share_{k}"] for k in range(3)])
        self.gini.append(metrics["exposure_gini"])
        self.distance.append(exposure_distance(outcome.provider_exposure, outcome.provider_share))


def play(mechanism: str, seed: int) -> Trace:
    game = make_game("recommender", GAME)
    groups = [
        LearnerGroup(k, k + 1, make_learner(lid, p, LearnerContext.for_game(game, k, k + 1),
                                            make_rng(100 * seed + k)))
        for k, (lid, p) in enumerate(AGENTS)
    ]  # fmt: skip
    sim = Simulation(game, groups, make_mechanism(mechanism, {}, game, make_rng(0)), make_rng(seed))
    trace = Trace()
    sim.run(STEPS, trace)
    return trace


@pytest.fixture(scope="module")
def runs() -> dict[str, list[Trace]]:
    return {m: [play(m, seed) for seed in range(SEEDS)] for m in ("none", "exposure_fairness")}


def interval(diff: np.ndarray) -> tuple[float, float]:
    half = T_975_4 * diff.std(ddof=1) / np.sqrt(diff.shape[0])
    return float(diff.mean() - half), float(diff.mean() + half)


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
        [
            learned(a) - learned(b)
            for a, b in zip(runs["none"], runs["exposure_fairness"], strict=True)
        ]
    )
    low, _ = interval(drop)
    assert low > 0.0, drop.round(3)


@pytest.mark.xfail(
    strict=True,
    reason="platform exposure Gini: mean drop 0.009, CI -0.091..0.110 (module docstring)",
)
def test_exposure_fairness_lowers_the_platform_exposure_gini(runs: dict[str, list[Trace]]) -> None:
    drop = np.array(
        [np.mean(a.gini[-LATE:]) - np.mean(b.gini[-LATE:])
         for a, b in zip(runs["none"], runs["exposure_fairness"], strict=True)]
    )  # fmt: skip
    low, _ = interval(drop)
    assert low > 0.0, drop.round(3)
