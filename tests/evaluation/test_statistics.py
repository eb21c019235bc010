"""Aggregates and stratified bootstrap CIs: hand values, scipy cross-checks, invariants."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import stats

from incentive_lab.core.errors import ConfigError
from incentive_lab.evaluation.statistics import (
    STATISTICS,
    bootstrap_ci,
    iqm,
    iqm_weights,
    mean,
    median,
    paired_difference,
    standard_error,
    stratified_resamples,
)

finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)
samples = arrays(np.float64, st.integers(1, 40), elements=finite)


# -- hand-computed aggregates --------------------------------------------------------------
def test_iqm_of_four_values_is_mean_of_middle_two():
    assert iqm([4.0, 1.0, 3.0, 2.0]) == pytest.approx(2.5)


def test_iqm_fractional_weights_for_five_values():
    # window [1.25, 3.75] over positions: weights (0, 3/4, 1, 3/4, 0), total 5/2
    np.testing.assert_allclose(iqm_weights(5), [0.0, 0.75, 1.0, 0.75, 0.0])
    assert iqm([1.0, 2.0, 4.0, 8.0, 16.0]) == pytest.approx((0.75 * 2 + 4 + 0.75 * 8) / 2.5)
    assert iqm([1.0, 2.0, 4.0, 8.0, 16.0]) == pytest.approx(4.6)


def test_trimmed_iqm_matches_rliable_scipy_trim_mean():
    x = np.array([1.0, 2.0, 4.0, 8.0, 16.0, 3.0, 7.0])
    assert iqm(x, method="trimmed") == pytest.approx(stats.trim_mean(x, 0.25))
    assert iqm([1.0, 2.0, 4.0, 8.0, 16.0], method="trimmed") == pytest.approx(14 / 3)


def test_iqm_of_one_and_two_values():
    assert iqm([7.0]) == 7.0
    assert iqm([1.0, 3.0]) == pytest.approx(2.0)  # weights (1/2, 1/2) over total 1


@pytest.mark.parametrize("n", range(1, 13))
def test_iqm_weights_sum_to_half(n):
    assert iqm_weights(n).sum() == pytest.approx(n / 2)


def test_mean_median_standard_error_pool_seeds_and_tasks():
    scores = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 30.0]])
    assert mean(scores) == pytest.approx(11.0)
    assert median(scores) == pytest.approx(6.5)
    flat = scores.ravel()
    assert standard_error(scores) == pytest.approx(flat.std(ddof=1) / np.sqrt(6))
    assert standard_error([5.0]) == 0.0
    assert iqm(scores) == pytest.approx(iqm(flat))


def test_bad_scores_raise_config_error():
    with pytest.raises(ConfigError, match="scores"):
        mean([])
    with pytest.raises(ConfigError, match="finite"):
        mean([1.0, np.nan])
    with pytest.raises(ConfigError, match="statistic"):
        bootstrap_ci([1.0, 2.0], np.random.default_rng(0), "mode")
    with pytest.raises(ConfigError, match="confidence"):
        bootstrap_ci([1.0, 2.0], np.random.default_rng(0), confidence=1.5)
    with pytest.raises(ConfigError, match="method"):
        iqm([1.0], method="winsorised")  # type: ignore[arg-type]


# -- invariants ------------------------------------------------------------------------------
@given(samples)
def test_iqm_and_median_lie_between_min_and_max(x):
    for value in (iqm(x), median(x), mean(x)):
        assert x.min() - 1e-9 <= value <= x.max() + 1e-9


@given(samples, st.floats(-1e3, 1e3), st.floats(0.1, 10.0))
def test_aggregates_are_affine_equivariant(x, shift, scale):
    for aggregate in (iqm, median, mean):
        expected = scale * aggregate(x) + shift
        assert aggregate(scale * x + shift) == pytest.approx(expected, rel=1e-9, abs=1e-6)


@given(samples)
def test_iqm_ignores_order(x):
    assert iqm(x[::-1]) == pytest.approx(iqm(x), rel=1e-12, abs=1e-9)


# -- stratified bootstrap ----------------------------------------------------------------------
def test_resamples_stay_within_their_task():
    scores = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 30.0]])
    boot = stratified_resamples(scores, 50, np.random.default_rng(3))
    assert boot.shape == (50, 3, 2)
    assert set(np.unique(boot[:, :, 0])) <= {1.0, 2.0, 3.0}
    assert set(np.unique(boot[:, :, 1])) <= {10.0, 20.0, 30.0}


def test_bootstrap_is_deterministic_under_a_seeded_generator():
    x = np.random.default_rng(1).normal(size=12)
    a = bootstrap_ci(x, np.random.default_rng(42), "iqm")
    b = bootstrap_ci(x, np.random.default_rng(42), "iqm")
    c = bootstrap_ci(x, np.random.default_rng(43), "iqm")
    assert a == b
    assert a != c


@pytest.mark.parametrize("statistic", ["mean", "median"])
@pytest.mark.parametrize(("method", "scipy_method"), [("percentile", "percentile"), ("bca", "BCa")])
def test_one_task_interval_agrees_with_scipy_bootstrap(statistic, method, scipy_method):
    x = np.random.default_rng(7).gamma(2.0, 1.5, size=20)
    ours = bootstrap_ci(x, np.random.default_rng(0), statistic, n_resamples=20000, method=method)
    ref = stats.bootstrap(
        (x,),
        getattr(np, statistic),
        method=scipy_method,
        n_resamples=20000,
        rng=np.random.default_rng(1),
    ).confidence_interval
    # Monte Carlo error of a 2.5% quantile with 20000 resamples is ~1% of the CI width;
    # the median's bootstrap distribution is lumpy, hence the looser bound.
    width = ref.high - ref.low
    tolerance = 0.04 if statistic == "mean" else 0.12
    assert ours.ci_low == pytest.approx(ref.low, abs=tolerance * width)
    assert ours.ci_high == pytest.approx(ref.high, abs=tolerance * width)


def test_percentile_interval_covers_the_true_mean():
    rng = np.random.default_rng(2024)
    hits = 0
    for _ in range(200):
        x = rng.normal(loc=3.0, scale=2.0, size=30)
        est = bootstrap_ci(x, rng, "mean", n_resamples=1000)
        hits += est.ci_low <= 3.0 <= est.ci_high
    # nominal 95%; the percentile interval under-covers slightly at n=30
    assert hits >= 180


def test_stratified_interval_is_narrower_than_pooled_when_tasks_differ():
    # two tasks on very different scales: resampling within tasks removes the between-task
    # variance that an unstratified bootstrap of the 2n pooled values would include
    rng = np.random.default_rng(5)
    scores = np.column_stack([rng.normal(0, 1, 10), rng.normal(100, 1, 10)])
    strat = bootstrap_ci(scores, np.random.default_rng(0))
    pooled = bootstrap_ci(scores.ravel(), np.random.default_rng(0))
    assert strat.value == pytest.approx(pooled.value)
    assert strat.ci_high - strat.ci_low < 0.2 * (pooled.ci_high - pooled.ci_low)


def test_custom_vectorised_statistic():
    x = np.arange(10.0)
    est = bootstrap_ci(x, np.random.default_rng(0), lambda b: b.max(axis=(-2, -1)))
    assert est.value == 9.0
    assert est.ci_high == 9.0


def test_named_statistics_match_the_public_functions():
    x = np.random.default_rng(3).normal(size=(9, 3))
    for name, fn in [("mean", mean), ("median", median), ("iqm", iqm)]:
        assert STATISTICS[name](x[None])[0] == pytest.approx(fn(x))


# -- paired comparison ----------------------------------------------------------------------------
def test_paired_difference_removes_common_noise():
    rng = np.random.default_rng(11)
    common = rng.normal(0, 10, size=15)  # shared by both mechanisms (common random numbers)
    x = common + 1.0 + rng.normal(0, 0.1, size=15)
    y = common
    paired = paired_difference(x, y, np.random.default_rng(0))
    assert paired.value == pytest.approx(np.mean(x - y))
    assert 0.8 < paired.ci_low < paired.value < paired.ci_high < 1.2
    assert paired.ci_high - paired.ci_low < 0.15
    # ignoring the pairing, the same data cannot tell the mechanisms apart
    assert bootstrap_ci(x, np.random.default_rng(0)).ci_low < mean(y)


def test_paired_difference_needs_equal_shapes():
    with pytest.raises(ConfigError, match="same shape"):
        paired_difference([1.0, 2.0], [1.0], np.random.default_rng(0))


@settings(max_examples=25)
@given(arrays(np.float64, st.integers(2, 15), elements=finite))
def test_paired_difference_of_a_run_with_itself_is_zero(x):
    est = paired_difference(x, x, np.random.default_rng(0), n_resamples=50)
    assert est == type(est)(0.0, 0.0, 0.0)
