"""In simulation, the neural recommenders beat ``random`` and get closer to ``oracle`` than
``popular`` does (issue #19); measured on 12 seeds since 2026-12-06 (numbers and history
below; at 6 seeds the two-tower check was an xfail).

The protocol of ``test_recsys_simulation`` (150 users, 50 items, 5 topics, one agent
serving everyone, the game's default boredom, churn and arrivals, no drift), 160 rounds;
the outcome is the CTR of the last 40 rounds; every policy plays the same 12 seeds (6
until 2026-12-06), so the
comparisons are paired and the 95 % t-interval of the paired differences must exclude 0.
The learners run with ``impressions: true`` (they also learn from the slates they showed
that were not clicked: the two-tower model by the conditional-logit slate loss, SASRec by
the shown items' log-loss), the two-tower model also with ``skips: 20, item_bias: true, user_id:
false`` (below), and otherwise their default parameters (``recsys_sasrec``: Kang &
McAuley's constants, but ``max_len: 20``: histories are short here and attention costs
``n²``); marked ``slow`` (two torch learners × 12 seeds × 160 rounds; wall time below).

Measured 2026-12-05 (last-40-round CTR, mean of the 6 seeds): random 0.350, popular 0.497,
oracle 0.688. With ``impressions: true``: two-tower 0.544 (paired difference to popular
+0.047, 95 % CI −0.008 to +0.101), SASRec 0.535 (+0.039, CI +0.001 to +0.076). At the
defaults, which learn from clicks only (the published objectives: Yi et al. 2019's in-batch
softmax over clicks, Kang & McAuley's next-click BCE): two-tower 0.514 (+0.017, CI includes
0), SASRec 0.466 (−0.031). Learning only from clicks, a slate that was shown and ignored
teaches nothing, so an agent keeps showing a topic the user clicks now and then and never
learns that another one is better.

Why the two-tower model lags (diagnosed 2026-12-05, same protocol, expected CTR of the served
slates under the game's choice model, last 40 rounds, 6 seeds): on users older than 10
rounds its slates reach 0.644 (the oracle's slates for the same users 0.707), but 31 % of
the users it serves are cold-start users, on whom it gets 0.304 (popular 0.306, random
0.298); popular serves 9.5 % cold users. Users churn from satisfaction, which a click
refills by the item's quality; clicks do not depend on quality, so no click model can learn
it: the two-tower's slates have mean quality 0.51 (random 0.49), popular's 0.97 (the game
breaks popularity ties by quality, so its fixed slate is the best-quality items) and the
oracle's 0.75. Its users churn 2.6 %/round (popular 0.7 %), and the new users it gets start
from an id embedding that one Adam step per round barely moves.

Variants of ``recsys_two_tower`` tried, each measured once by this protocol (mean CTR;
paired difference to popular, 95 % CI), all with ``impressions: true``: as before 0.544
(+0.047, −0.008 to +0.101); ``item_bias: true`` (a per-item score bias, Koren et al. 2009)
0.543 (+0.047, +0.005 to +0.088); ``skips: 20`` (the user tower also reads the last 20
skipped items, Xie et al.'s "unclick" feedback) 0.526 (+0.030, −0.047 to +0.106); both
0.551 (+0.055, −0.012 to +0.121; cold-user expected CTR 0.318, mean quality 0.53);
``updates: 4`` (more Adam steps per round, a budget change, not a model change) 0.561
(+0.064, −0.011 to +0.140). The variant for this test was fixed before measuring as the
model with both changes (``skips: 20, item_bias: true``); its CI includes 0 (xfail). The
``item_bias`` variant's CI excludes 0 with the same mean difference as the old model's; it
was not chosen in advance and is not adopted on that basis. (The variants' intervals are
from per-seed CTRs rounded to 4 decimals: ±0.001.)

Protocol of 2026-12-06, written down and committed before any run of it. The diagnosis
above says the two-tower loses on users in their first rounds, whose only user-specific
input is an id embedding that moves one Adam step per round. One model change, chosen for
that reason before measuring: ``user_id: false`` (the user tower reads only the user's
recent clicked and skipped items, as YouTube's candidate generator does, Covington et al.
2016; ``_towers`` module docstring), on top of the variant above (``impressions: true,
skips: 20, item_bias: true``). The module moves to 12 seeds (0..11, the 6 old ones
included; t(11) = 2.2010) for every policy, SASRec included (its 6-seed pass is not carried
over); outcome, window and test unchanged. Decision: the two-tower's xfail goes if the
95 % CI of (two-tower − popular) excludes 0, otherwise it stays with the new numbers; the
same for SASRec (an xfail is added if its CI then includes 0). Reported beside it, as a
diagnostic that cannot be adopted: the previous variant (with user ids) on the same 12
seeds. Each is run once; all numbers go here.

Results of that run (2026-12-06, last-40-round CTR, mean of seeds 0..11; paired difference
to popular with its 95 % CI): random 0.356, popular 0.492; two-tower (``user_id: false``)
0.557, +0.065 (CI +0.037 to +0.093), so its xfail is removed; SASRec 0.551, +0.058 (CI
+0.030 to +0.087); both beat random by ≥ +0.19 (CI lower ends ≥ +0.17). The diagnostic:
the previous two-tower variant (with user ids) 0.567, +0.075 (CI +0.038 to +0.112); on
seeds 0..5 it repeats last session's 0.551 exactly. So ``user_id: false`` did not help here
(new − previous −0.010, CI −0.043 to +0.023): what changed the verdict is the larger
sample, under which the previous variant passes too (seeds 6..11 are kinder to every
learner: two-tower 0.566 vs 0.548 on 0..5, popular 0.488 vs 0.497). Going from 6 to 12
seeds after a near miss is a second look, and this docstring says so; the 12-seed
protocol was fixed before this run and not changed after it. Wall time of the file: 12
seeds × 2 torch learners plus the fixed policies: 102 s in one process (load 0.5, 2026-12-06).
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("torch")

from incentive_lab.core import LearnerContext, make_game, make_learner, make_mechanism, make_rng
from incentive_lab.core.recommendation import strategy_index
from incentive_lab.rollout import LearnerGroup, Simulation

GAME = {
    "n_users": 150, "n_items": 50, "n_topics": 5, "n_agents": 1, "drift": 0.0,
    "agents_choose": "items",
}  # fmt: skip
STEPS, WINDOW, SEEDS = 160, 40, 12
PARAMS = {
    "recsys_two_tower": {"impressions": True, "skips": 20, "item_bias": True, "user_id": False},
    "recsys_sasrec": {"max_len": 20, "impressions": True},  # short histories here: a cheaper n²
}
T_975_11 = 2.2010  # Student t, 11 degrees of freedom, 97.5 % quantile


def final_ctr(policy: str, seed: int) -> float:
    game = make_game("recommender", GAME)
    context = LearnerContext.for_game(game)
    if policy in ("random", "popular", "oracle"):
        learner = make_learner("fixed", {"action": strategy_index(policy)}, context, make_rng(0))
    else:
        learner = make_learner(policy, PARAMS.get(policy, {}), context, make_rng(1000 + seed))
    mechanism = make_mechanism("none", {}, game, make_rng(0))
    sim = Simulation(game, [LearnerGroup(0, 1, learner)], mechanism, make_rng(seed))
    values: list[float] = []

    class CTR:
        def record(self, record) -> None:
            values.append(record.info["metrics"]["ctr"])

    sim.run(STEPS, CTR())
    return float(np.mean(values[-WINDOW:]))


def lower_bound(differences: np.ndarray) -> float:
    """Lower end of the 95 % t-interval of the mean of ``differences``."""
    return float(differences.mean() - T_975_11 * differences.std(ddof=1) / np.sqrt(SEEDS))


@pytest.fixture(scope="module")
def baselines() -> dict[str, np.ndarray]:
    return {
        name: np.array([final_ctr(name, seed) for seed in range(SEEDS)])
        for name in ("random", "popular")
    }


def learned(learner_id: str) -> np.ndarray:
    return np.array([final_ctr(learner_id, seed) for seed in range(SEEDS)])


@pytest.fixture(scope="module")
def runs() -> dict[str, np.ndarray]:
    return {name: learned(name) for name in ("recsys_two_tower", "recsys_sasrec")}


@pytest.mark.slow
@pytest.mark.parametrize("learner_id", ["recsys_two_tower", "recsys_sasrec"])
def test_neural_learner_beats_random(learner_id, runs, baselines):
    assert lower_bound(runs[learner_id] - baselines["random"]) > 0, runs[learner_id]


@pytest.mark.slow
@pytest.mark.parametrize("learner_id", ["recsys_two_tower", "recsys_sasrec"])
def test_neural_learner_gets_closer_to_oracle_than_popular(learner_id, runs, baselines):
    # oracle − learned < oracle − popular  ⇔  learned − popular > 0
    assert lower_bound(runs[learner_id] - baselines["popular"]) > 0, runs[learner_id]
