"""Proportional imitation: hand-checked switching, the replicator limit, bad input.

Theory: in a well-mixed population with a random role model, the expected change of the
share of action ``a`` in one synchronous step is ``x_a(π_a − π̄)/Δmax``, so at large N the
shares follow the replicator ODE with one step = ``1/Δmax`` time units (for Δmax well above
the payoff range the Euler map and the ODE agree closely).
"""

from __future__ import annotations

import numpy as np
import pytest
from gymnasium import spaces

from incentive_lab.core import (
    ConfigError,
    LearnerContext,
    Topology,
    Transition,
    make_game,
    make_learner,
    make_mechanism,
)
from incentive_lab.learners.imitation.dynamics import integrate, matrix_fitness, replicator
from incentive_lab.rollout import LearnerGroup, Simulation

N, STEPS, DELTA_MAX = 10_000, 200, 3.0


def imitation_run(game_params: dict, initial: list[float], seed: int = 0):
    game = make_game("game_selection", game_params)
    learner = make_learner(
        "proportional_imitation",
        {"delta_max": DELTA_MAX, "initial": initial, "role_model": "population"},
        LearnerContext.for_game(game),
        np.random.default_rng([seed, 1]),
    )
    sim = Simulation(
        game,
        [LearnerGroup(0, game.n_agents, learner)],
        make_mechanism("none", {}, game, np.random.default_rng([seed, 2])),
        np.random.default_rng([seed, 3]),
    )
    shares = [np.bincount(learner.strategies, minlength=game.n_actions) / game.n_agents]
    for _ in range(STEPS):
        sim.run(1)
        shares.append(np.bincount(learner.strategies, minlength=game.n_actions) / game.n_agents)
    return game, np.array(shares)


def ode_shares(matrix: np.ndarray, x0: np.ndarray) -> np.ndarray:
    fitness = matrix_fitness(matrix)
    times = np.arange(STEPS + 1) / DELTA_MAX
    _, xs = integrate(lambda x: replicator(x, fitness), x0, times[-1], times)
    return xs


@pytest.mark.parametrize(
    ("games", "x0", "end"),
    [
        ([[1.6, 0.4]], 0.9, 0.4),  # snowdrift / hawk–dove: interior stable x* = S/(S+T−1)
        ([[0.5, -0.3]], 0.5, 1.0),  # coordination (stag hunt): above x* = 0.375 → all C
    ],
)
def test_well_mixed_imitation_follows_the_replicator_ode(games, x0, end):
    game, shares = imitation_run({"n_agents": N, "games": games}, [x0, 1 - x0])
    expected = ode_shares(game.type_matrix(), shares[0])
    deviation = np.abs(shares[:, 0] - expected[:, 0]).mean()
    assert deviation < 0.01  # issue 5 asks < 0.02; measured 0.0007 and 0.0025
    assert expected[-1, 0] == pytest.approx(end, abs=0.01)
    assert shares[-1, 0] == pytest.approx(end, abs=0.03)


def context(m: int, topology: Topology | None = None) -> LearnerContext:
    return LearnerContext(
        agents=np.arange(m, dtype=np.int64),
        n_actions=2,
        observation_space=spaces.Discrete(1),
        population_size=m,
        topology=topology,
    )


def test_switch_probability_is_the_payoff_gain_over_delta_max():
    # two agents on one edge: the poorer switches w.p. (1.0 − 0.25)/1.5 = 0.5, the richer never
    edge = Topology.from_edges(2, np.array([[0, 1]]))
    switches = np.zeros(2)
    trials = 4000
    for seed in range(trials):
        learner = make_learner(
            "proportional_imitation",
            {"delta_max": 1.5, "role_model": "neighbour"},
            context(2, edge),
            np.random.default_rng(seed),
        )
        learner.strategies = np.array([0, 1])
        obs = np.zeros(2, dtype=np.int64)
        actions = learner.act(obs)
        learner.update(Transition(obs, actions, np.array([0.25, 1.0]), obs))
        switches += learner.strategies != actions
    assert switches[1] == 0
    assert switches[0] / trials == pytest.approx(0.5, abs=4 * np.sqrt(0.25 / trials))


def test_default_scale_is_the_payoff_range():
    learner = make_learner(
        "proportional_imitation", {"role_model": "population"}, context(2), np.random.default_rng(0)
    )
    learner.strategies = np.array([0, 1])
    obs = np.zeros(2, dtype=np.int64)
    # payoff range 2: agent 0 gains 2 → switches for sure
    learner.update(Transition(obs, learner.act(obs), np.array([-1.0, 1.0]), obs))
    assert learner.strategies.tolist() == [1, 1]


def test_bad_input_is_a_config_error():
    with pytest.raises(ConfigError, match="initial"):
        make_learner(
            "proportional_imitation", {"initial": [0.5, 0.6]}, context(4), np.random.default_rng(0)
        )
    with pytest.raises(ConfigError, match="delta_max"):
        make_learner(
            "proportional_imitation", {"delta_max": -1.0}, context(4), np.random.default_rng(0)
        )
    with pytest.raises(ConfigError, match="topology"):
        make_learner(
            "proportional_imitation",
            {"role_model": "neighbour"},
            context(4),
            np.random.default_rng(0),
        )
    isolated = Topology.from_edges(4, np.array([[0, 1], [1, 2]]))  # agent 3 has no neighbour
    with pytest.raises(ConfigError, match="isolated"):
        make_learner("proportional_imitation", {}, context(4, isolated), np.random.default_rng(0))
    for learner_id in ("moran", "proportional_imitation"):
        with pytest.raises(ConfigError, match=r"game\.graph"):
            make_learner(
                learner_id,
                {"role_model": "neighbour"},
                context(4, isolated),
                np.random.default_rng(0),
            )
