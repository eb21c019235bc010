"""Probability of improvement: hand-computed tiny matrices, ties, invariants, CIs."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from incentive_lab.core.errors import ConfigError
from incentive_lab.evaluation.improvement import (
    improvement_matrix,
    improvement_over_baseline,
    probability_of_improvement,
    probability_of_improvement_ci,
)

small = st.integers(-3, 3).map(float)  # many ties on purpose


def brute_force(x: np.ndarray, y: np.ndarray) -> float:
    """Double loop over seed pairs, averaged over tasks (the definition)."""
    x, y = np.atleast_2d(x.T).T, np.atleast_2d(y.T).T
    per_task = []
    for t in range(x.shape[1]):
        wins = [(a > b) + 0.5 * (a == b) for a in x[:, t] for b in y[:, t]]
        per_task.append(np.mean(wins))
    return float(np.mean(per_task))


def test_hand_computed_single_task():
    # pairs: (1,2)=0, (1,3)=0, (2,2)=1/2, (2,3)=0 → 1/8
    assert probability_of_improvement([1.0, 2.0], [2.0, 3.0]) == pytest.approx(0.125)
    # x=[3,1,4], y=[1,5]: (3>1)=1 (3<5)=0 (1=1)=½ (1<5)=0 (4>1)=1 (4<5)=0 → 2.5/6
    assert probability_of_improvement([3.0, 1.0, 4.0], [1.0, 5.0]) == pytest.approx(2.5 / 6)


def test_hand_computed_two_tasks_are_averaged():
    x = np.array([[1.0, 10.0], [2.0, 10.0]])
    y = np.array([[0.0, 10.0], [3.0, 11.0]])
    # task 0: (1>0)=1 (1<3)=0 (2>0)=1 (2<3)=0 → ½ ; task 1: ½ 0 ½ 0 → ¼
    assert probability_of_improvement(x, y) == pytest.approx((0.5 + 0.25) / 2)


def test_all_ties_give_one_half():
    assert probability_of_improvement([2.0, 2.0, 2.0], [2.0, 2.0]) == 0.5


def test_dominance_gives_zero_or_one():
    assert probability_of_improvement([5.0, 6.0], [1.0, 2.0, 3.0]) == 1.0
    assert probability_of_improvement([1.0, 2.0, 3.0], [5.0, 6.0]) == 0.0


@given(
    arrays(np.float64, st.tuples(st.integers(1, 8), st.integers(1, 3)), elements=small),
    st.integers(1, 8),
    st.data(),
)
def test_rank_formula_matches_the_double_loop_and_is_complementary(x, m, data):
    y = data.draw(arrays(np.float64, (m, x.shape[1]), elements=small))
    p = probability_of_improvement(x, y)
    assert p == pytest.approx(brute_force(x, y), abs=1e-12)
    assert p + probability_of_improvement(y, x) == pytest.approx(1.0, abs=1e-12)
    assert probability_of_improvement(x, x) == pytest.approx(0.5)


def test_matrix_is_complementary_with_half_diagonal():
    scores = {"a": [1.0, 2.0, 3.0], "b": [2.0, 3.0, 4.0], "c": [0.0, 0.0, 0.0]}
    table = improvement_matrix(scores)
    assert list(table.index) == ["a", "b", "c"] == list(table.columns)
    # a vs b: 1v{2,3,4}=0, 2v2=½, 3v2=1, 3v3=½ → 2/9
    assert table.loc["a", "b"] == pytest.approx(2 / 9)
    assert table.loc["b", "a"] == pytest.approx(7 / 9)
    assert table.loc["a", "c"] == 1.0
    np.testing.assert_allclose(table.to_numpy() + table.to_numpy().T, 1.0)
    np.testing.assert_allclose(np.diag(table.to_numpy()), 0.5)


def test_ci_contains_the_estimate_and_is_reproducible():
    rng = np.random.default_rng(0)
    x, y = rng.normal(1.0, 1.0, size=10), rng.normal(0.0, 1.0, size=10)
    a = probability_of_improvement_ci(x, y, np.random.default_rng(9))
    b = probability_of_improvement_ci(x, y, np.random.default_rng(9))
    assert a == b
    assert a.ci_low <= a.value <= a.ci_high
    assert 0.0 <= a.ci_low and a.ci_high <= 1.0


def test_over_baseline_flags_clear_improvements():
    rng = np.random.default_rng(1)
    scores = {
        "none": rng.normal(0.0, 1.0, size=10),
        "tax": rng.normal(5.0, 1.0, size=10),
        "worse": rng.normal(-5.0, 1.0, size=10),
        "same": rng.normal(0.0, 1.0, size=10),
    }
    table = improvement_over_baseline(scores, "none", np.random.default_rng(0))
    assert list(table["mechanism"]) == ["tax", "worse", "same"]
    assert (table["baseline"] == "none").all()
    verdicts = dict(zip(table["mechanism"], table["clear"], strict=True))
    assert verdicts["tax"] == "better"
    assert verdicts["worse"] == "worse"
    assert verdicts["same"] == "unclear"
    assert table.loc[table["mechanism"] == "tax", "probability"].item() == 1.0


def test_errors_name_the_field():
    with pytest.raises(ConfigError, match="baseline"):
        improvement_over_baseline({"a": [1.0]}, "nonee", np.random.default_rng(0))
    with pytest.raises(ConfigError, match="tasks"):
        probability_of_improvement(np.ones((3, 2)), np.ones((3, 3)))
