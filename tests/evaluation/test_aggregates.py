"""Aggregates across scenarios against hand-computed values and SciPy (rliable's definitions)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from incentive_lab.evaluation import aggregates

# 4 runs x 2 tasks; sorted: 0.1 0.2 0.3 0.4 0.5 0.8 0.9 1.2
X = np.array([[0.1, 0.5], [0.4, 0.9], [0.8, 0.2], [0.3, 1.2]])
Y = np.array([[0.0, 0.6], [0.2, 0.6], [0.5, 0.1], [0.3, 0.7]])


def test_point_aggregates_by_hand() -> None:
    # IQM: drop the 2 lowest and 2 highest of 8 -> mean(0.3, 0.4, 0.5, 0.8) = 0.5
    assert aggregates.aggregate(X, "iqm") == pytest.approx(0.5)
    assert aggregates.aggregate(X, "iqm") == pytest.approx(stats.trim_mean(X.ravel(), 0.25))
    # task means 0.4 and 0.7: median 0.55, mean 0.55
    assert aggregates.aggregate(X, "median") == pytest.approx(0.55)
    assert aggregates.aggregate(X, "mean") == pytest.approx(0.55)
    # optimality gap: 1 - mean(min(x, 1)) = 1 - 4.2/8
    assert aggregates.aggregate(X, "optimality_gap") == pytest.approx(0.475)


def test_iqm_with_five_runs_drops_one_from_each_end() -> None:
    x = np.array([5.0, 1.0, 3.0, 2.0, 100.0])
    assert aggregates.aggregate(x, "iqm") == pytest.approx(np.mean([2.0, 3.0, 5.0]))


def test_median_is_of_task_means_not_of_runs() -> None:
    x = np.array([[0.0, 10.0, 1.0], [2.0, 10.0, 1.0]])  # task means 1, 10, 1
    assert aggregates.aggregate(x, "median") == pytest.approx(1.0)
    assert np.median(x) == pytest.approx(1.5)  # not the median of all runs


def test_performance_profile_by_hand() -> None:
    taus = [0.0, 0.35, 1.0, 1.2]
    assert aggregates.performance_profile(X, taus).tolist() == [1.0, 5 / 8, 1 / 8, 0.0]


def test_probability_of_improvement_matches_mann_whitney() -> None:
    # task 0 by hand: 1 + 3 + 4 + 2.5 (tie 0.3 = 0.3) pairs of 16 = 0.65625
    pairs = aggregates.improvement_pairs({"x": X, "y": Y}, np.random.default_rng(0))
    per_task = [stats.mannwhitneyu(X[:, t], Y[:, t]).statistic / 16 for t in range(2)]
    assert per_task[0] == pytest.approx(0.65625)
    xy = pairs[(pairs["x"] == "x") & (pairs["y"] == "y")].iloc[0]
    yx = pairs[(pairs["x"] == "y") & (pairs["y"] == "x")].iloc[0]
    assert xy["probability"] == pytest.approx(np.mean(per_task))
    assert xy["probability"] + yx["probability"] == pytest.approx(1.0)
    assert xy["ci_low"] <= xy["probability"] <= xy["ci_high"]


def test_table_intervals_are_seeded_and_hold_the_estimate() -> None:
    scores = {"a": X, "b": Y}
    one = aggregates.aggregate_table(scores, np.random.default_rng(7), n_resamples=500)
    two = aggregates.aggregate_table(scores, np.random.default_rng(7), n_resamples=500)
    pd.testing.assert_frame_equal(one, two)
    assert len(one) == 2 * len(aggregates.KERNELS)
    assert (one["ci_low"] <= one["value"] + 1e-12).all()
    assert (one["value"] <= one["ci_high"] + 1e-12).all()
    constant = aggregates.aggregate_table({"c": np.ones((3, 2))}, np.random.default_rng(0))
    assert (constant["ci_low"] == constant["ci_high"]).all()


def test_profile_bands_hold_the_profile() -> None:
    taus = np.linspace(0, 1.2, 7)
    value, low, high = aggregates.performance_profile_ci(
        X, taus, np.random.default_rng(1), n_resamples=400
    )
    assert np.all(low <= value + 1e-12) and np.all(value <= high + 1e-12)
    assert np.all(np.diff(value) <= 0)  # a profile never increases with τ


def test_task_scores_normalise_between_candidate_means() -> None:
    rows = []
    for task, base in (("t1", 0.0), ("t2", 100.0)):
        for seed in (0, 1):
            rows.append((task, "a", seed, base + 1.0 + seed))  # means 1.5 / 101.5
            rows.append((task, "b", seed, base + 3.0 + seed))  # means 3.5 / 103.5
    rows.append(("t1", "only-in-t1", 0, 9.0))
    frame = pd.DataFrame(rows, columns=["task", "candidate", "seed_index", "value"])
    scores = aggregates.task_scores(frame, "task", "candidate", "seed_index", "value")
    assert sorted(scores) == ["a", "b"]  # a candidate missing from a task is left out
    # per task: 0 = mean of a, 1 = mean of b, span 2
    np.testing.assert_allclose(scores["a"], [[-0.25, -0.25], [0.25, 0.25]])
    np.testing.assert_allclose(scores["b"], [[0.75, 0.75], [1.25, 1.25]])
