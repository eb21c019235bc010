"""``uav_swarm``: payoffs by hand, the energy cap by hand, FAQ tracking a moving r_c.

The 4-UAV graph: positions (0, 0), (0.2, 0), (0.4, 0), (0.9, 0.9) with range 0.25 give the
edges 0–1 and 1–2 and an isolated UAV 3 (degrees 1, 2, 1, 0); r_c = 4, r_d = 3, c = 1.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import expit

from incentive_lab.core import (
    ConfigError,
    LearnerContext,
    make_game,
    make_learner,
    make_mechanism,
    make_rng,
)
from incentive_lab.rollout import LearnerGroup, Simulation

FOUR = {"n_agents": 4, "positions": [[0, 0], [0.2, 0], [0.4, 0], [0.9, 0.9]], "comm_range": 0.25}


def test_the_graph_is_the_geometric_graph():
    game = make_game("uav_swarm", FOUR)
    assert game.topology.degrees.tolist() == [1, 2, 1, 0]
    assert game.topology.neighbours(1).tolist() == [0, 2]
    # a random swarm: every pair within range is an edge and no other pair
    swarm = make_game("uav_swarm", {"n_agents": 60, "comm_range": 0.2, "positions_seed": 3})
    distance = np.linalg.norm(swarm.positions[:, None] - swarm.positions[None], axis=2)
    adjacency = np.zeros((60, 60), dtype=bool)
    top = swarm.topology
    adjacency[np.repeat(np.arange(60), top.degrees), top.indices] = True
    np.testing.assert_array_equal(adjacency, (distance <= 0.2) & ~np.eye(60, dtype=bool))


def test_payoffs_by_hand_on_four_uavs():
    # share, share, withhold, share:
    # UAV 0: group {0, 1}, m = 1, d = 1: 2·4/2 − 1 = 3;  UAV 1: {0, 1, 2}, m = 1, d = 2:
    # 2·4/3 − 1 = 5/3;  UAV 2 withholds in {1, 2}, m = 1: 1·3/2 = 1.5;  UAV 3 alone: 4 − 1 = 3
    game = make_game("uav_swarm", FOUR)
    game.reset(make_rng(0))
    np.testing.assert_allclose(game.rewards_for(np.array([0, 0, 1, 0])), [3, 5 / 3, 1.5, 3])
    # bandwidth 1: one sharer counts per group, so m = 0 for UAVs 0 and 1:
    # UAV 0: 1·4/2 − 1 = 1;  UAV 1: 4/3 − 1 = 1/3;  UAV 2 still sees one: 1.5;  UAV 3: 3
    capped = make_game("uav_swarm", {**FOUR, "bandwidth": 1})
    capped.reset(make_rng(0))
    np.testing.assert_allclose(capped.rewards_for(np.array([0, 0, 1, 0])), [1, 1 / 3, 1.5, 3])


def test_an_empty_battery_forces_withholding_by_hand():
    game = make_game("uav_swarm", {**FOUR, "battery": 1.0, "share_energy": 1.0, "recharge": 0.0})
    assert game.reset(make_rng(0)).tolist() == [0, 0, 0, 0]
    first = game.step(np.array([0, 1, 1, 1]))
    # UAV 0 shares alone: 1·4/2 − 1 = 1; UAV 1 withholds with m = 1, d = 2: 3/3 = 1
    np.testing.assert_allclose(first.rewards, [1, 1, 0, 0])
    assert first.obs.tolist() == [1, 0, 0, 0]  # UAV 0's battery is empty
    second = game.step(np.array([0, 0, 1, 0]))
    # UAV 0 is forced to withhold: in {0, 1} it sees UAV 1 share: 1·3/2 = 1.5;
    # UAV 1 shares alone in {0, 1, 2}: 4/3 − 1 = 1/3; UAV 2: 1.5; UAV 3 alone: 3
    np.testing.assert_allclose(second.rewards, [1.5, 1 / 3, 1.5, 3])
    metrics = second.info["metrics"]
    assert metrics["sharing_rate"] == 0.5
    assert metrics["forced_withholding"] == 0.25
    np.testing.assert_allclose(game.battery, [0, 0, 1, 0])


def test_the_feedback_law_moves_r_c_with_the_sharing_rate():
    law = {"law": "linear", "alpha": 2.0, "beta": 6.0}
    game = make_game("uav_swarm", {**FOUR, "feedback": law})
    game.reset(make_rng(0))
    first = game.step(np.array([0, 1, 1, 1]))  # r_c = 4 (configured); sharing rate 1/4
    assert first.info["metrics"]["r_c"] == 4.0
    second = game.step(np.array([0, 0, 1, 0]))  # r_c = 2 + 4·(1/4) = 3
    assert second.info["metrics"]["r_c"] == 3.0
    # UAV 0: 2·3/2 − 1 = 2; UAV 1: 2·3/3 − 1 = 1; UAV 2: 1·3/2 = 1.5; UAV 3: 3 − 1 = 2
    np.testing.assert_allclose(second.rewards, [2, 1, 1.5, 2])


def test_a_tight_energy_budget_caps_sharing_by_hand():
    # battery 1, sharing costs 1, recharge 1/4: an always-sharer shares at steps 0, 4, 8, ...
    # (battery 0 → 0.25 → 0.5 → 0.75 → 1): exactly 1/4 of the steps = recharge/share_energy
    params = {"n_agents": 30, "battery": 1.0, "share_energy": 1.0, "recharge": 0.25}
    game = make_game("uav_swarm", params)
    game.reset(make_rng(0))
    rates = [game.step(np.zeros(30, dtype=np.int64)).info["metrics"] for _ in range(400)]
    assert [r["sharing_rate"] for r in rates[:8]] == [1, 0, 0, 0, 1, 0, 0, 0]
    assert np.mean([r["sharing_rate"] for r in rates]) == 0.25
    # battery 5, recharge 0.3: no recharge is wasted (the battery drops below capacity at
    # once), so shares = 5 + T·0.3 − final battery with the final battery in [0.3, 1.3):
    # over T = 1000 steps 304.7 − 1 < shares <= 304.7, i.e. exactly 304 (rate → 0.3)
    big = make_game("uav_swarm", {**params, "battery": 5.0, "recharge": 0.3})
    big.reset(make_rng(0))
    always = np.zeros(30, dtype=np.int64)
    shared = sum(big.step(always).info["metrics"]["sharing_rate"] for _ in range(1000))
    assert shared == 304


def test_learners_that_want_to_share_are_capped_at_the_feasible_level():
    # r_c = 12 > d + 1 everywhere: sharing is dominant, FAQ learns to choose it, but the
    # energy budget lets each UAV share at most every 4th step
    params = {"n_agents": 40, "comm_range": 0.2, "r_c": 12.0, "battery": 1.0, "recharge": 0.25}
    game = make_game("uav_swarm", params)
    assert game.topology.degrees.max() + 1 < 12
    rng = make_rng(5)
    faq = make_learner("faq", {"alpha": 0.2, "beta": 0.1}, LearnerContext.for_game(game), rng)
    sim = Simulation(game, [LearnerGroup(0, 40, faq)], make_mechanism("none", {}, game, rng), rng)
    sim.run(400)
    chosen, shared = [], []
    charged = np.zeros(40, dtype=np.int64)  # observation 0: battery can pay for sharing
    obs = charged
    for _ in range(200):
        chosen.append(faq.policy(charged)[:, 0].mean())
        result = game.step(faq.act(obs))
        shared.append(result.info["metrics"]["sharing_rate"])
        obs = result.obs
    assert np.mean(chosen) > 0.9  # they want to share
    assert np.mean(shared) <= 0.25 + 1e-12  # the budget-feasible level
    assert np.mean(shared) > 0.2


# -- FAQ follows a slowly moving r_c -------------------------------------------------------
N, RANGE, R_D, TAU, ALPHA, BETA = 200, 0.1, 4.0, 1.0, 0.2, 0.1
BURN, RAMP, R0, R1 = 500, 1000, 3.0, 5.0
LAG = 1.0 / (ALPHA * BETA)
"""Predicted lag in steps (see the test's docstring)."""


def logit_fixed_point(game, r_c: float, start: np.ndarray) -> np.ndarray:
    """Per-UAV logit fixed point ``x_i = σ(Δ_i(x)/τ)`` (Jacobi iteration from ``start``).

    With neighbours sharing independently w.p. ``x_j`` and ``s_i = Σ_{j ∈ N(i)} x_j``:
    ``Δ_i = c[(1 + s_i)·r_c/(d_i + 1) − 1 − s_i·r_d/(d_i + 1)]`` (payoffs are linear in m).
    """
    top = game.topology
    degree = top.degrees.astype(float)
    source = np.repeat(np.arange(top.n), top.degrees)
    x = start.copy()
    for _ in range(60):
        s = np.bincount(source, weights=x[top.indices], minlength=top.n)
        x = expit((((1 + s) * r_c - s * R_D) / (degree + 1) - 1.0) / TAU)
    return x


def test_faq_tracks_the_moving_logit_fixed_point_with_the_predicted_lag():
    """FAQ moves every Q-value at expected rate αβ towards its expected payoff, so
    ``Q_C − Q_D`` is an exponential average of the payoff advantage with time constant
    ``1/(αβ)``: a target moving at constant speed is followed with a lag of ``1/(αβ)``
    steps, to first order ``1/(αβ(1 − g))`` with the feedback gain ``g ∝ (r_c − r_d)``
    of the neighbours' response, which vanishes at ``r_c = r_d`` (mid-ramp). Here
    α = 0.2, β = 0.1: 50 steps, while r_c ramps from 3 to 5 over 1,000 steps."""
    params = {"n_agents": N, "comm_range": RANGE, "r_c": R0, "r_d": R_D, "positions_seed": 1}
    game = make_game("uav_swarm", params)
    rng = make_rng(0)
    spec = {"alpha": ALPHA, "beta": BETA, "tau": TAU}
    faq = make_learner("faq", spec, LearnerContext.for_game(game), rng)
    sim = Simulation(game, [LearnerGroup(0, N, faq)], make_mechanism("none", {}, game, rng), rng)
    obs = np.zeros(N, dtype=np.int64)
    learned, target = np.empty(BURN + RAMP), np.empty(BURN + RAMP)
    x = np.full(N, 0.5)
    for t in range(BURN + RAMP):
        r_c = R0 + (R1 - R0) * max(t - BURN, 0) / RAMP
        game.reconfigure(r_c=r_c)
        x = logit_fixed_point(game, r_c, x)
        learned[t], target[t] = faq.policy(obs)[:, 0].mean(), x.mean()
        sim.run(1)
    assert learned[BURN - 50 : BURN].mean() == pytest.approx(target[BURN - 1], abs=0.01)
    window = np.arange(BURN + 5 * int(LAG), BURN + RAMP)  # after the ramp's transient
    error = [np.sqrt(np.mean((learned[window] - target[window - lag]) ** 2)) for lag in range(150)]
    fitted = int(np.argmin(error))
    assert fitted == pytest.approx(LAG, rel=0.2)  # measured: 51 steps
    assert np.max(np.abs(learned[window] - target[window - int(LAG)])) < 0.015
    assert target[-1] - target[BURN] > 0.15  # the fixed point did move


def test_bad_input_is_a_config_error():
    with pytest.raises(ConfigError, match="share_energy"):
        make_game("uav_swarm", {"battery": 1.0, "share_energy": 2.0})
    with pytest.raises(ConfigError, match="positions"):
        make_game("uav_swarm", {"n_agents": 3, "positions": [[0, 0], [1, 1]]})
    with pytest.raises(ConfigError, match="comm_range"):
        make_game("uav_swarm", {"comm_range": 0.0})
    with pytest.raises(ConfigError, match="r_c"):
        make_game("uav_swarm", {"r_c": 9.0, "feedback": {"law": "linear"}})


@pytest.mark.parametrize("bandwidth", [None, 1, 2])
def test_vectorised_deviation_equals_the_reference_loop(bandwidth):
    from incentive_lab.core.game import Game

    params = {"n_agents": 40, "comm_range": 0.25, "bandwidth": bandwidth, "battery": 1.0}
    game = make_game("uav_swarm", {**params, "recharge": 0.0})
    rng = make_rng(2)
    game.reset(rng)
    game.step(rng.integers(0, 2, 40))  # some batteries are now empty
    actions, alternative = rng.integers(0, 2, 40), rng.integers(0, 2, 40)
    fast = game.deviation(actions, alternative)
    reference = Game.deviation(game, actions, alternative)
    np.testing.assert_allclose(fast.own, reference.own, atol=1e-12)
    np.testing.assert_allclose(fast.copy_welfare, reference.copy_welfare, atol=1e-10)
