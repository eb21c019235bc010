"""Platform mechanisms on the ``recommender`` game: hand-checked adjustments, fit checks."""

from __future__ import annotations

import numpy as np
import pytest

from incentive_lab.core import ConfigError, make_game, make_mechanism, make_rng
from incentive_lab.mechanisms.platform.fairness import exposure_distance

PLATFORM = ("engagement_shaping", "diversity_bonus", "exposure_fairness", "platform_difference")


def stepped(actions=(0, 1, 2, 3)):
    game = make_game("recommender", {"n_users": 300, "n_items": 80, "n_providers": 6})
    game.reset(make_rng(0))
    actions = np.asarray(actions, dtype=np.int64)
    for _ in range(5):
        result = game.step(actions)
    return game, actions, result


@pytest.mark.parametrize("mechanism_id", PLATFORM)
def test_platform_mechanisms_need_a_recommender_game(mechanism_id: str) -> None:
    with pytest.raises(ConfigError, match=r"mechanism\.id.*recommender"):
        make_mechanism(mechanism_id, {}, make_game("prisoners_dilemma", {}), make_rng(0))
    game, actions, result = stepped()
    mechanism = make_mechanism(mechanism_id, {}, game, make_rng(0))
    with pytest.raises(ConfigError, match=r"info\.recommender"):
        mechanism.adjust(game, actions, result.rewards, {})


def test_engagement_shaping_hand_value() -> None:
    game, actions, result = stepped()
    out = result.info["recommender"]
    mech = make_mechanism(
        "engagement_shaping", {"satisfaction_weight": 2.0, "churn_penalty": 3.0}, game, None
    )
    adj = mech.adjust(game, actions, result.rewards, result.info)
    expected = result.rewards + (2.0 * out.satisfaction - 3.0 * out.churned) / 300
    np.testing.assert_allclose(adj.shaped_rewards, expected)
    assert adj.cost == 0.0 and not adj.transfers.any()


def test_diversity_bonus_pays_for_diverse_slates() -> None:
    game, actions, result = stepped((2, 3, 2, 3))  # oracle (one topic) vs diverse
    out = result.info["recommender"]
    adj = make_mechanism("diversity_bonus", {"weight": 0.5}, game, None).adjust(
        game, actions, result.rewards, result.info
    )
    np.testing.assert_allclose(adj.transfers, 0.5 * out.diversity / 300)
    per_user = adj.transfers / np.maximum(out.served, 1)
    assert per_user[1] > per_user[0] and per_user[3] > per_user[2]
    assert adj.cost == pytest.approx(adj.transfers.sum())


def test_exposure_distance_hand_value() -> None:
    exposure = np.array([[10.0, 0.0], [5.0, 5.0], [0.0, 0.0]])
    np.testing.assert_allclose(exposure_distance(exposure, np.array([0.5, 0.5])), [0.5, 0.0, 0.0])


def test_exposure_fairness_taxes_concentration_and_balances() -> None:
    game, actions, result = stepped((0, 1, 0, 1))  # random (fair) vs popular (concentrated)
    out = result.info["recommender"]
    mech = make_mechanism("exposure_fairness", {"rate": 1.0, "target": "uniform"}, game, None)
    adj = mech.adjust(game, actions, result.rewards, result.info)
    tv = exposure_distance(out.provider_exposure, np.full(6, 1 / 6))
    np.testing.assert_allclose(adj.transfers, -tv * out.served / 300)
    assert (adj.transfers <= 0).all()
    per_user = adj.transfers / np.maximum(out.served, 1)
    assert per_user[1] < per_user[0] and per_user[3] < per_user[2]
    assert mech.update(game, actions, result.rewards, adj)["provider_subsidy"] == pytest.approx(
        -adj.transfers.sum()
    )
    balanced = make_mechanism("exposure_fairness", {"budget_balanced": True}, game, None)
    adj = balanced.adjust(game, actions, result.rewards, result.info)
    assert adj.transfers.sum() == pytest.approx(0.0, abs=1e-12)


def test_platform_difference_is_the_marginal_welfare() -> None:
    game, actions, result = stepped()
    mech = make_mechanism("platform_difference", {"default_action": 0}, game, None)
    adj = mech.adjust(game, actions, result.rewards, result.info)
    welfare = game.platform_welfare_for(actions)
    for i in range(4):
        clamped = actions.copy()
        clamped[i] = 0
        assert adj.shaped_rewards[i] == pytest.approx(welfare - game.platform_welfare_for(clamped))
    assert adj.shaped_rewards[0] == pytest.approx(0.0, abs=1e-12)  # already the default
    with pytest.raises(ConfigError, match="default_action"):
        make_mechanism("platform_difference", {"default_action": 6}, game, None)


@pytest.mark.parametrize("mechanism_id", PLATFORM)
def test_platform_contract_shapes_purity_and_pickling(mechanism_id: str) -> None:
    import pickle

    from incentive_lab.core import get

    game, actions, result = stepped((2, 0, 3, 1))
    mechanism = make_mechanism(mechanism_id, {}, game, make_rng(0))
    clone = pickle.loads(pickle.dumps(mechanism))
    rewards = result.rewards.copy()
    rewards.flags.writeable = False
    adj = mechanism.adjust(game, actions, rewards, result.info)
    again = clone.adjust(game, actions, rewards, result.info)
    for array in (adj.shaped_rewards, adj.transfers):
        assert array.dtype == np.float64 and array.shape == (4,) and np.isfinite(array).all()
    np.testing.assert_array_equal(adj.shaped_rewards, again.shaped_rewards)
    assert not np.shares_memory(adj.shaped_rewards, rewards)
    if get("mechanism", mechanism_id).metadata["pays"]:
        np.testing.assert_allclose(adj.shaped_rewards, rewards + adj.transfers)
        assert adj.cost == pytest.approx(np.abs(adj.transfers).sum())
    else:
        assert adj.cost == 0.0 and not adj.transfers.any()
