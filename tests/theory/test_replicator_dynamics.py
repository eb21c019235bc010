"""Replicator and selection–mutation dynamics against theory (learners.imitation.dynamics).

Reference values: RPS conserves Σ ln x_i (zero-sum, interior centre); the PD flows to all-D;
the stag hunt is bistable with the interior rest point x* = (P − S)/(R − T − S + P); the
hawk–dove game's interior rest point x_H = V/C is stable; the selection–mutation (FAQ /
Boltzmann) rest point in the N-player public goods game is the logit point x = σ(Δ(x)/τ)
of SPEC §1.2.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import brentq
from scipy.special import expit

from incentive_lab.learners.imitation.dynamics import (
    bimatrix_replicator,
    classify,
    integrate,
    iterate,
    matrix_fitness,
    nplayer_fitness,
    replicator,
    replicator_mutator,
    rest_points,
    selection_mutation,
)

RPS = np.array([[0.0, -1.0, 1.0], [1.0, 0.0, -1.0], [-1.0, 1.0, 0.0]])
PD = np.array([[3.0, 0.0], [5.0, 1.0]])  # rows: C, D
STAG = np.array([[4.0, 0.0], [3.0, 2.0]])  # R=4, S=0, T=3, P=2 -> x* = 2/3
V, C = 2.0, 3.0
HAWK_DOVE = np.array([[(V - C) / 2, V], [0.0, V / 2]])  # rows: hawk, dove -> x_H = V/C


def field_of(matrix: np.ndarray):
    fitness = matrix_fitness(matrix)
    return lambda x: replicator(x, fitness)


def test_rps_conserves_the_sum_of_log_shares():
    x0 = np.array([0.6, 0.3, 0.1])
    _, xs = integrate(field_of(RPS), x0, 100.0, np.linspace(0, 100, 201))
    invariant = np.log(xs).sum(axis=1)
    assert np.abs(invariant - invariant[0]).max() < 1e-7
    np.testing.assert_allclose(xs.sum(axis=1), 1.0, atol=1e-9)
    assert xs[:, 0].max() - xs[:, 0].min() > 0.3  # it cycles, it does not settle


def test_rps_rest_points_and_their_stability():
    field = field_of(RPS)
    points = rest_points(field, 3)
    kinds = {tuple(np.round(p, 6)): classify(field, p) for p in points}
    assert kinds == {
        (1.0, 0.0, 0.0): "saddle",
        (0.0, 1.0, 0.0): "saddle",
        (0.0, 0.0, 1.0): "saddle",
        (0.333333, 0.333333, 0.333333): "center",
    }


def test_prisoners_dilemma_flows_to_all_defect():
    _, xs = integrate(field_of(PD), np.array([0.99, 0.01]), 40.0)
    assert xs[-1, 0] < 1e-6
    field = field_of(PD)
    kinds = {round(float(p[0]), 6): classify(field, p) for p in rest_points(field, 2)}
    assert kinds == {1.0: "unstable", 0.0: "stable"}


def test_stag_hunt_is_bistable_around_the_interior_point():
    field = field_of(STAG)
    points = rest_points(field, 2)
    interior = [p for p in points if 0 < p[0] < 1]
    assert len(points) == 3 and len(interior) == 1
    assert interior[0][0] == pytest.approx(2.0 / 3.0, abs=1e-9)
    assert classify(field, interior[0]) == "unstable"
    assert classify(field, np.array([1.0, 0.0])) == "stable"
    assert classify(field, np.array([0.0, 1.0])) == "stable"
    for start, end in ((0.7, 1.0), (0.6, 0.0)):
        _, xs = integrate(field, np.array([start, 1 - start]), 60.0)
        assert xs[-1, 0] == pytest.approx(end, abs=1e-6)


def test_hawk_dove_interior_point_is_stable():
    field = field_of(HAWK_DOVE)
    interior = [p for p in rest_points(field, 2) if 0 < p[0] < 1]
    assert len(interior) == 1 and interior[0][0] == pytest.approx(V / C, abs=1e-9)
    assert classify(field, interior[0]) == "stable"
    assert classify(field, np.array([1.0, 0.0])) == "unstable"
    _, xs = integrate(field, np.array([0.05, 0.95]), 80.0)
    assert xs[-1, 0] == pytest.approx(V / C, abs=1e-6)


def test_fixed_step_iterates_match_the_integrator():
    field = field_of(HAWK_DOVE)
    x0 = np.array([0.1, 0.9])
    path = list(itertools.islice(iterate(field, x0, 0.01), 500))
    _, xs = integrate(field, x0, 5.0, np.array([5.0]))
    np.testing.assert_allclose(path[-1], xs[-1], atol=1e-9)


def test_bimatrix_matching_pennies_has_a_center():
    a = np.array([[1.0, -1.0], [-1.0, 1.0]])
    field = lambda z: bimatrix_replicator(z, a, -a)  # noqa: E731
    z0 = np.array([0.7, 0.3, 0.4, 0.6])
    _, zs = integrate(field, z0, 50.0, np.linspace(0, 50, 101))
    invariant = np.log(zs).sum(axis=1)  # ln x1 + ln x2 + ln y1 + ln y2 is conserved
    assert np.abs(invariant - invariant[0]).max() < 1e-7
    np.testing.assert_allclose(field(np.array([0.5, 0.5, 0.5, 0.5])), 0.0, atol=1e-15)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(0.01, 1.0), min_size=3, max_size=3))
def test_identity_mutation_is_the_replicator(weights):
    x = np.array(weights) / np.sum(weights)
    fitness = matrix_fitness(RPS + 2.0)
    np.testing.assert_allclose(
        replicator_mutator(x, fitness, np.eye(3)), replicator(x, fitness), atol=1e-12
    )
    assert abs(replicator(x, fitness).sum()) < 1e-12


def test_nplayer_fitness_of_a_pairwise_game_is_the_matrix_fitness():
    # two-player game as an N=2 "N-player" game: payoff(own, counts) = A[own] · counts
    fitness = nplayer_fitness(lambda own, counts: float(STAG[own] @ counts), 2, 2)
    x = np.array([0.3, 0.7])
    np.testing.assert_allclose(fitness(x), STAG @ x, atol=1e-12)
    # with N players and linear payoffs the expectation is (N−1)·A x
    fitness5 = nplayer_fitness(lambda own, counts: float(STAG[own] @ counts), 5, 2)
    np.testing.assert_allclose(fitness5(x), 4 * STAG @ x, atol=1e-12)


G, COST, R_D, TAU, ALPHA = 5, 1.0, 3.0, 0.5, 0.1


def pgg_payoff(r_c: float):
    d = G - 1

    def payoff(own: int, counts: np.ndarray) -> float:
        m = counts[0]  # cooperating co-players (strategy 0 = cooperate)
        if own == 0:
            return COST * ((m + 1) * r_c / (d + 1) - 1)
        return COST * m * R_D / (d + 1)

    return payoff


def logit_point(r_c: float) -> float:
    d = G - 1

    def delta(x: float) -> float:
        return COST * ((d * x + 1) * r_c / (d + 1) - 1 - d * x * R_D / (d + 1))

    return float(brentq(lambda x: expit(delta(x) / TAU) - x, 0.0, 1.0, xtol=1e-13))


@pytest.mark.parametrize("r_c", [3.0, 4.0, 5.0, 6.0])
def test_selection_mutation_rest_point_is_the_logit_point(r_c):
    fitness = nplayer_fitness(pgg_payoff(r_c), G, 2)
    field = lambda x: selection_mutation(x, fitness, ALPHA, TAU)  # noqa: E731
    expected = logit_point(r_c)
    # the interior rest point, by root finding on the cooperating share
    found = brentq(lambda c: field(np.array([c, 1 - c]))[0], 1e-9, 1 - 1e-9, xtol=1e-13)
    assert found == pytest.approx(expected, abs=1e-9)
    # and the flow reaches it from both sides; it is stable
    for start in (0.02, 0.98):
        _, xs = integrate(field, np.array([start, 1 - start]), 2000.0)
        assert xs[-1, 0] == pytest.approx(expected, abs=1e-6)
    assert classify(field, np.array([expected, 1 - expected])) == "stable"
