"""Provider exposure amortized over rounds (``games.recommender.metrics``) by hand, and its
agreement with the distance ``exposure_fairness`` taxes."""

from __future__ import annotations

import numpy as np
import pytest

from incentive_lab.games.recommender.choice import gini
from incentive_lab.games.recommender.metrics import (
    amortized_exposure,
    amortized_exposure_distance,
    amortized_exposure_gini,
)
from incentive_lab.mechanisms.platform.fairness import exposure_distance


def test_gini_by_hand():
    # sorted x = (1, 2, 3): 2·Σ r·x / (n·Σx) − (n + 1)/n = 2·14/18 − 4/3 = 2/9
    assert gini(np.array([3.0, 1.0, 2.0])) == pytest.approx(2 / 9)
    assert gini(np.array([2.0, 0.0])) == pytest.approx(0.5)
    assert gini(np.zeros(3)) == 0.0


def test_alternating_exposure_is_unfair_each_round_and_fair_amortized():
    # two providers, all slots to provider 0, then all to provider 1 (Biega et al.'s example
    # of rankings that are each unfair but equitable over time)
    rounds = np.array([[2.0, 0.0], [0.0, 2.0]])
    assert [gini(r) for r in rounds] == [pytest.approx(0.5), pytest.approx(0.5)]
    assert amortized_exposure(rounds).tolist() == [2.0, 2.0]
    assert amortized_exposure_gini(rounds) == pytest.approx(0.0)
    assert amortized_exposure_distance(rounds, np.array([0.5, 0.5])) == pytest.approx(0.0)


def test_amortized_exposure_sums_rounds_and_agents():
    # exposure[T = 2, agents = 2, P = 3]
    exposure = np.array([[[1.0, 0.0, 0.0], [0.0, 2.0, 0.0]], [[1.0, 0.0, 1.0], [0.0, 0.0, 3.0]]])
    assert amortized_exposure(exposure).tolist() == [2.0, 2.0, 4.0]
    assert amortized_exposure(exposure[:, 1]).tolist() == [0.0, 2.0, 3.0]
    # A = (2, 2, 4) / 8 against π = (0.5, 0.25, 0.25): ½(0.25 + 0 + 0.25) = 0.25
    target = np.array([0.5, 0.25, 0.25])
    assert amortized_exposure_distance(exposure, target) == pytest.approx(0.25)
    assert amortized_exposure_distance(np.zeros((3, 2, 3)), target) == 0.0


def test_amortized_distance_is_the_taxed_distance_of_the_summed_exposure():
    rng = np.random.default_rng(0)
    exposure = rng.integers(0, 6, size=(7, 3, 4)).astype(np.float64)
    target = np.array([0.1, 0.2, 0.3, 0.4])
    summed = exposure.sum(axis=(0, 1))[None, :]
    expected = float(exposure_distance(summed, target)[0])
    assert amortized_exposure_distance(exposure, target) == pytest.approx(expected)
    for a in range(3):  # one agent's amortized distance: the tax's distance over the window
        agent = exposure[:, a].sum(axis=0)[None, :]
        assert amortized_exposure_distance(exposure[:, a], target) == pytest.approx(
            float(exposure_distance(agent, target)[0])
        )
