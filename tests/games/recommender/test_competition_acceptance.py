"""Issue #19 acceptance: three recommenders compete for users (popular, MF, LinUCB).

Agent 0 always plays the ``popular`` strategy, agent 1 is ``recsys_bpr`` (online MF),
agent 2 ``recsys_linucb``; 300 users, 60 items, 5 topics, 10 providers, no drift, the
default soft-max choice of agent by reputation; 160 rounds, 12 seeds (0..11), each seed
played without a mechanism, with ``exposure_fairness`` at its defaults (rate 2, catalogue
target) and with ``exposure_fairness`` targeting uniform exposure, on the same users, items
and draws, so the comparisons are paired; 95 % t-intervals over seeds (t(11) = 2.2010).
Exposure is measured over the last 40 rounds, amortized (summed over those rounds,
``games.recommender.metrics.amortized_exposure_gini``), as the fairness-of-exposure
literature measures it (Biega et al. 2018; Singh & Joachims 2018). About 0.6 s per run,
36 runs.

History. This module first ran 5 seeds (0..4). There the platform Gini did not fall under
the default mechanism (0.367 → 0.357, drop 0.010, CI −0.091 to +0.110) nor, measured once as
a diagnostic, under ``target: uniform`` (per-round mean Gini drop 0.104, CI −0.008 to
+0.215; amortized 0.107, CI −0.001 to +0.215); ``rate: 10`` gave a platform drop of 0.045
(CI −0.067 to +0.158). A 12-seed protocol was then written down before it was run
(2026-12-05 21:56 UTC, commit 34fbf8a): seeds 0..11 with the 5 old ones included, the same
game, agents, rounds and seeding; outcomes the platform and the learners' amortized Gini,
paired drops ``none − mechanism``; if the platform drop under ``target: uniform`` had a CI
excluding 0, a test of it at 12 seeds (in the ordinary suite if the 7 extra seeds cost ≤ 60
s, else ``slow``); the default mechanism's xfail kept unless its CI excluded 0. It was run
once, no seed dropped.

Results of that run (2026-12-05; the tests below check them):
- the learned agents' combined market share rises from the first 20 rounds to the last 40
  (0.688 → 0.755, rise 0.067, CI 0.048–0.087; at 5 seeds the CI was 0.001–0.100);
- under ``exposure_fairness`` the learned agents' exposure distance from the target (the
  total variation the mechanism taxes) drops 0.223 → 0.137 (0.086, CI 0.048–0.124);
- ``popular`` concentrates exposure far more than the learners (amortized Gini 0.62 against
  0.30, in every one of the 36 runs, smallest margin 0.18);
- with ``target: uniform`` the learners' Gini falls 0.298 → 0.170 (0.127, CI 0.077–0.178)
  and the platform Gini 0.360 → 0.249 (drop 0.111, CI 0.067–0.155; per-seed drops from
  −0.014 to 0.193, 10 of 12 positive).
What does NOT hold — the acceptance claim as worded for the default mechanism: platform
Gini 0.360 → 0.327, drop 0.033, CI −0.016 to +0.083 (learners' Gini 0.298 → 0.272, drop
0.025, CI −0.031 to +0.082); kept as a strict ``xfail``.

Why the platform Gini moves only with the uniform target (same run). Fairness does not push
users toward ``popular``: its market share falls alike under every mechanism (0.31 in
rounds 1–20 → 0.24 in 141–160), its last-40 market share changes by +0.002 (CI −0.010 to
+0.013) under the default and −0.001 (CI −0.013 to +0.010) under uniform, and its share of
slate slots stays 0.245 / 0.246 / 0.243 (none / default / uniform). Recomputing the
platform Gini with each mechanism's exposure distributions but ``popular``'s slot share of
the ``none`` run changes it by < 0.001 (share effect CI within ±0.005). ``popular``'s own
Gini barely moves (0.617 / 0.609 / 0.588, uniform − none CI −0.070 to +0.011): a reward-side
mechanism cannot change a fixed strategy's rule, only the platform-wide clicks its top-k
reads (``slates``). So the whole platform
effect is the learners' own distribution (75 % of the slots): the default target is each
provider's catalogue share, itself unequal (Gini 0.19–0.24), so approaching it lowers the
learners' distance but hardly their Gini; the uniform target is the Gini's own reference.
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
STEPS, EARLY, LATE, SEEDS = 160, 20, 40, 12
T_975_11 = 2.2010  # Student t, 11 degrees of freedom, 97.5 % quantile


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
    half = T_975_11 * diff.std(ddof=1) / np.sqrt(diff.shape[0])
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


PLATFORM_DEFAULT_SHORT = pytest.mark.xfail(
    strict=True,
    reason="amortized platform exposure Gini under exposure_fairness (defaults), 12 seeds: "
    "mean drop 0.033, CI -0.016..0.083 (5 seeds: 0.010, CI -0.091..0.110; module docstring)",
)


@pytest.mark.parametrize(
    ("mechanism", "agents"),
    [
        pytest.param("fairness_uniform", slice(1, 3), id="uniform-learned-agents"),
        pytest.param("fairness_uniform", slice(0, 3), id="uniform-platform"),
        pytest.param("fairness", slice(0, 3), id="default-platform", marks=PLATFORM_DEFAULT_SHORT),
    ],
)
def test_exposure_fairness_lowers_the_exposure_gini(
    runs: dict[str, list[Trace]], mechanism: str, agents: slice
) -> None:
    # paired over seeds: the amortized Gini of ``agents``' exposure without - with ``mechanism``
    drop = paired_drop(runs, mechanism, agents)
    low, _ = interval(drop)
    assert low > 0.0, drop.round(3)
