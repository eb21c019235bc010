"""Support enumeration against nashpy on random non-degenerate games (hypothesis).

nashpy 0.0.43's ``support_enumeration`` drops an equilibrium whenever a probability that its
linear solve should return as exactly 0 comes out as −5e-17 (``solve_indifference`` checks
``all(prob >= 0)`` without tolerance): about one random 2×2…4×4 game in five (it then warns
about an even number of equilibria). So the equilibrium *set* is compared with nashpy's
``vertex_enumeration``, which has no such check, and with ``support_enumeration`` whenever the
latter returned a complete (odd-sized) set; nashpy's support enumeration never finds an
equilibrium that ours misses.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from incentive_lab.evaluation.equilibria import support_enumeration
from incentive_lab.evaluation.exploitability import nash_conv

nashpy = pytest.importorskip("nashpy")

payoffs = st.floats(-10.0, 10.0, allow_nan=False, allow_infinity=False, allow_subnormal=False)


def contains(pairs, x, y, atol=1e-8):
    return any(np.allclose(x, px, atol=atol) and np.allclose(y, py, atol=atol) for px, py in pairs)


def same_set(ours, theirs, atol=1e-8):
    return len(ours) == len(theirs) and all(contains(theirs, x, y, atol) for x, y in ours)


def non_degenerate(a, b):
    """Reject near-ties, where equilibria may legitimately come in continua."""
    return np.min(np.abs(np.diff(np.sort(np.concatenate([a.ravel(), b.ravel()]))))) > 1e-3


def nashpy_sets(a, b):
    game = nashpy.Game(a, b)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # nashpy's "even number" warning
        return list(game.support_enumeration()), list(game.vertex_enumeration())


def check_against_nashpy(a, b):
    ours = support_enumeration(a, b)
    by_support, by_vertex = nashpy_sets(a, b)
    assert same_set(ours, by_vertex), (ours, by_vertex)
    assert all(contains(ours, x, y) for x, y in by_support)
    if len(by_support) % 2 == 1:
        assert same_set(ours, by_support)
    assert len(ours) % 2 == 1  # a non-degenerate game has an odd number of equilibria
    if a.shape[0] == a.shape[1]:
        for x, y in ours:
            assert nash_conv(np.stack([a, b], axis=-1), np.stack([x, y])) < 1e-9


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 3), st.integers(2, 3), st.data())
def test_support_enumeration_matches_nashpy(m, n, data):
    a = data.draw(arrays(np.float64, (m, n), elements=payoffs), label="A")
    b = data.draw(arrays(np.float64, (m, n), elements=payoffs), label="B")
    if non_degenerate(a, b):
        check_against_nashpy(a, b)


def test_seeded_random_games_match_nashpy():
    rng = np.random.default_rng(12)
    for shape in [(2, 2), (3, 3), (4, 4), (2, 4)] * 8:
        check_against_nashpy(rng.normal(size=shape), rng.normal(size=shape))


NASHPY_MISSES = (
    np.array(
        [
            [-0.1303878564024187, -0.2755283300098013, 0.5996634532029317],
            [0.41766218273883, 0.03002312700744969, 1.9038910499773813],
            [0.5490064885825834, -0.2790004749965682, -0.6034757847678505],
        ]
    ),
    np.array(
        [
            [-0.024953499804094108, -0.5580549862852522, 1.6507090601373464],
            [0.5846701591256891, -0.29251612253264797, -0.636340252739163],
            [-1.0530510540464557, -0.2547172816774332, 1.3329887827893012],
        ]
    ),
)


def test_game_where_a_zero_probability_rounds_below_zero():
    # one equilibrium with supports {1, 2} × {0, 2}; nashpy 0.0.43's support enumeration
    # finds none (its solve returns −5e-17 for a probability that should be 0)
    a, b = NASHPY_MISSES
    ((x, y),) = support_enumeration(a, b)
    assert nash_conv(np.stack([a, b], axis=-1), np.stack([x, y])) < 1e-12
    np.testing.assert_array_equal(x == 0, [True, False, False])
    np.testing.assert_array_equal(y == 0, [False, True, False])
    check_against_nashpy(a, b)
