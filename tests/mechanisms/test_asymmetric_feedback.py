"""asymmetric_feedback: cooperators are paid so that their multiplier is the designer's r*."""

import numpy as np
import pytest
from scipy.optimize import brentq

from incentive_lab.core import (
    ConfigError,
    LearnerContext,
    make_game,
    make_learner,
    make_mechanism,
    make_rng,
)
from incentive_lab.rollout import LearnerGroup, Simulation


def step(params, mech, actions):
    game = make_game("public_goods", {"n_agents": 5, "group_size": 5, "r_c": 3.0, "r_d": 3.0})
    game.reset(make_rng(0))
    mechanism = make_mechanism("asymmetric_feedback", mech, game, make_rng(1))
    result = game.step(np.asarray(actions))
    return result.rewards, mechanism.adjust(game, np.asarray(actions), result.rewards, result.info)


def test_hand_values_constant_law():
    # one group of 5, cooperators 0,1 (m = 1 co-cooperator each), r_c = 3 -> r* = 6
    base, adj = step({}, {"law": "constant", "target": 6.0}, [0, 0, 1, 1, 1])
    assert np.allclose(base, [0.2, 0.2, 1.2, 1.2, 1.2])  # 2·3/5 − 1, 2·3/5
    # cooperators now earn 2·6/5 − 1 = 1.4; defectors unchanged
    assert np.allclose(adj.shaped_rewards, [1.4, 1.4, 1.2, 1.2, 1.2])
    assert np.allclose(adj.transfers, [1.2, 1.2, 0, 0, 0]) and adj.cost == pytest.approx(2.4)


def test_linear_law_and_identity_at_the_games_multiplier():
    _, adj = step({}, {"law": "linear", "alpha": 2.0, "beta": 7.0}, [0, 0, 1, 1, 1])
    r_star = 2.0 + 5.0 * 0.4
    assert np.allclose(adj.transfers[:2], (r_star - 3.0) * 2 / 5)
    base, same = step({}, {"law": "constant", "target": 3.0}, [0, 1, 0, 1, 0])
    assert np.array_equal(same.shaped_rewards, base) and not same.transfers.any()


def test_budget_balanced_transfers_sum_to_zero():
    _, adj = step({}, {"target": 6.0, "budget_balanced": True}, [0, 0, 1, 1, 1])
    assert abs(adj.transfers.sum()) < 1e-12


def test_bad_input():
    game = make_game("prisoners_dilemma", {"n_copies": 2})
    with pytest.raises(ConfigError, match="public goods game"):
        make_mechanism("asymmetric_feedback", {}, game, make_rng(0))
    pg = make_game("public_goods", {"n_agents": 10, "group_size": 5})
    with pytest.raises(ConfigError, match="alpha"):
        make_mechanism("asymmetric_feedback", {"alpha": 5, "beta": 2, "law": "linear"}, pg, None)


def test_learners_settle_at_the_logit_point_of_the_designers_multiplier():
    """r_c = r_d = 3 < G: defection dominates; with r* = 6 > G FAQ settles at σ(Δ(x)/τ)."""
    game = make_game(
        "public_goods", {"n_agents": 500, "group_size": 5, "r_c": 3.0, "r_d": 3.0, "regroup": True}
    )
    mechanism = make_mechanism("asymmetric_feedback", {"target": 6.0}, game, make_rng(2))
    learner = make_learner(
        "faq", {"alpha": 0.2, "beta": 0.1, "tau": 0.5}, LearnerContext.for_game(game), make_rng(3)
    )
    sim = Simulation(game, [LearnerGroup(0, 500, learner)], mechanism, make_rng(4))
    sim.run(2500)
    x = float(learner.policy(np.zeros(500, dtype=np.int64))[:, 0].mean())
    d, tau = 4, 0.5

    def delta(p):
        return (d * p + 1) * 6.0 / (d + 1) - 1 - d * p * 3.0 / (d + 1)

    fixed = brentq(lambda p: p - 1 / (1 + np.exp(-delta(p) / tau)), 0, 1)
    assert abs(x - fixed) < 0.02, (x, fixed)
    assert fixed > 0.6
