"""Competition for users with a switching cost, satiation, and the later metrics."""

from __future__ import annotations

import numpy as np
import pytest

from incentive_lab.core import ConfigError, make_game, make_rng
from incentive_lab.core.recommendation import strategy_index
from incentive_lab.games.recommender import users as um
from incentive_lab.games.recommender.metrics import later_metrics
from incentive_lab.games.recommender.params import RecommenderParams
from incentive_lab.games.recommender.satiation import effective_interests, satiate

ORACLE = strategy_index("oracle")


def test_logit_switching_probabilities_are_the_closed_form() -> None:
    rep = np.array([[0.5, 0.1, 0.3]])
    tau, cost = 0.2, 0.3
    draws = make_rng(7).random((200_000, 2))
    last = np.ones(200_000, dtype=np.int64)  # everyone used agent 1 last
    reps = np.tile(rep, (200_000, 1))
    picks = um.choose_agents(reps, "logit_switching", tau, 0.0, draws, last, cost)
    utility = rep[0] + cost * np.array([0.0, 1.0, 0.0])
    expected = np.exp(utility / tau) / np.exp(utility / tau).sum()
    np.testing.assert_allclose(np.bincount(picks, minlength=3) / 2e5, expected, atol=0.004)
    # a new user (last = −1) pays no switching cost: the plain soft-max, draw for draw
    new = um.choose_agents(reps, "logit_switching", tau, 0.0, draws, last * -1, cost)
    soft = um.choose_agents(reps, "softmax", tau, 0.0, draws)
    np.testing.assert_array_equal(new, soft)
    # zero cost: the soft-max draw for draw
    zero = um.choose_agents(reps, "logit_switching", tau, 0.0, draws, last, 0.0)
    np.testing.assert_array_equal(zero, soft)


def test_switching_utility_adds_the_cost_to_the_last_agent_only() -> None:
    rep = np.array([[0.2, 0.4], [0.6, 0.1], [0.3, 0.3]])
    out = um.switching_utility(rep, np.array([1, 0, -1]), 0.5)
    np.testing.assert_allclose(out, [[0.2, 0.9], [1.1, 0.1], [0.3, 0.3]])
    np.testing.assert_allclose(rep, [[0.2, 0.4], [0.6, 0.1], [0.3, 0.3]])  # not in place


def switches(cost: float, seed: int = 3) -> float:
    """Fraction of served users who change agent between consecutive rounds (50 rounds)."""
    params = {"n_users": 400, "n_items": 60, "n_agents": 3, "competition": "logit_switching"}
    game = make_game("recommender", {**params, "switching_cost": cost})
    game.reset(make_rng(seed))
    rng = make_rng(seed + 1)
    changed, total = 0, 0
    for _ in range(50):
        before = game.users.last_agent.copy()
        game.step(rng.integers(6, size=3))
        users = game.played.users
        seen = before[users] >= 0
        changed += int((game.played.agent_of[seen] != before[users][seen]).sum())
        total += int(seen.sum())
    return changed / total


def test_a_switching_cost_locks_users_in() -> None:
    free, costly = switches(0.0), switches(0.5)
    assert costly < 0.5 * free, (free, costly)


def test_new_options_are_off_by_default_and_omitted_from_stored_params() -> None:
    p = RecommenderParams()
    assert p.satiation == 0.0 and p.switching_cost == 0.0 and not p.extended
    stored = p.model_dump()
    for name in ("satiation", "satiation_recovery", "switching_cost"):
        assert name not in stored
    on = RecommenderParams(competition="logit_switching", switching_cost=0.2, satiation=0.5)
    assert on.extended and on.model_dump()["switching_cost"] == 0.2
    assert RecommenderParams(competition="logit_switching").extended


def test_a_switching_cost_needs_logit_switching() -> None:
    with pytest.raises(ConfigError, match="switching_cost"):
        make_game("recommender", {"switching_cost": 0.3})


def test_satiation_needs_topic_interests() -> None:
    fitted = {"data": "movielens100k", "preferences": "fitted", "drift": 0.0}
    with pytest.raises(ConfigError, match="satiation"):
        make_game("recommender", {**fitted, "satiation": 0.2})


def test_satiation_is_the_rebounding_recursion() -> None:
    sat = np.zeros((3, 2))
    consumed = np.array([[1.0, 0.0], [0.25, 0.75]])
    satiate(sat, np.array([0, 2]), consumed, np.array([1.0, 1.0]), 0.5)
    np.testing.assert_allclose(sat, [[0.5, 0.0], [0.0, 0.0], [0.125, 0.375]])
    satiate(sat, np.array([0, 2]), consumed, np.array([1.0, 0.0]), 0.5)
    np.testing.assert_allclose(sat, [[0.75, 0.0], [0.0, 0.0], [0.0625, 0.1875]])
    theta = np.array([[0.4, -0.2], [0.1, 0.1], [0.9, 0.9]])
    eff = effective_interests(theta, sat, np.array([0, 2]), 2.0)
    np.testing.assert_allclose(eff, [[-1.1, -0.2], [0.775, 0.525]])
    np.testing.assert_array_equal(effective_interests(theta, sat, np.array([1]), 0.0), [[0.1, 0.1]])


def test_satiation_wears_out_the_oracle_favourite_topic() -> None:
    """One-hot topics, one user (never bored away) served by the oracle: clicks satiate."""
    params = {
        "n_users": 1,
        "n_items": 40,
        "n_topics": 4,
        "n_agents": 1,
        "drift": 0.0,
        "boredom": 0.0,
    }
    plain = make_game("recommender", params)
    tired = make_game("recommender", {**params, "satiation": 1.0, "satiation_recovery": 0.9})
    for game in (plain, tired):
        game.reset(make_rng(11))
        for _ in range(30):
            game.step(np.array([ORACLE]))
    assert not plain.users.satiation.any()
    assert tired.users.satiation.sum() > 0.5
    # the effective interests the oracle saw last are below the true ones where consumed
    consumed = tired.users.satiation[0] > 0
    assert (tired.played.theta[0][consumed] < tired.users.theta[0][consumed]).all()


def test_later_metrics_by_hand() -> None:
    p = RecommenderParams(n_items=4, slate_size=2, patience=5.0)
    popularity = np.array([3.0, 1.0, 0.0, 0.0])  # shares (c+1)/(4+4): 0.5, 0.25, 0.125, 0.125
    slates = np.array([[0, 1], [2, 3]])
    out = later_metrics(p, slates, popularity, np.array([5.0, 2.5]), np.array([1.0, 3.0]))
    assert out["novelty"] == pytest.approx((1 + 2 + 3 + 3) / 4)
    assert out["user_satisfaction"] == pytest.approx(0.75)
    assert out["market_share_0"] == pytest.approx(0.25)
    assert out["market_share_1"] == pytest.approx(0.75)


def test_later_metrics_appear_only_with_a_later_option() -> None:
    v0 = make_game("recommender", {"n_users": 50, "n_items": 30})
    later = make_game("recommender", {"n_users": 50, "n_items": 30, "satiation": 0.2})
    for game in (v0, later):
        game.reset(make_rng(2))
    v0_metrics = v0.step(np.zeros(4, dtype=np.int64)).info["metrics"]
    later_metrics_ = later.step(np.zeros(4, dtype=np.int64)).info["metrics"]
    assert "novelty" not in v0_metrics and "market_share_0" not in v0_metrics
    shares = [later_metrics_[f"market_share_{k}"] for k in range(4)]
    assert sum(shares) == pytest.approx(1.0)
    assert {"novelty", "user_satisfaction"} <= set(later_metrics_)
