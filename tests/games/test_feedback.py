"""Feedback laws of r_c: bounds, inverses, the Weitz et al. (2016) environment dynamics."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter
from scipy.integrate import solve_ivp

from incentive_lab.games.feedback import (
    ConstantFeedback,
    Feedback,
    LinearFeedback,
    WeitzFeedback,
    initial_state,
    multiplier,
    next_state,
    weitz_rate,
)

fractions = st.floats(0.0, 1.0)
bounds = st.tuples(st.floats(0.0, 10.0), st.floats(0.01, 10.0)).map(lambda t: (t[0], t[0] + t[1]))


Bounded = LinearFeedback | WeitzFeedback


@st.composite
def laws(draw: st.DrawFn) -> Bounded:
    alpha, beta = draw(bounds)
    if draw(st.booleans()):
        return LinearFeedback(alpha=alpha, beta=beta)
    return WeitzFeedback(
        alpha=alpha,
        beta=beta,
        epsilon=draw(st.floats(0.01, 10.0)),
        theta=draw(st.floats(0.01, 1000.0)),
        tragedy=draw(st.booleans()),
    )


@settings(max_examples=80, deadline=None)
@given(law=laws(), start=fractions, xs=st.lists(fractions, min_size=1, max_size=30))
def test_r_c_stays_within_bounds(law: Bounded, start: float, xs: list[float]) -> None:
    state = initial_state(law, law.alpha + start * (law.beta - law.alpha))
    for x in xs:
        state = next_state(law, state, x)
        assert 0.0 <= state <= 1.0
        r_c = multiplier(law, state)
        assert law.alpha - 1e-9 <= r_c <= law.beta + 1e-9


@settings(max_examples=60, deadline=None)
@given(law=laws(), level=fractions)
def test_initial_state_inverts_multiplier(law: Bounded, level: float) -> None:
    r_c = law.alpha + level * (law.beta - law.alpha)
    assert multiplier(law, initial_state(law, r_c)) == pytest.approx(r_c, abs=1e-9)


def test_constant_law_keeps_r_c() -> None:
    law = ConstantFeedback()
    state = initial_state(law, 3.7)
    for x in (0.0, 0.5, 1.0):
        state = next_state(law, state, x)
    assert multiplier(law, state) == 3.7


def test_linear_law_follows_last_cooperation() -> None:
    law = LinearFeedback(alpha=2.0, beta=6.0)
    assert multiplier(law, next_state(law, 0.9, 0.25)) == 3.0
    assert multiplier(law, next_state(law, 0.1, 1.0)) == 6.0


@pytest.mark.parametrize("theta", [0.5, 2.0, 4.0])
def test_weitz_interior_fixed_point(theta: float) -> None:
    law = WeitzFeedback(epsilon=0.3, theta=theta)
    x_star = 1.0 / (1.0 + theta)  # θx = 1 − x
    assert weitz_rate(theta, x_star) == pytest.approx(0.0, abs=1e-12)
    for n in (0.1, 0.5, 0.9):
        assert next_state(law, n, x_star) == pytest.approx(n, abs=1e-12)
        assert next_state(law, n, x_star + 0.05) > n  # cooperators restore
        assert next_state(law, n, x_star - 0.05) < n  # defectors degrade
    for n in (0.0, 1.0):  # absorbing boundaries
        assert next_state(law, n, 0.9) == n and next_state(law, n, 0.0) == n


def test_weitz_step_solves_the_ode_over_one_round() -> None:
    law = WeitzFeedback(epsilon=0.7, theta=2.0)
    for n0, x in [(0.2, 0.9), (0.8, 0.1), (0.5, 0.4)]:
        rate = law.epsilon * weitz_rate(law.theta, x)

        def field(t: float, n: np.ndarray, rate: float = rate) -> np.ndarray:
            return rate * n * (1 - n)

        ode = solve_ivp(field, (0.0, 1.0), [n0], rtol=1e-10, atol=1e-12)
        assert next_state(law, n0, x) == pytest.approx(ode.y[0, -1], abs=1e-8)


def test_weitz_orientation() -> None:
    plain = WeitzFeedback(alpha=2.0, beta=6.0)
    tragedy = WeitzFeedback(alpha=2.0, beta=6.0, tragedy=True)
    assert multiplier(plain, 0.75) == 5.0 and multiplier(tragedy, 0.75) == 3.0


def test_discriminator_parses_laws() -> None:
    adapter: TypeAdapter[Feedback] = TypeAdapter(Feedback)  # type: ignore[arg-type]
    law = adapter.validate_python({"law": "weitz", "theta": 3})
    assert isinstance(law, WeitzFeedback) and law.theta == 3.0 and math.isclose(law.epsilon, 0.1)
    assert isinstance(adapter.validate_python({"law": "linear"}), LinearFeedback)


def test_many_rounds_of_weitz_with_fixed_x_converge_to_a_boundary() -> None:
    law = WeitzFeedback(epsilon=0.5, theta=2.0)
    state = 0.5
    for _ in range(200):
        state = next_state(law, state, 0.6)  # above x* = 1/3: the environment fills up
    assert state == pytest.approx(1.0, abs=1e-6)


@pytest.mark.parametrize(("start", "x"), [(0.5, 1.0), (0.5, 0.0), (1e-300, 1.0), (1 - 1e-16, 0.0)])
def test_weitz_extreme_rates_stay_finite(start: float, x: float) -> None:
    law = WeitzFeedback(epsilon=10.0, theta=1000.0)
    state = next_state(law, start, x)
    assert np.isfinite(state) and 0.0 <= state <= 1.0
