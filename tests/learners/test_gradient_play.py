"""Gradient-play learners: the rollout contract, seeding, pickling, mechanisms, bad input."""

from __future__ import annotations

import pickle
from typing import Any

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from incentive_lab.core import (  # noqa: E402
    Adjustment,
    ConfigError,
    LearnerContext,
    Mechanism,
    make_game,
    make_learner,
    make_mechanism,
)
from incentive_lab.core.params import Params  # noqa: E402
from incentive_lab.rollout import LearnerGroup, Simulation  # noqa: E402

GRADIENT = ("simul_ind", "simul_co", "cga", "sga", "lola", "aga")
GAMES = [
    ("differentiable_pgg", {"n_players": 3, "dim": 2}),
    ("differentiable_toy", {"n_copies": 2, "init_scale": 0.5}),
    ("matrix_mixed", {"preset": "stag_hunt"}),
]


def simulation(game_id, game_params, learner_id, learner_params=None, mechanism=None, seed=0):
    game = make_game(game_id, game_params)
    rng = np.random.default_rng(seed)
    learner = make_learner(learner_id, learner_params or {}, LearnerContext.for_game(game), rng)
    if mechanism is None:
        mechanism = Mechanism(Params(), game, rng)
    elif isinstance(mechanism, dict):
        mechanism = make_mechanism(mechanism["id"], mechanism.get("params", {}), game, rng)
    return Simulation(game, [LearnerGroup(0, game.n_agents, learner)], mechanism, rng)


class Recorder:
    def __init__(self) -> None:
        self.records: list[Any] = []

    def record(self, record: Any) -> None:
        self.records.append(record)


@pytest.mark.parametrize("learner_id", GRADIENT)
@pytest.mark.parametrize(("game_id", "params"), GAMES, ids=[g for g, _ in GAMES])
def test_runs_through_the_rollout_with_finite_records(learner_id, game_id, params):
    sim = simulation(game_id, params, learner_id, {"lr": 0.05})
    recorder = Recorder()
    sim.run(5, recorder)
    for record in recorder.records:
        assert record.actions.dtype == np.int64 and record.actions.shape == (sim.game.n_agents,)
        assert np.all(np.isfinite(record.base_rewards))
        assert all(isinstance(v, float) and np.isfinite(v) for v in record.diagnostics.values())
    probs = sim.groups[0].learner.policy(np.zeros(sim.game.n_agents, dtype=np.int64))
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)
    # the strategy moved: one rollout step is one gradient step
    assert not np.array_equal(sim.game.theta, simulation(game_id, params, learner_id).game.theta)


@pytest.mark.parametrize("learner_id", GRADIENT)
def test_seeded_runs_repeat_and_pickles_continue_identically(learner_id):
    def trajectory(sim):
        recorder = Recorder()
        sim.run(10, recorder)
        return np.array([r.actions for r in recorder.records]), sim.game.theta

    first = trajectory(simulation("matrix_mixed", {"n_copies": 3}, learner_id, seed=4))
    second = trajectory(simulation("matrix_mixed", {"n_copies": 3}, learner_id, seed=4))
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])
    sim = simulation("matrix_mixed", {"n_copies": 3}, learner_id, seed=4)
    sim.run(3)
    clone = pickle.loads(pickle.dumps(sim))
    np.testing.assert_array_equal(trajectory(sim)[0], trajectory(clone)[0])
    np.testing.assert_array_equal(sim.game.theta, clone.game.theta)


def test_actions_sample_the_mixed_strategy():
    sim = simulation("differentiable_pgg", {"init": [3.0, -3.0], "n_copies": 1}, "simul_co")
    learner = sim.groups[0].learner
    actions = np.array([learner.act(np.zeros(2, dtype=np.int64)) for _ in range(4000)])
    # P(contribute) = σ(θ): 0.9526 and 0.0474
    np.testing.assert_allclose(actions.mean(axis=0), [0.9526, 0.0474], atol=0.02)


@pytest.mark.parametrize(
    "mechanism",
    [
        {"id": "team_reward"},
        {"id": "svo", "params": {"angle": 45.0}},
        {"id": "action_tax", "params": {"taxes": [1.0, 0.0]}},
    ],
    ids=lambda m: m["id"],
)
def test_gradients_flow_through_stateless_shaping(mechanism):
    # selfish gradients defect in the public goods game; with the shaping they cooperate
    params = {"n_copies": 10}
    plain = simulation("differentiable_pgg", params, "simul_ind", {"lr": 1.0})
    shaped = simulation("differentiable_pgg", params, "simul_ind", {"lr": 1.0}, mechanism)
    plain.run(100)
    shaped.run(100)
    assert plain.game.strategy_summary(plain.game.theta).max() < 0.15
    assert shaped.game.strategy_summary(shaped.game.theta).min() > 0.85


@pytest.mark.parametrize(
    "mechanism",
    [
        {"id": "team_reward", "params": {"normalise": True}},
        {"id": "svo", "params": {"angle": -30.0}},
        {"id": "inequity_aversion", "params": {"alpha": 1.0, "beta": 0.5}},
    ],
    ids=lambda m: m["id"],
)
def test_shape_losses_is_the_adjustment_on_losses(mechanism):
    game = make_game(
        "matrix_mixed",
        {"payoffs": np.sin(np.arange(24.0)).reshape(2, 2, 2, 3).tolist(), "n_copies": 3},
    )
    rule = make_mechanism(mechanism["id"], mechanism["params"], game, np.random.default_rng(0))
    rewards = np.random.default_rng(1).normal(size=game.n_agents)
    expected = rule.adjust(game, np.zeros(game.n_agents, dtype=np.int64), rewards, {})
    probs = torch.full((game.n_agents, 2), 0.5, dtype=torch.float64)
    shaped = rule.shape_losses(torch.tensor(-rewards), probs, game.copies)
    np.testing.assert_allclose(-shaped.numpy(), expected.shaped_rewards, atol=1e-12)


class AddOne(Mechanism[Params]):
    """Reshapes rewards but has no differentiable form."""

    def adjust(self, game, actions, rewards, info):
        return Adjustment.shaping(rewards + 1.0)


def test_a_shaping_without_shape_losses_is_refused():
    game = make_game("differentiable_toy", {})
    sim = simulation("differentiable_toy", {}, "aga", mechanism=AddOne(Params(), game, None))
    with pytest.raises(ConfigError, match="shape_losses"):
        sim.run(1)


@pytest.mark.parametrize("learner_id", ["cga", "sga", "lola", "aga"])
@pytest.mark.parametrize("lam", [float("nan"), float("inf"), "big"])
def test_lam_must_be_a_finite_number(learner_id, lam):
    game = make_game("differentiable_toy", {})
    with pytest.raises(ConfigError, match=r"learner\.params\.lam"):
        make_learner(learner_id, {"lam": lam}, LearnerContext.for_game(game), None)


def test_lr_must_be_positive_and_finite():
    game = make_game("differentiable_toy", {})
    for lr in (0.0, float("nan")):
        with pytest.raises(ConfigError, match=r"learner\.params\.lr"):
            make_learner("simul_ind", {"lr": lr}, LearnerContext.for_game(game), None)


def test_a_game_without_a_differentiable_model_is_refused():
    game = make_game("prisoners_dilemma", {})
    with pytest.raises(ConfigError, match="differentiable game"):
        make_learner("aga", {}, LearnerContext.for_game(game), np.random.default_rng(0))


def test_a_group_must_cover_every_player():
    game = make_game("differentiable_pgg", {"n_players": 4})
    with pytest.raises(ConfigError, match="one group covering all 4 agents"):
        make_learner("aga", {}, LearnerContext.for_game(game, 0, 2), np.random.default_rng(0))


def test_divergence_to_nan_parameters_is_a_clear_error():
    sim = simulation("differentiable_toy", {"init": [1.5, 1.5]}, "simul_co", {"lr": 1e6})
    with pytest.raises(ConfigError, match=r"lower learner\.params\.lr"):
        sim.run(50)
