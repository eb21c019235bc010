"""SUB-SAMPLE-Q's optimality gap on the median-tracking instance (n = 8), evaluated exactly.

The deployed policy of ``Q̂_k`` (draw k of n agents without replacement, greedy on the
k-multiset) has an exact action law on the mean-field state (s_g, counts): a multivariate
hypergeometric mixture (``subsample_policy``). Its discounted value is computed exactly on
the mean-field MDP of n agents and compared with exact value iteration, averaged over the
game's initial law. Theory (Anand & Qu 2024): gap ≤ C·sqrt((n−k+1)/(n·k)) + ε_{k,m}, which
vanishes at k = n up to the Bellman noise ε_{k,m} of m samples.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import spearmanr

from incentive_lab.core import make_game, make_rng
from incentive_lab.learners.planning import mean_field_vi as mf
from incentive_lab.learners.planning.subsample_q import plan

N, GAMMA, M, SWEEPS, SEEDS = 8, 0.8, 30, 50, 3
TOL = 1e-6
KS = np.arange(1, N + 1)


@pytest.fixture(scope="module")
def setup():
    game = make_game("global_local", {"instance": "median", "n_agents": N})
    kernels = game.kernels
    model = mf.MeanFieldModel.build(kernels, N)
    q_star = mf.value_iteration(model, GAMMA, TOL)
    law = mf.initial_law(game.instance.initial_global, game.instance.initial_local, N)
    return kernels, model, q_star, law


@pytest.fixture(scope="module")
def gaps(setup):
    """``gaps[k-1, seed]``: V*(μ0) − V^{π_k}(μ0); seed s is shared by every k (CRN)."""
    kernels, model, q_star, law = setup
    policies = [
        mf.subsample_policy(plan(kernels, k, M, SWEEPS, GAMMA, make_rng(seed))[0], k, N, 5)
        for k in KS
        for seed in range(SEEDS)
    ]
    values = mf.evaluate(model, np.stack(policies), GAMMA, TOL)
    v_star = float((law * q_star.max(axis=2)).sum())
    return v_star - (law * values).sum(axis=(1, 2)).reshape(len(KS), SEEDS)


def curve(k):
    return np.sqrt((N - k + 1) / (N * k))


def test_the_gap_decreases_with_k(gaps):
    mean = gaps.mean(axis=1)
    assert np.all(gaps > -1e-9)  # nothing beats the optimum
    assert spearmanr(KS, mean).statistic < -0.9
    assert mean[-1] < 0.1 * mean[0]


def test_the_gap_vanishes_at_k_equals_n_up_to_bellman_noise(setup, gaps):
    kernels, model, q_star, law = setup
    se = gaps[-1].std(ddof=1) / np.sqrt(SEEDS)
    assert gaps[-1].mean() <= 0.05 * gaps[0].mean()
    assert np.all(gaps[:-1].mean(axis=1) - gaps[-1].mean() > 2 * se)
    # with the Bellman noise removed (exact expectations, m -> ∞) it is exactly zero
    q_n = mf.value_iteration(mf.MeanFieldModel.build(kernels, N), GAMMA, TOL)
    exact = mf.evaluate(model, mf.subsample_policy(q_n, N, N, 5), GAMMA, TOL)
    assert float((law * (q_star.max(axis=2) - exact)).sum()) == pytest.approx(0.0, abs=1e-7)


def test_the_gap_stays_under_the_fitted_sqrt_curve(gaps):
    mean = gaps.mean(axis=1)
    se = gaps.std(axis=1, ddof=1) / np.sqrt(SEEDS)
    first = KS <= N // 2
    c = np.max(mean[first] / curve(KS[first]))  # fitted on k <= n/2 only
    later = ~first
    assert np.all(mean[later] <= c * curve(KS[later]) + 2 * se[later] + 1e-9)


def test_at_k_equals_n_the_policy_matches_value_iteration(setup):
    kernels, _, q_star, law = setup
    q_hat, residual = plan(kernels, N, 100, SWEEPS, GAMMA, make_rng(7))
    assert residual < 1e-3
    # same table layout (multisets of n = counts of n); Q̂ close to Q*
    assert np.abs(q_hat - q_star).max() < 0.35
    best = q_star.max(axis=2, keepdims=True)
    chosen = np.take_along_axis(q_star, np.argmax(q_hat, axis=2)[..., None], axis=2)
    regret = (best - chosen)[..., 0]
    weight = law / law.sum()
    assert float((weight * (regret > 1e-9)).sum()) < 0.05  # same action on ≥95% of start mass
    assert float((weight * regret).sum()) < 0.01
