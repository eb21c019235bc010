"""The scripted bots behave as documented, and the ``scripted`` learner plays them."""

from __future__ import annotations

import numpy as np
import pytest

from incentive_lab.core import ConfigError, LearnerContext, make_game, make_learner
from incentive_lab.core.capabilities import Capability, provided
from incentive_lab.core.seeding import make_rng
from incentive_lab.games.gridworld.maps import APPLE, COIN, WASTE
from incentive_lab.games.gridworld.rules import (
    BACKWARD,
    CLEAN,
    FORWARD,
    STAY,
    STEP_LEFT,
    STEP_RIGHT,
    TURN_LEFT,
    TURN_RIGHT,
)

from .helpers import E, N, W, arrange, game, row


def bot(g, policy, player=0, copy=0, seed=0):
    rows = np.array([row(g, player, copy)])
    return int(g.scripted_policy.actions(policy, rows, make_rng(seed))[0])


def test_every_gridworld_offers_its_bots_under_generic_and_own_names():
    for game_id, names in (
        ("coins", ("own_colour", "any_colour")),
        ("harvest", ("sustainable", "greedy")),
        ("cleanup", ("cleaner", "harvester")),
    ):
        g = make_game(game_id, {})
        bots = provided(g, Capability.SCRIPTED_POLICY)
        assert (bots.cooperator, bots.defector) == names
        assert set(bots.policies) == {"cooperator", "defector", *names}


def test_the_own_colour_bot_avoids_the_other_coin_and_the_greedy_one_takes_it():
    g = game("coins", coins="per_player", blocking=False)
    # red at (1, 1): the blue coin just above, its own coin two cells below (through the torus
    # one cell up would also reach it only through the blue coin)
    arrange(g, 0, [(1, 1, N), (2, 2, N)], {(0, 1): COIN + 1, (1, 0): COIN + 0})
    assert bot(g, "own_colour") == STEP_LEFT
    assert bot(g, "any_colour") in (FORWARD, STEP_LEFT)
    arrange(g, 0, [(1, 1, N), (2, 2, N)], {(0, 1): COIN + 1, (0, 0): COIN + 0})
    for seed in range(10):  # never up onto the blue coin
        assert bot(g, "own_colour", seed=seed) != FORWARD


def test_the_sustainable_bot_leaves_the_last_apples_of_a_patch():
    g = game("harvest", preset="small", n_agents=2, sustainable_neighbours=3)
    # a patch of two apples east of player 0; a rich patch south-west, further away
    rich = {(4, 2): APPLE, (4, 3): APPLE, (4, 4): APPLE, (5, 3): APPLE, (3, 3): APPLE}
    arrange(g, 0, [(1, 5, E), (7, 1, N)], {(1, 7): APPLE, (2, 7): APPLE, **rich})
    assert bot(g, "greedy") == FORWARD  # the nearest apple
    for seed in range(5):  # heads south or west, to the rich patch
        assert bot(g, "sustainable", seed=seed) in (STEP_RIGHT, BACKWARD)
    arrange(g, 0, [(1, 5, E), (7, 1, N)], {(1, 7): APPLE, (2, 7): APPLE})
    assert bot(g, "sustainable") == STAY  # nothing it may eat


def test_the_cleaner_cleans_when_polluted_and_harvests_when_clean():
    g = game("cleanup", preset="small", n_agents=2, cleaner_threshold=0.2, cleaner_stop=0.05)
    river = g.grid.river_cells
    polluted = {tuple(c): WASTE for c in river[:9]}  # density 0.5
    arrange(g, 0, [(2, 4, W), (6, 9, N)], {**polluted, (1, 9): APPLE})
    assert bot(g, "cleaner") == CLEAN  # waste in its beam
    assert bot(g, "harvester") != CLEAN
    arrange(g, 0, [(2, 4, E), (6, 9, N)], {**polluted, (1, 9): APPLE})
    assert bot(g, "cleaner") in (TURN_LEFT, TURN_RIGHT)  # turns back towards the river
    arrange(g, 0, [(2, 4, W), (6, 9, N)], {(1, 9): APPLE})  # a clean river
    for seed in range(5):  # facing west, the apple is behind it and to its right
        assert bot(g, "cleaner", seed=seed) in (BACKWARD, STEP_RIGHT)


def test_the_cleaner_keeps_cleaning_until_the_stop_threshold():
    g = game("cleanup", preset="small", n_agents=2, cleaner_threshold=0.2, cleaner_stop=0.05)
    river = g.grid.river_cells
    arrange(g, 0, [(2, 4, W), (6, 9, N)], {tuple(c): WASTE for c in river[:9]})
    assert bot(g, "cleaner") == CLEAN  # above 0.2: starts
    arrange(g, 0, [(2, 4, W), (6, 9, N)], {(2, 3): WASTE, (1, 2): WASTE})  # 2/18 = 0.11
    assert bot(g, "cleaner") == CLEAN  # still cleaning: not yet down to 0.05
    fresh = game("cleanup", preset="small", n_agents=2, cleaner_threshold=0.2)
    arrange(fresh, 0, [(2, 4, W), (6, 9, N)], {(2, 3): WASTE, (1, 2): WASTE})
    assert bot(fresh, "cleaner") != CLEAN  # a cleaner that was not cleaning harvests


def test_tagged_out_bots_stay():
    g = game("harvest", preset="small", n_agents=2)
    g.state.timeout[0, 0] = 3
    assert bot(g, "greedy") == STAY


def test_the_scripted_learner_plays_the_bot_for_its_rows():
    g = game("cleanup", preset="small", n_agents=3, n_copies=2)
    context = LearnerContext.for_game(g, 2, 6)  # players 1 and 2 of both copies
    learner = make_learner("scripted", {"policy": "harvester"}, context, make_rng(1))
    expected = g.scripted_policy.actions("harvester", np.arange(2, 6), make_rng(1))
    np.testing.assert_array_equal(learner.act(None), expected)
    with pytest.raises(ConfigError, match=r"learner\.params\.policy"):
        make_learner("scripted", {"policy": "saint"}, context, make_rng(1))


def test_a_config_with_scripted_bots_on_a_game_without_them_is_refused():
    from incentive_lab.experiments.config.loading import load_config

    raw = {
        "name": "bots",
        "game": {"id": "prisoners_dilemma"},
        "learners": [{"id": "scripted"}],
        "steps": 5,
    }
    with pytest.raises(ConfigError, match="scripted_policy"):
        load_config(raw)
    raw["game"] = {"id": "cleanup", "params": {"preset": "small", "n_agents": 2}}
    load_config(raw)
