"""The recommenders' fast slate and learning paths give the NumPy reference's results bit for bit.

``recsys_linucb`` and the family's top-``k`` (``recsys_bpr`` and the others) run Numba kernels
(``core.top_k``, ``learners.recsys._linucb_kernels``); each keeps its plain NumPy code as
``reference_*`` (the other learners of the family share the base class's top-``k`` path,
checked here for SlateQ and the two-tower model). Two simulations with the same seeds, one
on each path, must submit the same slates at every step, record the same metrics and end
with the same learner state.
"""

from __future__ import annotations

from importlib.util import find_spec
from typing import Any

import numpy as np
import pytest

from incentive_lab.core import LearnerContext, make_game, make_learner, make_mechanism, make_rng
from incentive_lab.core.top_k import CONSTANT, top_k, top_k_reference, top_k_rows
from incentive_lab.learners.recsys._linucb_kernels import add_outer_at, ucb_slot
from incentive_lab.rollout import LearnerGroup, Simulation

USERS, ITEMS, TOPICS, AGENTS, ROUNDS = 300, 60, 8, 3, 30


def multi_hot() -> list[list[float]]:
    """Items with 1–3 topics of random weights (several distinct contexts share a topic)."""
    rng = np.random.default_rng(7)
    rows = []
    for _ in range(ITEMS):
        f = np.zeros(TOPICS)
        topics = rng.choice(TOPICS, size=int(rng.integers(1, 4)), replace=False)
        f[topics] = rng.choice([0.5, 1.0, 2.0], size=topics.shape[0])
        rows.append([float(v) for v in f])
    return rows


def run(learner_id: str, params: dict[str, Any], mechanism: str, features: bool, ref: bool):  # type: ignore[no-untyped-def]
    game_params: dict[str, Any] = {
        "n_users": USERS, "n_items": ITEMS, "n_topics": TOPICS, "n_agents": AGENTS,
        "agents_choose": "items",
    }  # fmt: skip
    if features:
        game_params["item_features"] = multi_hot()
    game = make_game("recommender", game_params)
    learner = make_learner(learner_id, params, LearnerContext.for_game(game), make_rng(11))
    if ref:
        learner.chunk_slates = learner.reference_chunk_slates  # type: ignore[method-assign]
        if hasattr(learner, "reference_learn"):
            learner.learn = learner.reference_learn  # type: ignore[method-assign]
    slates: list[np.ndarray] = []
    plain = learner.slates

    def recorded(agent: np.ndarray, users: np.ndarray) -> np.ndarray:
        out = plain(agent, users)
        slates.append(out.copy())
        return out

    learner.slates = recorded  # type: ignore[method-assign]
    mech = make_mechanism(mechanism, {}, game, make_rng(2))
    sim = Simulation(game, [LearnerGroup(0, AGENTS, learner)], mech, make_rng(3))
    metrics: list[dict[str, float]] = []

    class Metrics:
        def record(self, record) -> None:  # type: ignore[no-untyped-def]
            metrics.append(dict(record.info["metrics"]))

    sim.run(ROUNDS, Metrics())
    return learner, slates, metrics


CASES = [
    ("recsys_linucb", {}),
    ("recsys_linucb", {"epsilon": 0.2, "temperature": 0.05, "alpha": 0.5}),
    ("recsys_linucb", {"shared": False, "alpha": 0.0}),
    ("recsys_bpr", {}),
    ("recsys_bpr", {"temperature": 0.3, "epsilon": 0.2, "item_bias": True}),
    ("recsys_bpr", {"update": "sequential", "item_bias": True}),
    ("recsys_slateq", {}),
    pytest.param(
        "recsys_two_tower",
        {"temperature": 0.1},
        marks=pytest.mark.skipif(find_spec("torch") is None, reason="needs torch"),
    ),
]
STATE = {
    "recsys_linucb": ("a_inv", "b", "a0", "b0", "credit"),
    "recsys_bpr": ("user", "item", "bias", "credit"),
    "recsys_slateq": ("credit",),
    "recsys_two_tower": ("credit",),
}


@pytest.mark.parametrize("features", [False, True], ids=["one-hot", "multi-hot"])
@pytest.mark.parametrize("mechanism", ["none", "exposure_fairness"])
@pytest.mark.parametrize(("learner_id", "params"), CASES)
def test_fast_path_is_bit_identical_to_the_reference(
    learner_id: str, params: dict[str, Any], mechanism: str, features: bool
) -> None:
    fast, fast_slates, fast_metrics = run(learner_id, params, mechanism, features, ref=False)
    ref, ref_slates, ref_metrics = run(learner_id, params, mechanism, features, ref=True)
    assert len(fast_slates) == len(ref_slates) > 0
    for step, (a, b) in enumerate(zip(fast_slates, ref_slates, strict=True)):
        np.testing.assert_array_equal(a, b, err_msg=f"slates differ at step {step}")
    assert fast_metrics == ref_metrics
    for name in STATE[learner_id]:
        a, b = getattr(fast, name), getattr(ref, name)
        assert a.tobytes() == b.tobytes(), name
    if mechanism == "exposure_fairness":
        assert np.abs(fast.credit).sum() > 0  # the shaping path was exercised


def test_top_k_equals_the_reference_on_ties_nan_and_infinities() -> None:
    rng = np.random.default_rng(0)
    score = rng.integers(0, 6, size=(400, 40)).astype(np.float64)  # many ties
    score[::7, 3] = np.nan
    score[::5, 4:30] = -np.inf
    score[::3, 0] = -0.0
    score[1::3, 1] = 0.0
    score[100:200] = rng.standard_normal((100, 40))  # unique rows through the kernel
    for row, value in zip(
        range(200, 260, 10), [0.0, -0.0, 3.5, -np.inf, np.inf, np.nan], strict=True
    ):
        score[row] = value  # constant rows (all share one answer), and an all-NaN row
    score[261] = 0.0
    score[261, ::2] = -0.0  # zeros of both signs compare equal: constant
    assert (top_k_rows(score, 3)[1][[200, 210, 220, 230, 240, 261]] == CONSTANT).all()
    for k in (1, 3, 5, 39, 40):
        np.testing.assert_array_equal(top_k(score, k), top_k_reference(score, k))


def test_ucb_slot_is_numpys_argmax_over_untaken_items() -> None:
    rng = np.random.default_rng(1)
    rows, items, groups = 50, 30, 4
    mean = rng.integers(0, 3, size=(rows, items)).astype(np.float64)
    mean[5, 7] = np.nan
    mean[6, :] = -np.inf
    aw = rng.integers(0, 2, size=(rows, groups)).astype(np.float64)
    group = rng.integers(0, groups, size=items)
    explore = rng.random(rows) < 0.3
    uniform = rng.random((int(explore.sum()), items))
    taken = rng.random((rows, items)) < 0.2
    score = mean + aw[:, group]
    score[explore] = uniform
    score[taken] = -np.inf
    expected = np.argmax(score, axis=1)
    column = np.empty(rows, dtype=np.int64)
    ucb_slot(mean, aw, group, explore, uniform, taken.copy(), column)
    np.testing.assert_array_equal(column, expected)


def test_add_outer_at_is_np_add_at() -> None:
    rng = np.random.default_rng(2)
    x, reward = rng.random((500, 6)), rng.random(500)
    agent = rng.integers(0, 3, size=500)
    a0, b0 = rng.random((3, 6, 6)), rng.random((3, 6))
    a1, b1 = a0.copy(), b0.copy()
    np.add.at(a0, agent, x[:, :, None] * x[:, None, :])
    np.add.at(b0, agent, reward[:, None] * x)
    add_outer_at(a1, b1, agent, x, reward)
    assert a0.tobytes() == a1.tobytes() and b0.tobytes() == b1.tobytes()
