"""The GTAlign user–assistant game: the rubric by hand, the mechanism, a tabular sanity check."""

from __future__ import annotations

import math

import numpy as np
import pytest

from incentive_lab.core import dialogue_rubric as rubric
from incentive_lab.core.errors import ConfigError
from incentive_lab.core.learner import LearnerContext
from incentive_lab.core.registry import make_game, make_learner, make_mechanism
from incentive_lab.games.user_assistant import step_metrics
from incentive_lab.rollout import LearnerGroup, Simulation

DA, CQ, AQ = 0, 1, 2


def test_length_reward_constants_are_gtalign_logistic_rounded() -> None:
    for words, stored in zip(rubric.FIRST_REPLY_WORDS, rubric.LENGTH_REWARD[0], strict=True):
        assert abs(rubric.length_reward(float(words)) - stored) <= 0.005
    # by hand: 700 words → 1/(1+e^{-1}) · 1/(1+e^{-1.5}) = 0.7311 · 0.8176
    assert rubric.length_reward(700.0) == pytest.approx(0.7311 * 0.8176, abs=1e-4)


def test_rubric_cells_by_hand() -> None:
    user, llm = rubric.welfare_tables()
    clear_expert = rubric.state_index(0, 0)
    ambiguous_time = rubric.state_index(1, 2)
    # clear, expert, DA: Ic = 0.8·0.12 = 0.096; U = .3+.1+.1+.1+.4·0.904
    assert user[clear_expert, DA] == pytest.approx(0.6 + 0.4 * 0.904)
    # L(DA) = .3 + .25 + .1 + .1 + .25·.13 − .1·.12
    assert llm[clear_expert, DA] == pytest.approx(0.75 + 0.0325 - 0.012)
    # clear, expert, AQ: Ic = 0.8·0.7 = 0.56; L(AQ) = .75 + .25·.6 − .1·.7 = 0.83
    assert user[clear_expert, AQ] == pytest.approx(0.6 + 0.4 * 0.44)
    assert llm[clear_expert, AQ] == pytest.approx(0.83)
    # ambiguous, time-pressed, CQ: Ic = 1.0·0.15 + 0.3 = 0.45; L = .3+.25+.1+.1+.0225−.015
    assert user[ambiguous_time, CQ] == pytest.approx(0.6 + 0.4 * 0.55)
    assert llm[ambiguous_time, CQ] == pytest.approx(0.7575)
    # ambiguous DA: Ts = Aq = Sf = 0.5, Ns = 0: U = .15+.05+0+.05+.4·(1−.12)
    assert user[ambiguous_time, DA] == pytest.approx(0.25 + 0.4 * 0.88)
    assert llm[ambiguous_time, DA] == pytest.approx(0.15 + 0.1 + 0.05 + 0.0325 - 0.012)


# argmaxes read off the docstring's table (computed by hand from the weights)
ARGMAX_L = [AQ] * 6
ARGMAX_W = [DA, AQ, DA, CQ, AQ, CQ]


def test_argmaxes_match_the_documented_table() -> None:
    user, llm = rubric.welfare_tables()
    assert np.argmax(llm, axis=1).tolist() == ARGMAX_L
    assert np.argmax(rubric.mutual_welfare(user, llm), axis=1).tolist() == ARGMAX_W
    # the closest call: clear novice, √(.944·.83) = .8852 vs √(.9904·.7705) = .8736
    assert math.sqrt(0.944 * 0.83) > math.sqrt(0.9904 * 0.7705)


def test_game_rewards_l_and_reports_u() -> None:
    game = make_game("user_assistant", {"n_copies": 6})
    obs = game.reset(np.random.default_rng(3))
    actions = np.array([DA, CQ, AQ, DA, CQ, AQ])
    result = game.step(actions)
    user, llm = rubric.score(obs, actions)
    np.testing.assert_allclose(result.rewards, llm)
    np.testing.assert_allclose(result.info["counterpart_welfare"], user)
    np.testing.assert_allclose(game.rewards_for(actions), llm)
    assert result.info["metrics"]["verbose_share"] == pytest.approx(2 / 6)
    # mutual_welfare turns L into √(U·L) with the counterpart's U
    mech = make_mechanism("mutual_welfare", {}, game, np.random.default_rng(0))
    shaped = mech.adjust(game, actions, result.rewards, result.info).shaped_rewards
    np.testing.assert_allclose(shaped, np.sqrt(user * llm))


def test_step_metrics_split_clarifying_by_question_type() -> None:
    states = np.array([0, 1, 3, 4, 5])  # two clear, three ambiguous
    actions = np.array([CQ, DA, CQ, CQ, AQ])
    user, llm = rubric.score(states, actions)
    m = step_metrics(states, actions, user, llm)
    assert m["clarify_share_clear"] == pytest.approx(0.5)
    assert m["clarify_share_ambiguous"] == pytest.approx(2 / 3)
    only_clear = step_metrics(states[:2], actions[:2], user[:2], llm[:2])
    assert "clarify_share_ambiguous" not in only_clear


def test_bad_personas_are_one_line_errors() -> None:
    with pytest.raises(ConfigError, match="personas"):
        make_game("user_assistant", {"personas": ["expert", "expert"]})
    with pytest.raises(ConfigError, match="personas"):
        make_game("user_assistant", {"personas": ["pirate"]})


@pytest.mark.parametrize(
    ("mechanism", "expected"), [("none", ARGMAX_L), ("mutual_welfare", ARGMAX_W)]
)
def test_q_learning_learns_the_rubric_argmax(mechanism: str, expected: list[int]) -> None:
    """γ = 0 and deterministic rewards per state: Q → the (shaped) reward table exactly.

    ε = 0.5 so that every action is tried ≈ 55 times per state and agent: the closest
    margin (0.0116, clear novice) is far above the remaining error (1 − α)^55 · 0.9.
    """
    game = make_game("user_assistant", {"n_copies": 8})
    rng = np.random.default_rng(11)
    params = {"alpha": 0.3, "gamma": 0.0, "epsilon": 0.5}
    learner = make_learner("q_learning", params, LearnerContext.for_game(game), rng)
    mech = make_mechanism(mechanism, {}, game, rng)
    sim = Simulation(game, [LearnerGroup(0, game.n_agents, learner)], mech, rng)
    sim.run(2000)
    greedy = learner.q.argmax(axis=2)  # [agent, state]
    assert (greedy == np.array(expected)[None, :]).all()
    user, llm = rubric.welfare_tables()
    target = llm if mechanism == "none" else rubric.mutual_welfare(user, llm)
    best = np.take_along_axis(learner.q, greedy[:, :, None], axis=2)[:, :, 0]
    np.testing.assert_allclose(best, np.broadcast_to(target.max(axis=1), best.shape), atol=1e-4)
    # from Q = 0 every estimate rises towards its (positive, fixed) reward, never past it
    assert (learner.q <= target[None] + 1e-12).all()


def test_strategy_shares_per_question_type_sum_to_one() -> None:
    states = np.array([0, 1, 3, 4, 5])
    actions = np.array([CQ, DA, CQ, CQ, AQ])
    user, llm = rubric.score(states, actions)
    m = step_metrics(states, actions, user, llm)
    assert (m["share_DA_clear"], m["share_CQ_clear"], m["share_AQ_clear"]) == (0.5, 0.5, 0.0)
    assert m["share_AQ_ambiguous"] == pytest.approx(1 / 3)
    assert m["share_CQ_ambiguous"] == pytest.approx(2 / 3)
