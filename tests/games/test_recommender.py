"""The ``recommender`` game: closed-form choice, SPEC §1.7 calibration, dynamics, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from incentive_lab.core import ConfigError, make_game, make_rng
from incentive_lab.core.recommendation import SLATE_STRATEGIES, RecommenderOutcome, strategy_index
from incentive_lab.games.recommender import users as um
from incentive_lab.games.recommender.choice import (
    affinity_matrix,
    click_probabilities,
    gini,
    intra_list_diversity,
    item_vectors,
    sample_choice,
    slate_affinity,
)
from incentive_lab.games.recommender.slates import (
    Items,
    oracle_slates,
    oracle_slates_one_hot,
    random_slates,
    topic_table,
)

RANDOM, POPULAR, ORACLE = (strategy_index(s) for s in ("random", "popular", "oracle"))


def test_click_probabilities_match_the_closed_form() -> None:
    affinity = np.array([[0.5, -0.2, 0.9], [0.0, 0.0, 0.0]])
    beta, b, c0 = 4.0, -0.3, 4.0
    probs = click_probabilities(affinity, beta, b, c0)
    for row in range(2):
        weights = [np.exp(beta * affinity[row, r] + b * r) for r in range(3)]
        denom = np.exp(c0) + sum(weights)
        np.testing.assert_allclose(probs[row], np.array(weights) / denom, rtol=1e-12)
    # hand value: row 2 is exp(0), exp(-0.3), exp(-0.6) against e^4
    assert probs[1, 0] == pytest.approx(1.0 / (np.e**4 + 1 + np.exp(-0.3) + np.exp(-0.6)))
    # no overflow for huge logits
    assert np.isfinite(click_probabilities(np.full((1, 5), 1e3), 4.0, 0.0, 4.0)).all()


@settings(max_examples=60, deadline=None)
@given(
    affinity=arrays(np.float64, (3, 4), elements=st.floats(-1, 1)),
    beta=st.floats(0, 20),
    bias=st.floats(-3, 0),
    c0=st.floats(-10, 10),
)
def test_click_probabilities_invariants(affinity, beta, bias, c0) -> None:
    probs = click_probabilities(affinity, beta, bias, c0)
    assert np.all(probs >= 0) and np.all(probs.sum(axis=1) <= 1 + 1e-12)
    # raising one item's affinity never lowers its click probability
    higher = affinity.copy()
    higher[:, 0] = np.minimum(higher[:, 0] + 0.5, 1.5)
    assert np.all(click_probabilities(higher, beta, bias, c0)[:, 0] >= probs[:, 0] - 1e-12)


def test_sampled_choices_follow_the_probabilities() -> None:
    probs = np.tile([[0.1, 0.3, 0.2]], (200_000, 1))
    slot = sample_choice(probs, make_rng(0).random(200_000))
    freq = np.bincount(slot + 1, minlength=4) / slot.shape[0]
    np.testing.assert_allclose(freq, [0.4, 0.1, 0.3, 0.2], atol=0.005)


def test_affinity_kinds_hand_values() -> None:
    features = np.array([[1.0, 0.0], [1.0, 1.0]])
    theta = np.array([[0.5, -1.0]])
    dot = affinity_matrix(theta, item_vectors(features, "dot"), "dot")
    np.testing.assert_allclose(dot, [[0.5, -0.25]])
    dist = affinity_matrix(theta, item_vectors(features, "distance"), "distance")
    # points (1, -1) and (1, 1): distances 0.5 and sqrt(0.25 + 4)
    np.testing.assert_allclose(dist, [[1 - 0.5 / np.sqrt(2), 1 - np.sqrt(4.25) / np.sqrt(2)]])
    slates = np.array([[1, 0]])
    np.testing.assert_allclose(
        slate_affinity(theta, item_vectors(features, "dot"), slates, "dot"), [[-0.25, 0.5]]
    )


def test_diversity_and_gini_hand_values() -> None:
    unit = np.eye(3)
    assert intra_list_diversity(unit, np.array([[0, 1, 2]]))[0] == pytest.approx(1.0)
    assert intra_list_diversity(unit, np.array([[0, 0, 1]]))[0] == pytest.approx(2 / 3)
    assert gini(np.array([1.0, 1.0, 1.0])) == pytest.approx(0.0)
    assert gini(np.array([0.0, 0.0, 0.0, 4.0])) == pytest.approx(0.75)


def test_random_slates_are_distinct_and_uniform() -> None:
    rng = make_rng(1)
    slates = random_slates(10, 4, rng.random((50_000, 4)), rng.random((50_000, 4)))
    assert all(len(set(row)) == 4 for row in slates[:2000])
    np.testing.assert_allclose(np.bincount(slates.ravel(), minlength=10) / 50_000, 0.4, atol=0.01)
    np.testing.assert_allclose(np.bincount(slates[:, 0], minlength=10) / 50_000, 0.1, atol=0.01)


@pytest.mark.parametrize("kind", ["dot", "distance"])
def test_one_hot_oracle_equals_the_full_search(kind: str) -> None:
    rng = make_rng(2)
    n_items, d, k = 120, 8, 5
    features = np.zeros((n_items, d))
    features[np.arange(n_items), rng.integers(0, d - 1, n_items)] = 1.0  # topic d-1 empty
    quality = rng.random(n_items)
    topic = features.argmax(1)
    items = Items(
        features,
        item_vectors(features, kind),
        item_vectors(features, "dot"),
        features,
        topic,
        quality,
        np.zeros(n_items, dtype=np.int64),
    )
    theta = rng.uniform(-1, 1, (300, d))
    ok = np.bincount(topic, minlength=d) > 0
    fast = oracle_slates_one_hot(theta, items, topic_table(topic, quality, d, k), ok, kind)
    np.testing.assert_array_equal(fast, oracle_slates(theta, items, k, kind, chunk=64))


def play(strategy: str, steps: int, seed: int = 0, **params: object) -> dict[str, float]:
    """Mean metrics of ``steps`` rounds with every agent playing ``strategy``."""
    game = make_game("recommender", {"n_agents": 2, **params})
    game.reset(make_rng(seed))
    sums: dict[str, float] = {}
    counts: dict[str, int] = {}
    action = np.full(2, strategy_index(strategy))
    for _ in range(steps):
        for name, value in game.step(action).info["metrics"].items():
            sums[name] = sums.get(name, 0.0) + value
            counts[name] = counts.get(name, 0) + 1
    return {name: sums[name] / counts[name] for name in sums}


def test_spec_calibration_random_vs_oracle_ctr() -> None:
    """SPEC §1.7: random slate CTR ≈ 0.3, oracle ≈ 0.75 (first rounds, before drift)."""
    params = {"n_users": 6000, "n_items": 1000}
    random_ctr = play("random", 2, **params)["ctr"]
    oracle_ctr = play("oracle", 2, **params)["ctr"]
    assert random_ctr == pytest.approx(0.31, abs=0.03)
    assert oracle_ctr == pytest.approx(0.75, abs=0.03)


def test_oracle_beats_random_on_every_engagement_metric() -> None:
    params = {"n_users": 1500, "n_items": 200}
    oracle, random = play("oracle", 80, **params), play("random", 80, **params)
    for name in ("ctr", "session_length", "platform_welfare", "active_users", "cold_start_ctr"):
        assert oracle[name] > random[name], name
    assert oracle["churn_rate"] < random["churn_rate"]


def test_churn_rises_when_slates_are_poor() -> None:
    params = {"n_users": 1500, "n_items": 200, "user_arrival": 0.0}
    churn = [play(s, 60, **params)["churn_rate"] for s in ("oracle", "similar", "random")]
    assert churn[0] < churn[1] < churn[2]
    # and with a weaker choice signal (lower beta) the same oracle slates lose more users
    assert play("oracle", 60, beta=1.0, **params)["churn_rate"] > churn[0]


def test_counterfactuals_replay_the_last_round() -> None:
    game = make_game("recommender", {"n_users": 400, "n_items": 60, "n_agents": 3})
    game.reset(make_rng(3))
    actions = np.array([0, 2, 3])
    result = game.step(actions)
    np.testing.assert_array_equal(game.rewards_for(actions), result.rewards)
    out = result.info["recommender"]
    assert isinstance(out, RecommenderOutcome)
    assert game.platform_welfare_for(actions) == pytest.approx(out.quality.sum() / 400)
    assert result.info["metrics"]["platform_welfare"] == pytest.approx(out.quality.sum() / 400)
    np.testing.assert_allclose(result.rewards * 400, out.clicks)
    assert out.provider_exposure.sum() == out.served.sum() * 5
    # the oracle strategy gets more clicks than random for the same users and draws
    assert game.rewards_for(np.array([2, 2, 2])).sum() > game.rewards_for(np.zeros(3, int)).sum()


def test_user_dynamics_hand_values() -> None:
    theta = np.array([[0.5, -1.0]])
    np.testing.assert_allclose(um.drift(theta, np.array([[1.0, 0.0]]), 0.2), [[0.6, -1.0]])
    sat = um.update_satisfaction(np.array([5.0, 1.0]), np.array([0.9, 0.0]), 0.4, 5.0)
    np.testing.assert_allclose(sat, [5.0, 0.6])
    rep = np.array([[0.2, 0.9, 0.9], [0.5, 0.1, 0.3]])
    u = np.array([[0.0, 0.5], [0.99, 0.5]])
    np.testing.assert_array_equal(um.choose_agents(rep, "hardmax", 1.0, 0.0, u), [1, 0])
    np.testing.assert_array_equal(um.choose_agents(rep[:1], "hardmax", 1, 0, u[1:]), [2])
    draws = make_rng(4).random((100_000, 2))
    picks = um.choose_agents(np.tile(rep[1], (100_000, 1)), "softmax", 0.5, 0.0, draws)
    expected = np.exp(rep[1] / 0.5) / np.exp(rep[1] / 0.5).sum()
    np.testing.assert_allclose(np.bincount(picks, minlength=3) / 1e5, expected, atol=0.005)
    picks = um.choose_agents(np.tile(rep[1], (100_000, 1)), "epsilon", 1.0, 0.3, draws)
    np.testing.assert_allclose(np.bincount(picks) / 1e5, [0.8, 0.1, 0.1], atol=0.005)


def test_cold_start_items_are_shown_by_fresh_and_never_by_popular() -> None:
    game = make_game("recommender", {"n_users": 300, "n_items": 100, "item_arrival": 0.02})
    game.reset(make_rng(5))
    for _ in range(20):
        game.step(np.full(4, POPULAR))
    new = game.item_age < 20
    assert 5 <= new.sum() < 100
    game.step(np.full(4, POPULAR))
    popular = game._last.popular
    assert not new[popular].any()  # new items have no clicks: popular never shows them
    young = game.item_age < 20
    result = game.step(np.full(4, strategy_index("fresh")))
    assert young[game._last.fresh].all()
    assert result.info["metrics"]["coverage"] == pytest.approx(5 / 100)


def test_metadata_and_spaces() -> None:
    game = make_game("recommender", {})
    assert game.n_actions == len(SLATE_STRATEGIES) == 6
    assert game.metadata.action_names == SLATE_STRATEGIES
    assert game.observation_space.shape == (5,)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"n_items": 4, "slate_size": 5}, "game.params.slate_size"),
        ({"temperature": -1.0}, "game.params.temperature"),
        ({"temperature": 0.0}, "game.params.temperature"),
        ({"n_items": 3, "slate_size": 2, "item_features": [[1.0, 0.0]] * 2}, "item_features"),
        ({"n_items": 2, "slate_size": 2, "n_topics": 2, "item_features": [[1, -1]] * 2}, "item"),
        ({"n_items": 2, "slate_size": 2, "n_topics": 2, "item_features": [[0, 0]] * 2}, "item"),
        ({"position_bias": 0.5}, "game.params.position_bias"),
        ({"competition": "argmax"}, "game.params.competition"),
        ({"data": "movielens1m"}, "game.params.data"),
    ],
)
def test_bad_input_is_a_config_error(params: dict[str, object], field: str) -> None:
    with pytest.raises(ConfigError, match=field.replace(".", r"\.")):
        make_game("recommender", params)


def test_wrong_shape_features_name_the_expected_shape() -> None:
    with pytest.raises(ConfigError, match=r"shape \(3, 20\)"):
        make_game("recommender", {"n_items": 3, "slate_size": 2, "item_features": [[1.0]] * 3})


def test_explicit_item_features_are_used() -> None:
    features = [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]
    game = make_game(
        "recommender", {"n_items": 3, "slate_size": 2, "n_topics": 2, "item_features": features}
    )
    np.testing.assert_array_equal(game.items.features, features)
    game.step(np.full(4, ORACLE))  # the general (non one-hot) oracle path
    assert not game._one_hot


def test_reconfigure_keeps_sizes() -> None:
    game = make_game("recommender", {"n_users": 50, "n_items": 20})
    game.reconfigure(beta=2.0)
    assert game.params.beta == 2.0
    with pytest.raises(ConfigError, match="n_items"):
        game.reconfigure(n_items=30)
