"""``global_local`` instance ``ev_charging``: kernels and rewards checked by hand.

Power level ℓ ∈ {0..4} (charging rate ℓ/4); bays: 0 empty, 1 + b an EV with battery b ∈ {0..3}.
Arrival 0.4 (b = 0 or 1 equally), unfinished departure 0.1, departure once full 0.5;
r_g = −0.08·ℓ − move_cost·|Δ|, r_l = −0.3·(3 − b) for an EV present, 0 for an empty bay.
"""

from __future__ import annotations

import numpy as np
import pytest

from incentive_lab.core import make_game, make_rng
from incentive_lab.learners.planning import mean_field_vi as mf
from incentive_lab.learners.planning.multisets import enumerate_counts


@pytest.fixture(scope="module")
def game():
    return make_game("global_local", {"instance": "ev_charging", "n_agents": 8})


def test_local_kernel_rows_by_hand(game):
    p = game.kernels.local_kernel
    np.testing.assert_allclose(p[2, 0], [0.6, 0.2, 0.2, 0.0, 0.0])  # empty bay: arrivals
    np.testing.assert_allclose(p[2, 2], [0.1, 0.0, 0.45, 0.45, 0.0])  # b = 1 at rate 1/2
    np.testing.assert_allclose(p[4, 3], [0.1, 0.0, 0.0, 0.0, 0.9])  # b = 2 at full power
    np.testing.assert_allclose(p[0, 1], [0.1, 0.9, 0.0, 0.0, 0.0])  # no power: no charging
    np.testing.assert_allclose(p[3, 4], [0.5, 0.0, 0.0, 0.0, 0.5])  # full: leaves w.p. 1/2


def test_rewards_by_hand(game):
    k = game.kernels
    # ℓ = 2, action up (Δ = +1), bays [empty, b = 0, b = 2, full]:
    # r = −0.08·2 − 0.1·1 + (0 − 0.9 − 0.3 + 0)/4 = −0.26 − 0.3 = −0.56
    r = k.global_reward[2, 2] + k.local_reward[2, [0, 1, 3, 4]].mean()
    assert r == pytest.approx(-0.56)
    np.testing.assert_allclose(k.local_reward[0], [0.0, -0.9, -0.6, -0.3, 0.0])
    np.testing.assert_allclose(k.global_reward[0], [-0.1, 0.0, -0.1])  # level 0: only moving
    np.testing.assert_allclose(k.global_reward[4], [-0.42, -0.32, -0.42])


def test_the_step_reward_is_the_formula_on_the_live_state(game):
    obs = game.reset(make_rng(3))
    level, bays = int(obs[0]), game.local_states().copy()
    assert level == 2
    battery_gap = np.where(bays > 0, 3 - (bays - 1), 0)
    reward = game.step(np.array([0])).rewards[0]
    assert reward == pytest.approx(-0.08 * level - 0.1 - 0.3 * battery_gap.mean())


def test_without_power_the_stationary_bays_are_by_hand(game):
    # ℓ = 0: e = 0.6e + 0.1(b0 + b1), b0 = 0.2e + 0.9·b0 → b0 = b1 = 2e, e = 1/5
    p = game.kernels.local_kernel[0]
    values, vectors = np.linalg.eig(p.T)
    stationary = np.real(vectors[:, np.argmin(np.abs(values - 1.0))])
    np.testing.assert_allclose(stationary / stationary.sum(), [0.2, 0.4, 0.4, 0.0, 0.0], atol=1e-12)


def test_one_step_of_many_bays_follows_the_kernel():
    n = 100_000
    game = make_game("global_local", {"instance": "ev_charging", "n_agents": n})
    game.reset(make_rng(11))
    before = np.bincount(game.local_states(), minlength=5) / n
    game.step(np.array([1]))  # stay at ℓ = 2
    after = np.bincount(game.local_states(), minlength=5) / n
    expected = before @ game.kernels.local_kernel[2]
    np.testing.assert_allclose(after, expected, atol=4 * np.sqrt(0.25 / n))


def test_the_optimal_level_depends_on_the_parked_evs(game):
    # exact mean-field value iteration (n = 8, γ = 0.8): with nothing to charge (every bay
    # holds a full EV) the planner lowers ℓ = 2; with 8 flat batteries it keeps it, and at
    # ℓ = 0 it raises the power for them but not for an empty station
    model = mf.MeanFieldModel.build(game.kernels, 8)
    q = mf.value_iteration(model, 0.8, 1e-9)
    counts = enumerate_counts(8, 5)
    empty, flat, full = (int(np.flatnonzero(counts[:, s] == 8)[0]) for s in (0, 1, 4))
    assert np.argmax(q[2, full]) == 0
    assert np.argmax(q[2, flat]) != 0
    assert np.argmax(q[0, flat]) == 2
    assert np.argmax(q[0, empty]) == 1
