"""``recsys_slateq``: the SlateQ decomposition and SARSA step by hand; long-term vs myopic."""

from __future__ import annotations

import numpy as np
import pytest

import incentive_lab.learners.recsys.slateq  # noqa: F401  (registers recsys_slateq)
from incentive_lab.core import LearnerContext, make_game, make_learner, make_rng
from incentive_lab.core.slate_choice import SlateFeedback
from incentive_lab.learners.recsys.slateq import choice_probabilities, slate_value

TINY = {
    "n_users": 2, "n_items": 4, "n_topics": 2, "n_agents": 1, "slate_size": 2,
    "item_features": [[1, 0], [0, 1], [1, 0], [0, 1]], "agents_choose": "items",
}  # fmt: skip


def test_slate_value_of_a_two_item_slate_by_hand() -> None:
    # v = (2, 1), v(⊥) = 1: P = (1/2, 1/4, 1/4); Q̄ = (3, 5), Q̄(⊥) = 1
    logits = np.log(np.array([[2.0, 1.0]]))
    np.testing.assert_allclose(choice_probabilities(logits), [[0.5, 0.25, 0.25]])
    value = slate_value(logits, np.array([[3.0, 5.0]]), np.array([1.0]))
    np.testing.assert_allclose(value, [0.5 * 3 + 0.25 * 5 + 0.25 * 1])  # = 3.0


def learner(gamma: float, lr: float = 0.5):  # type: ignore[no-untyped-def]
    game = make_game("recommender", TINY)
    params = {"gamma": gamma, "lr": lr, "epsilon": 0.0, "trace_decay": 0.5}
    return make_learner("recsys_slateq", params, LearnerContext.for_game(game), make_rng(0))


def test_sarsa_step_on_the_consumed_item_by_hand() -> None:
    sq = learner(gamma=0.5)
    sq.psi[0, 0] = [np.log(2.0), 0.0]  # user 0 likes topic 0: v = 2 there, 1 elsewhere
    sq.q_item[0] = [0.4, 0.0, 0.0, 0.0, 0.2]  # W of items 0..3 and of ⊥
    sq.pending[0, 0], sq.pend_item[0, 0] = True, 0  # user 0 consumed item 0 last time
    feedback = SlateFeedback(
        agents=np.array([0]), users=np.array([0]), serial=np.array([0]),
        slates=np.array([[2, 1]]), clicked=np.array([-1]),
    )  # fmt: skip
    sq.learn(np.array([0]), feedback)
    # next slate (2, 1): P = (1/2, 1/4, 1/4); Q̄ = 1 + γ·0 for both items, Q̄(⊥) = γ·0.2
    target = 0.5 * 1 + 0.25 * 1 + 0.25 * 0.5 * 0.2  # = 0.775
    assert sq.q_item[0, 0] == pytest.approx(0.4 + 0.5 * (target - 0.4))
    np.testing.assert_allclose(sq.q_item[0, 1:], [0.0, 0.0, 0.0, 0.2])
    # the new transition waits: no click, so ⊥ (index 4), and no consumption in the trace
    assert sq.pending[0, 0] and sq.pend_item[0, 0] == 4
    np.testing.assert_array_equal(sq.trace[0, 0], [0.0, 0.0])


def test_a_user_who_left_ends_the_episode() -> None:
    sq = learner(gamma=0.9)
    sq.q_item[0, 3] = 0.8
    sq.pending[0, 1], sq.pend_item[0, 1] = True, 3
    sq.forget_users(np.array([0]), np.array([1]))
    assert sq.q_item[0, 3] == pytest.approx(0.8 + 0.5 * (0.0 - 0.8))
    assert not sq.pending[0, 1]


def test_the_myopic_agent_ranks_by_click_odds() -> None:
    sq = learner(gamma=0.0)
    sq.psi[0, 0] = [1.0, -1.0]
    sq.appeal[0] = [0.0, 0.5, -0.2, 0.1]
    sq.q_item[0] = [3.0, 2.0, 1.0, 0.5, 9.0]  # ignored when γ = 0
    z = np.array([1.0, -1.0 + 0.5, 1.0 - 0.2, -1.0 + 0.1])
    np.testing.assert_allclose(sq.scores(np.array([0]), np.array([0])), [np.exp(z)])


# -- long-term return against the myopic click maximiser ---------------------------------
SATIATED = {
    "n_users": 200, "n_items": 40, "n_topics": 4, "n_agents": 1, "drift": 0.0,
    "agents_choose": "items", "satiation": 0.15, "satiation_recovery": 0.7,
}  # fmt: skip
STEPS, SEEDS = 300, 12
T_975_11 = 2.2010  # Student t, 11 degrees of freedom, 97.5 % quantile


def long_term_return(gamma: float, seed: int) -> float:
    """Clicks per user slot and round over the whole run (churned users earn nothing)."""
    from incentive_lab.core import make_mechanism
    from incentive_lab.rollout import LearnerGroup, Simulation

    game = make_game("recommender", SATIATED)
    context = LearnerContext.for_game(game)
    agent = make_learner("recsys_slateq", {"gamma": gamma}, context, make_rng(1000 + seed))
    sim = Simulation(
        game, [LearnerGroup(0, 1, agent)], make_mechanism("none", {}, game, make_rng(0)),
        make_rng(seed),
    )  # fmt: skip
    clicks: list[float] = []

    class Clicks:
        def record(self, record) -> None:  # type: ignore[no-untyped-def]
            clicks.append(float(record.base_rewards.sum()))

    sim.run(STEPS, Clicks())
    return float(np.mean(clicks))


def test_slateq_beats_the_myopic_click_maximiser_under_satiation() -> None:
    """SlateQ (γ = 0.9) earns more clicks over 300 rounds than the same model with γ = 0.

    Paired over 12 seeds (5 until 2026-12-06; same users, items and draws); the 95 %
    t-interval of the difference must exclude 0. Measured when written (5 seeds, the old
    choice-model step, below): γ = 0.9 0.261, γ = 0 0.245 clicks per
    user slot and round, difference 0.016 (95 % CI 0.010 to 0.022). On 4 seeds, without
    satiation the two tie (0.425 vs 0.423), and with a strong one (ς = 0.3) too (0.171 vs
    0.173): the long horizon pays where satiation is moderate. For scale, on the same 5
    seeds: ``recsys_linucb`` 0.270 (its per-user ridge learns preferences faster than this
    online logit), the fixed ``popular`` strategy 0.305 and the ``oracle`` (true current
    interests, satiation included) 0.44 — SlateQ's gain is over its own myopic version, not
    over every baseline.

    2026-12-06: the choice model's shared appeals ``b_i`` took one step on the *sum* of a
    step's gradients, so an item shown to many users jumped by tens (on MovieLens-100k,
    943 users, the appeals reached −75 and the agent's CTR fell to 0.29, near random); they
    now take one stochastic step per observed choice, as the module docstring says. With
    the fix, this test on its 5 seeds gave γ = 0.9 0.266, γ = 0 0.257, difference +0.010
    (CI −0.008 to +0.028): the myopic model gained most. A second look, declared here
    before it was run: the same comparison on 12 seeds (0..11, t(11) = 2.2010), run once;
    the test below is that 12-seed check, xfail (strict) with its numbers if its CI
    includes 0. Result (run once): γ = 0.9 0.282, γ = 0 0.268 clicks per user slot and
    round, difference +0.014 (CI +0.008 to +0.021), positive on 10 of the 12 seeds. The
    5-seed numbers above are seeds 0..4 of this run; seeds 5..11 favour SlateQ more.
    """
    rl = np.array([long_term_return(0.9, seed) for seed in range(SEEDS)])
    myopic = np.array([long_term_return(0.0, seed) for seed in range(SEEDS)])
    diff = rl - myopic
    half = T_975_11 * diff.std(ddof=1) / np.sqrt(SEEDS)
    assert diff.mean() - half > 0.0, (rl.round(4), myopic.round(4))
