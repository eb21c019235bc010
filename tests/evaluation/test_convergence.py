import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from incentive_lab.evaluation.convergence import (
    adaptation_time,
    convergence_step,
    dynamics_summary,
    moving_average,
    price_of_anarchy,
    stability,
)


def test_moving_average_hand_values():
    assert np.allclose(moving_average(np.array([1.0, 3.0, 5.0, 7.0]), 2), [1, 2, 4, 6])


def test_convergence_step_of_a_step_function():
    steps = np.arange(10, 110, 10)
    values = np.array([0, 0, 0, 1, 1, 1, 1, 1, 1, 1], dtype=float)
    # window 1: settles at the first 1 (step 40); window 2: the average (0.5 at step 40) is
    # outside eps = 0.05, so it settles one record later
    assert convergence_step(steps, values, window=1) == 40
    assert convergence_step(steps, values, window=2) == 50


def test_convergence_of_a_noisy_exponential_approach():
    rng = np.random.default_rng(0)
    steps = np.arange(1, 201)
    values = 1 - np.exp(-steps / 20) + rng.normal(0, 0.005, 200)
    step = convergence_step(steps, values, window=5)
    # the gap to 1 falls below 5% of the range (≈1) near t = 20·ln(20) ≈ 60
    assert 45 <= step <= 75


@given(st.lists(st.floats(-1e3, 1e3), min_size=1, max_size=50), st.integers(1, 10))
def test_convergence_step_is_a_recorded_step_and_constant_series_converge_at_once(values, w):
    steps = np.arange(len(values)) * 7
    assert convergence_step(steps, np.array(values), window=w) in steps
    assert convergence_step(steps, np.full(len(values), values[0]), window=w) == 0


def test_stability_is_the_variance_of_the_last_window():
    assert stability(np.array([5.0, 1.0, 2.0, 3.0]), window=3) == np.var([1.0, 2.0, 3.0])


def test_adaptation_time_after_a_regime_shift():
    steps = np.arange(10, 210, 10)
    values = np.r_[np.ones(10), np.zeros(3), np.full(7, -1.0)]  # shift at 100, settles at 140
    assert adaptation_time(steps, values, shift_step=100, window=1) == 40
    assert math.isnan(adaptation_time(steps, values, shift_step=500))


def test_price_of_anarchy():
    assert price_of_anarchy(3.0, 1.0) == 3.0
    assert math.isnan(price_of_anarchy(None, 1.0))
    assert math.isnan(price_of_anarchy(3.0, -1.0))


def test_dynamics_summary_names_per_phase():
    rows = [(s, "cooperation_rate", 1.0 if s <= 50 else 0.0) for s in range(10, 110, 10)]
    out = dynamics_summary(rows, shift_steps=[50], window=1)
    assert out["adaptation_time/cooperation_rate/0"] == 10
    assert out["convergence_step/cooperation_rate"] == 60
    assert out["stability/cooperation_rate"] == 0.0
