"""Learning recommenders by hand: a BPR-SGD step on 2 users × 3 items, LinUCB's scores and
update, the triples a click makes, the slate channel round trip."""

from __future__ import annotations

import numpy as np
import pytest

from incentive_lab.core import ConfigError, LearnerContext, make_game, make_learner, make_rng
from incentive_lab.core.slate_choice import SlateFeedback
from incentive_lab.core.top_k import top_k
from incentive_lab.learners.recsys.bpr import bpr_step
from incentive_lab.learners.recsys.linucb import ucb_scores


def test_bpr_step_by_hand_on_two_users_and_three_items():
    user = np.array([[0.1, 0.2], [0.5, -0.5]])
    item = np.array([[0.3, -0.1], [0.0, 0.2], [0.7, 0.7]])
    bias = np.array([0.1, 0.0, -0.2])
    triples = (np.array([0]), np.array([0]), np.array([1]))  # user 0 clicked 0, not 1
    fit = bpr_step(user, item, bias, triples, lr=0.1, reg=0.01)
    # x = p0·(q0 − q1) + b0 − b1 = (0.1, 0.2)·(0.3, −0.3) + 0.1 = 0.07; g = σ(−0.07)
    g = 0.48250714
    assert fit == pytest.approx(np.log(1 / (1 + np.exp(-0.07))))
    # p0 ← p0 + η(g(q0 − q1) − λp0)
    assert user[0] == pytest.approx([0.1 + 0.1 * (0.3 * g - 0.001), 0.2 + 0.1 * (-0.3 * g - 0.002)])
    assert user[0] == pytest.approx([0.11437521, 0.18532479])
    assert item[0] == pytest.approx([0.30452507, -0.09024986])  # q0 + η(g p0 − λ q0)
    assert item[1] == pytest.approx([-0.00482507, 0.19014986])  # q1 + η(−g p0 − λ q1)
    assert bias[:2] == pytest.approx([0.1481507, -0.0482507])
    # untouched: user 1, item 2
    assert user[1].tolist() == [0.5, -0.5] and item[2].tolist() == [0.7, 0.7] and bias[2] == -0.2


def test_bpr_step_without_biases_and_summed_triples():
    user = np.array([[0.1, 0.2], [0.5, -0.5]])
    item = np.array([[0.3, -0.1], [0.0, 0.2], [0.7, 0.7]])
    # two triples of user 1 at the same parameters: (1, 2, 0) and (1, 2, 1)
    x = np.array([0.5 * 0.4 - 0.5 * 0.8, 0.5 * 0.7 - 0.5 * 0.5])  # p1·(q2 − q0), p1·(q2 − q1)
    g = 1 / (1 + np.exp(x))
    expected_p1 = user[1] + 0.1 * (
        g[0] * (item[2] - item[0]) + g[1] * (item[2] - item[1]) - 2 * 0.01 * user[1]
    )
    expected_q2 = item[2] + 0.1 * ((g[0] + g[1]) * user[1] - 2 * 0.01 * item[2])
    bpr_step(user, item, None, (np.array([1, 1]), np.array([2, 2]), np.array([0, 1])), 0.1, 0.01)
    assert user[1] == pytest.approx(expected_p1)
    assert item[2] == pytest.approx(expected_q2)


def items_game(features, n_users=1, slate_size=2):
    params = {
        "n_users": n_users, "n_items": len(features), "n_agents": 1, "slate_size": slate_size,
        "n_topics": len(features[0]), "n_providers": 1, "item_features": features,
        "agents_choose": "items",
    }  # fmt: skip
    return make_game("recommender", params)


def test_linucb_scores_by_hand():
    # A = 2I after x = (1, 0) with r = 1 and x = (0, 1) with r = 0: A⁻¹ = I/2, b = (1, 0)
    a_inv = np.array([[[0.5, 0.0], [0.0, 0.5]]])
    b = np.array([[1.0, 0.0]])
    contexts = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]])
    scores = ucb_scores(a_inv, b, contexts, alpha=0.1)
    # θ̂ = (0.5, 0); widths xᵀA⁻¹x = 0.5, 0.5, 0.25
    assert scores[0] == pytest.approx([0.5 + 0.1 * np.sqrt(0.5), 0.1 * np.sqrt(0.5), 0.25 + 0.05])


def test_linucb_learns_the_shown_items_and_the_click_by_sherman_morrison():
    game = items_game([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    game.reset(make_rng(0))
    learner = make_learner(
        "recsys_linucb", {"shared": False}, LearnerContext.for_game(game), make_rng(0)
    )
    learner.act(np.zeros((1, 5)))  # syncs the user's serial
    feedback = SlateFeedback(
        agents=np.array([0]), users=np.array([0]), serial=game.user_serial[:1],
        slates=np.array([[0, 1]]), clicked=np.array([0]),
    )  # fmt: skip
    learner.learn(np.array([0]), feedback)
    assert learner.a_inv[0, 0] == pytest.approx(np.eye(2) / 2)
    assert learner.b[0, 0] == pytest.approx([1.0, 0.0])
    scores = learner.scores(np.array([0]), np.array([0]))
    assert scores[0] == pytest.approx([0.5 + 0.1 * np.sqrt(0.5), 0.1 * np.sqrt(0.5), 0.3])


def test_linucb_diversifies_an_uncertain_slate_one_slot_at_a_time():
    # a fresh user: every topic equally uncertain; after the first pick its topic's width
    # shrinks, so the second slot goes to the other topic (C²UCB), not to a same-topic twin
    game = items_game([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 1.0]])
    game.reset(make_rng(0))
    learner = make_learner("recsys_linucb", {}, LearnerContext.for_game(game), make_rng(0))
    learner.act(np.zeros((1, 5)))
    slate = game.pending.submitted[0]
    assert sorted(game.items.topic[slate].tolist()) == [0, 1]


def test_bpr_learner_turns_a_click_into_triples_against_the_shown_items():
    game = items_game([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.0, 1.0]], slate_size=3)
    game.reset(make_rng(0))
    params = {"n_sampled": 0, "replay": 0, "factors": 2, "lr": 0.1, "reg": 0.0}
    learner = make_learner("recsys_bpr", params, LearnerContext.for_game(game), make_rng(0))
    learner.act(np.zeros((1, 5)))
    learner.user[0, 0] = [0.2, -0.1]
    before_user, before_item = learner.user[0].copy(), learner.item[0].copy()
    feedback = SlateFeedback(
        agents=np.array([0]), users=np.array([0]), serial=game.user_serial[:1],
        slates=np.array([[2, 0, 3]]), clicked=np.array([1]),
    )  # fmt: skip
    learner.learn(np.array([0]), feedback)
    user, item = before_user.copy(), before_item.copy()
    bpr_step(user, item, None, (np.array([0, 0]), np.array([0, 0]), np.array([2, 3])), 0.1, 0.0)
    assert learner.user[0] == pytest.approx(user) and learner.item[0] == pytest.approx(item)
    assert learner.item[0][1] == pytest.approx(before_item[1])  # not shown: untouched


def test_top_k_and_the_missing_channel():
    assert top_k(np.array([[0.1, 0.9, 0.5], [3.0, 1.0, 2.0]]), 2).tolist() == [[1, 2], [0, 2]]
    game = make_game("recommender", {"n_users": 5, "n_items": 10})  # strategies: no channel
    with pytest.raises(ConfigError, match="slate_choice"):
        make_learner("recsys_bpr", {}, LearnerContext.for_game(game), make_rng(0))
