"""The ``recommender`` game with ``agents_choose: items``: the ``slate_choice`` channel.

Slate scoring by hand on a tiny instance, the channel's validation, serial numbers, the
default (strategies) mode unchanged, and the Numba oracle equal to the NumPy reference.
"""

from __future__ import annotations

import numpy as np
import pytest

from incentive_lab.core import ConfigError, LearnerContext, make_game, make_rng
from incentive_lab.core.capabilities import Capability, provided
from incentive_lab.core.slate_choice import SlateChoice
from incentive_lab.core.top_k import TIED, UNIQUE, top_k_rows
from incentive_lab.games.recommender import slates as sl

TINY = {
    "n_users": 2,
    "n_items": 4,
    "n_agents": 1,
    "slate_size": 2,
    "n_topics": 2,
    "n_providers": 2,
    "item_features": [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.0, 2.0]],
    "agents_choose": "items",
}


def tiny_game():
    game = make_game("recommender", TINY)
    game.reset(make_rng(0))
    return game


def test_default_mode_is_v0_and_hides_the_channel():
    game = make_game("recommender", {"n_users": 10, "n_items": 20})
    assert game.n_actions == 6
    assert Capability.SLATE_CHOICE not in game.offers()
    assert LearnerContext.for_game(game).slate_choice is None
    assert "agents_choose" not in game.params.model_dump(mode="json")
    items = make_game("recommender", {"n_users": 10, "n_items": 20, "agents_choose": "items"})
    assert items.params.model_dump(mode="json")["agents_choose"] == "items"
    assert items.n_actions == 7 and items.metadata.action_names[6] == "submitted"
    channel = provided(items, Capability.SLATE_CHOICE)
    assert isinstance(channel, SlateChoice)
    assert LearnerContext.for_game(items).slate_choice is channel


def test_submitted_slates_are_scored_by_the_logit_choice_by_hand():
    game = tiny_game()
    channel = game.slate_choice
    request = channel.requests(np.array([0]))
    assert request.users.tolist() == [0, 1] and request.new.tolist() == [1, 1]
    # interests θ_0 = (1, −1), θ_1 = (0.5, 0.5); affinities a = θ·f/‖f‖₁
    game.pending.theta[:] = [[1.0, -1.0], [0.5, 0.5]]
    game.pending.choice_uniforms[:] = [0.3, 0.2]
    channel.submit(np.array([0]), np.array([[0, 1], [3, 2]]))
    result = game.step(np.array([6]))
    # user 0: slate (0, 1), a = (1, −1); logits β·a + b·r = (4, −4.05); no-click c0 = 4
    w0 = np.exp([4.0, -4.05])
    p0 = w0 / (np.exp(4.0) + w0.sum())
    assert p0[0] == pytest.approx(0.49992, abs=1e-5)
    # user 1: slate (3, 2), a = (0.5, 0.5); logits (2, 1.95)
    w1 = np.exp([2.0, 1.95])
    p1 = w1 / (np.exp(4.0) + w1.sum())
    assert p1[0] == pytest.approx(0.10706, abs=1e-5)
    # inverse CDF: u0 = 0.3 < p0[0] → slot 0; u1 = 0.2 ∈ [p1[0], p1[0] + p1[1]) → slot 1
    assert p1[0] < 0.2 < p1.sum()
    feedback = channel.feedback(np.array([0]))
    assert feedback.users.tolist() == [0, 1]
    assert feedback.slates.tolist() == [[0, 1], [3, 2]]
    assert feedback.clicked.tolist() == [0, 1]
    assert result.rewards.tolist() == [1.0]  # 2 clicks / 2 user slots
    assert result.info["metrics"]["ctr"] == 1.0
    assert game.rewards_for(np.array([6])).tolist() == [1.0]  # the replay sees the same slates


def test_submission_is_validated():
    game = tiny_game()
    channel, agents = game.slate_choice, np.array([0])
    with pytest.raises(ConfigError, match="distinct items"):
        channel.submit(agents, np.array([[0, 0], [1, 2]]))
    with pytest.raises(ConfigError, match=r"int64\[2, 2\]"):
        channel.submit(agents, np.array([[0, 1]]))
    with pytest.raises(ConfigError, match=r"0\.\.3"):
        channel.submit(agents, np.array([[0, 4], [1, 2]]))
    with pytest.raises(ConfigError, match="not submitted"):
        game.step(np.array([6]))
    channel.submit(agents, np.array([[0, 1], [1, 2]]))
    game.step(np.array([6]))
    with pytest.raises(ConfigError, match="not submitted"):  # a new round needs new slates
        game.step(np.array([6]))
    game.step(np.array([2]))  # strategies still work (the oracle here)


def test_requests_are_the_users_served_next_and_serials_change_with_new_users():
    params = {
        "n_users": 300, "n_items": 30, "n_agents": 3, "slate_size": 3,
        "agents_choose": "items", "boredom": 2.0, "user_arrival": 1.0,
    }  # fmt: skip
    game = make_game("recommender", params)
    game.reset(make_rng(3))
    channel = game.slate_choice
    agents = np.array([0, 2])
    rng = np.random.default_rng(0)
    seen_new = 0
    for _ in range(6):
        request = channel.requests(agents)
        assert set(request.agents.tolist()) <= {0, 2}
        assert np.all(np.diff(request.users) > 0)
        slates = np.argsort(rng.random((request.users.shape[0], 30)), axis=1)[:, :3]
        channel.submit(agents, slates)
        others = channel.requests(np.array([1])).users.shape[0]
        channel.submit(np.array([1]), np.tile(np.arange(3), (others, 1)))
        game.step(np.array([6, 6, 6]))
        feedback = channel.feedback(agents)
        assert np.array_equal(feedback.users, request.users)
        assert np.array_equal(feedback.serial, request.serial)
        assert np.array_equal(feedback.slates, slates)
        seen_new += int(request.new.sum())
    # boredom 2 churns users fast and arrivals refill every slot: serials are unique
    assert game.user_serial.max() >= 300
    assert np.unique(game.user_serial).shape[0] == 300
    assert seen_new > 300


@pytest.mark.parametrize(
    "params",
    [
        {"n_users": 3000, "n_items": 200},
        {"n_users": 2000, "n_items": 60, "n_topics": 5, "quality_noise": 1.0},
        {"n_users": 2000, "n_items": 300, "affinity": "distance"},
        {"n_users": 2000, "n_items": 90, "n_topics": 4, "slate_size": 4},
    ],
)
def test_numba_oracle_is_the_numpy_reference_bit_for_bit(params):
    game = make_game("recommender", params)
    game.reset(make_rng(1))
    rnd = game.pending
    k, kind, items = game.params.slate_size, game.params.affinity, game.items
    assert rnd.one_hot
    reference = sl.oracle_slates_one_hot(rnd.theta, items, rnd.by_topic, rnd.topic_ok, kind)
    fast = sl.fast_oracle_slates_one_hot(rnd.theta, items, rnd.by_topic, rnd.topic_ok, kind)
    assert np.array_equal(reference, fast)
    assert np.array_equal(
        sl.oracle_slates(rnd.theta, items, k, kind, chunk=700),
        sl.fast_oracle_slates(rnd.theta, items, k, kind, chunk=700),
    )


def test_numba_oracle_on_multi_hot_features_with_ties():
    rng = np.random.default_rng(5)
    features = (rng.random((80, 6)) < 0.3).astype(float)
    features[features.sum(axis=1) == 0, 0] = 1.0
    params = {"n_users": 500, "n_items": 80, "n_topics": 6, "item_features": features.tolist()}
    game = make_game("recommender", params)
    game.reset(make_rng(2))
    rnd = game.pending
    theta = np.round(rnd.theta, 1)  # coarse interests: many exactly tied affinities
    ref = sl.oracle_slates(theta, game.items, 5, "dot")
    assert np.array_equal(ref, sl.fast_oracle_slates(theta, game.items, 5, "dot"))
    _, status = top_k_rows(sl.affinity_matrix(theta, game.items.vectors, "dot"), 5)
    assert (status != UNIQUE).any()  # the tie path was exercised


def test_top_k_rows_by_hand():
    score = np.array([[0.1, 0.9, 0.5, 0.7], [1.0, 1.0, 0.2, 0.3], [0.3, 0.2, 0.2, 0.1]])
    top, status = top_k_rows(score, 2)
    assert top[0].tolist() == [1, 3] and status[0] == UNIQUE
    assert status[1] == TIED  # a tie within the top 2
    assert status[2] == TIED  # a tie at the boundary (2nd = 3rd)
