"""The ``replicator`` learner: hand-computed step, the Euler replicator map, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from gymnasium import spaces

from incentive_lab.core import (
    ConfigError,
    LearnerContext,
    Transition,
    make_game,
    make_learner,
    make_mechanism,
)
from incentive_lab.learners.imitation.dynamics import matrix_fitness, replicator
from incentive_lab.rollout import LearnerGroup, Simulation


def context(m: int, n_actions: int = 3) -> LearnerContext:
    return LearnerContext(
        agents=np.arange(m, dtype=np.int64),
        n_actions=n_actions,
        observation_space=spaces.Discrete(1),
        population_size=m,
    )


def test_one_step_by_hand():
    learner = make_learner(
        "replicator", {"lr": 0.5, "initial": [0.5, 0.3, 0.2]}, context(4), np.random.default_rng(0)
    )
    obs = np.zeros(4, dtype=np.int64)
    # actions 0, 0, 1, 1 (action 2 unplayed); mean payoffs f = (1, 3, φ)
    learner.update(Transition(obs, np.array([0, 0, 1, 1]), np.array([0.5, 1.5, 3.0, 3.0]), obs))
    phi = (0.5 * 1.0 + 0.3 * 3.0) / 0.8  # 1.75, the x-weighted mean over played actions
    expected = np.array([0.5 + 0.5 * 0.5 * (1 - phi), 0.3 + 0.5 * 0.3 * (3 - phi), 0.2])
    np.testing.assert_allclose(learner.x, expected, atol=1e-12)
    assert learner.x.sum() == pytest.approx(1.0)


def test_mutation_keeps_every_action_alive():
    learner = make_learner(
        "replicator", {"lr": 1.0, "mutation": 0.03}, context(50), np.random.default_rng(0)
    )
    obs = np.zeros(50, dtype=np.int64)
    for _ in range(200):
        actions = learner.act(obs)
        learner.update(Transition(obs, actions, (actions == 0).astype(np.float64), obs))
    assert learner.x[0] > 0.9
    assert learner.x.min() >= 0.03 / 3 - 1e-12


def test_large_group_follows_the_euler_replicator_map():
    n, lr, steps = 20_000, 0.3, 150
    game = make_game("game_selection", {"n_agents": n, "games": [[1.6, 0.4]]})
    learner = make_learner(
        "replicator",
        {"lr": lr, "initial": [0.9, 0.1]},
        LearnerContext.for_game(game),
        np.random.default_rng(1),
    )
    sim = Simulation(
        game,
        [LearnerGroup(0, n, learner)],
        make_mechanism("none", {}, game, np.random.default_rng(2)),
        np.random.default_rng(3),
    )
    fitness = matrix_fitness(game.type_matrix())
    x = np.array([0.9, 0.1])
    deviations = []
    for _ in range(steps):
        sim.run(1)
        x = x + lr * replicator(x, fitness)
        deviations.append(abs(learner.x[0] - x[0]))
    assert np.mean(deviations) < 0.02
    assert learner.x[0] == pytest.approx(0.4, abs=0.03)  # hawk–dove interior x* = S/(S+T−1)


def test_bad_input_is_a_config_error():
    rng = np.random.default_rng(0)
    with pytest.raises(ConfigError, match="lr"):
        make_learner("replicator", {"lr": -0.1}, context(3), rng)
    with pytest.raises(ConfigError, match="mutation"):
        make_learner("replicator", {"mutation": 1.5}, context(3), rng)
    with pytest.raises(ConfigError, match="initial"):
        make_learner("replicator", {"initial": [0.5, 0.4, 0.2]}, context(3), rng)
    with pytest.raises(ConfigError, match="initial"):
        make_learner("replicator", {"initial": [0.5, 0.5]}, context(3), rng)
