"""``game_selection``: hand-computed payoffs per coupling rule, metrics, graphs, the replicator
limit on joint (game, strategy) types, and bad input."""

from __future__ import annotations

import numpy as np
import pytest

from incentive_lab.core import ConfigError, LearnerContext, make_game, make_learner, make_mechanism
from incentive_lab.learners.imitation.dynamics import integrate, matrix_fitness, replicator
from incentive_lab.rollout import LearnerGroup, Simulation

GAMES = [[1.5, -0.5], [0.5, 0.5]]  # (T, S): a PD and a harmony game
TRIANGLE = {"kind": "random_regular", "degree": 2}  # the only 2-regular graph on 3 nodes
# actions: agent 0 = (game 0, C), agent 1 = (game 0, D), agent 2 = (game 1, C)
ACTIONS = np.array([0, 1, 2])


def triangle(coupling: str, **extra):
    return make_game(
        "game_selection",
        {"n_agents": 3, "games": GAMES, "coupling": coupling, "graph": TRIANGLE, **extra},
    )


def test_own_game_pays_each_player():
    game = triangle("own")
    game.reset(np.random.default_rng(0))
    # 0: S0 + R = 0.5;  1: T0 + T0 = 3.0;  2: R + S1 = 1.5
    np.testing.assert_allclose(game.step(ACTIONS).rewards, [0.5, 3.0, 1.5])


def test_average_coupling_pays_the_mean_matrix():
    game = triangle("average")
    game.reset(np.random.default_rng(0))
    # 1 vs 2: (T0 + T1)/2 = 1.0 and (S1 + S0)/2 = 0.0
    np.testing.assert_allclose(game.step(ACTIONS).rewards, [0.5, 2.5, 1.0])


def test_random_coupling_draws_one_game_per_pair():
    game = triangle("random")
    game.reset(np.random.default_rng(0))
    seen = set()
    total = np.zeros(3)
    steps = 400
    for _ in range(steps):
        rewards = game.step(ACTIONS).rewards
        total += rewards
        # the (1, 2) pair is paid by one game for both: (T0, S0) or (T1, S1)
        seen.add((rewards[1] - 1.5, rewards[2] - 1.0))
        np.testing.assert_allclose(game.rewards_for(ACTIONS), rewards)  # same draws
    assert seen == {(1.5, -0.5), (0.5, 0.5)}
    np.testing.assert_allclose(total / steps, [0.5, 2.5, 1.0], atol=0.1)
    assert game.metadata.stochastic


def test_metrics_cooperation_and_mean_t_s():
    game = triangle("own")
    game.reset(np.random.default_rng(0))
    metrics = game.step(ACTIONS).info["metrics"]
    assert metrics["cooperation_rate"] == pytest.approx(2 / 3)
    assert metrics["mean_T"] == pytest.approx((1.5 + 1.5 + 0.5) / 3)
    assert metrics["mean_S"] == pytest.approx((-0.5 - 0.5 + 0.5) / 3)
    np.testing.assert_array_equal(game.game_types, [0, 0, 1])
    assert game.metadata.cooperative_action is None  # the action encodes the game too


def test_well_mixed_payoff_is_the_mean_over_all_others():
    well_mixed = make_game("game_selection", {"n_agents": 3, "games": GAMES})
    well_mixed.reset(np.random.default_rng(0))
    np.testing.assert_allclose(well_mixed.step(ACTIONS).rewards, np.array([0.5, 3.0, 1.5]) / 2)
    assert well_mixed.topology is None


def test_one_game_is_a_plain_two_by_two_game():
    game = make_game("game_selection", {"n_agents": 10, "games": [[1.6, 0.4]]})
    np.testing.assert_allclose(game.type_matrix(), [[1.0, 0.4], [1.6, 0.0]])
    assert game.n_actions == 2 and game.metadata.cooperative_action == 0


@pytest.mark.parametrize(
    "graph",
    [
        {"kind": "random_regular", "degree": 4},
        {"kind": "erdos_renyi", "degree": 6, "seed": 1},  # no isolated nodes
        {"kind": "barabasi_albert", "degree": 4},
        {"kind": "watts_strogatz", "degree": 4, "rewiring": 0.2},
        {"kind": "lattice", "neighbourhood": "moore"},
    ],
)
def test_graph_kinds_run_with_neighbour_imitation(graph):
    game = make_game("game_selection", {"n_agents": 100, "games": GAMES, "graph": graph})
    degrees = game.topology.degrees
    assert degrees.sum() % 2 == 0 and degrees.mean() == pytest.approx(
        8.0 if graph["kind"] == "lattice" else graph["degree"], rel=0.25
    )
    assert degrees.min() > 0
    learner = make_learner(
        "proportional_imitation", {}, LearnerContext.for_game(game), np.random.default_rng(0)
    )
    sim = Simulation(
        game,
        [LearnerGroup(0, 100, learner)],
        make_mechanism("none", {}, game, np.random.default_rng(1)),
        np.random.default_rng(2),
    )
    sim.run(20)
    assert set(np.unique(learner.strategies)) <= {0, 1, 2, 3}


def test_large_well_mixed_population_follows_the_replicator_on_joint_types():
    n, steps, delta_max = 10_000, 200, 3.0
    game = make_game("game_selection", {"n_agents": n, "games": GAMES})
    learner = make_learner(
        "proportional_imitation",
        {"delta_max": delta_max, "initial": [0.1, 0.4, 0.3, 0.2]},
        LearnerContext.for_game(game),
        np.random.default_rng(0),
    )
    sim = Simulation(
        game,
        [LearnerGroup(0, n, learner)],
        make_mechanism("none", {}, game, np.random.default_rng(1)),
        np.random.default_rng(2),
    )
    shares = [np.bincount(learner.strategies, minlength=4) / n]
    for _ in range(steps):
        sim.run(1)
        shares.append(np.bincount(learner.strategies, minlength=4) / n)
    observed = np.array(shares)
    fitness = matrix_fitness(game.type_matrix())
    times = np.arange(steps + 1) / delta_max
    _, expected = integrate(lambda x: replicator(x, fitness), observed[0], times[-1], times)
    assert np.abs(observed - expected).mean(axis=0).max() < 0.02
    # rest point: PD defectors (type 1) and harmony cooperators (type 2) at 1:1, where
    # their payoffs 1.5·x2 and x2 + 0.5·x1 are equal; the other types die out
    np.testing.assert_allclose(expected[-1], [0.0, 0.5, 0.5, 0.0], atol=0.01)
    np.testing.assert_allclose(observed[-1], [0.0, 0.5, 0.5, 0.0], atol=0.03)


def test_bad_input_is_a_config_error():
    with pytest.raises(ConfigError, match="perfect square"):
        make_game("game_selection", {"n_agents": 50, "graph": {"kind": "lattice"}})
    with pytest.raises(ConfigError, match="degree"):
        make_game(
            "game_selection", {"n_agents": 5, "graph": {"kind": "random_regular", "degree": 5}}
        )
    with pytest.raises(ConfigError, match="even"):
        make_game(
            "game_selection", {"n_agents": 5, "graph": {"kind": "random_regular", "degree": 3}}
        )
    with pytest.raises(ConfigError, match="games"):
        make_game("game_selection", {"games": []})
    with pytest.raises(ConfigError, match="finite"):
        make_game("game_selection", {"games": [[float("inf"), 0.0]]})
    with pytest.raises(ConfigError, match="coupling"):
        make_game("game_selection", {"coupling": "host"})
    sparse = make_game(
        "game_selection", {"n_agents": 100, "graph": {"kind": "erdos_renyi", "degree": 1}}
    )
    assert sparse.topology.degrees.min() == 0
    with pytest.raises(ConfigError, match="isolated"):
        make_learner(
            "proportional_imitation", {}, LearnerContext.for_game(sparse), np.random.default_rng(0)
        )
    game = make_game("game_selection", {"n_agents": 10})
    with pytest.raises(ConfigError, match="games"):
        game.reconfigure(games=[[1.5, -0.5]])
    game.reconfigure(games=[[1.2, -0.1], [0.5, 0.5]])  # same number of games: allowed
    assert game.temptation[0] == 1.2
