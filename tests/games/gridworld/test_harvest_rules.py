"""Harvest rules by hand on the small map: eating, density-dependent regrowth, tagging."""

from __future__ import annotations

import numpy as np

from incentive_lab.core.seeding import make_rng
from incentive_lab.games.gridworld._dynamics import regrow_apples
from incentive_lab.games.gridworld._observe import FEATURES
from incentive_lab.games.gridworld.maps import APPLE, NONE
from incentive_lab.games.gridworld.rules import FORWARD, STAY, ZAP, disc_offsets

from .helpers import E, N, actions, arrange, game, row

# the small map: row 1 is "@P     A      P@"; (1, 7) is an apple cell


def test_eating_an_apple_gives_one():
    g = game("harvest", preset="small", n_agents=2)
    arrange(g, 0, [(1, 6, E), (7, 1, N)], {(1, 7): APPLE})
    result = g.step(actions(g, [FORWARD, STAY]))
    assert result.rewards[row(g, 0)] == 1.0
    assert g.state.items[0, 1, 7] == NONE


def test_the_neighbourhood_is_the_euclidean_disc_of_radius_two():
    offsets = {tuple(o) for o in disc_offsets(2.0)}
    assert len(offsets) == 12 and (2, 0) in offsets and (1, 1) in offsets
    assert (2, 1) not in offsets and (0, 0) not in offsets


def test_regrowth_probability_is_chosen_by_the_apples_nearby():
    items = np.zeros((7, 7), dtype=np.int8)
    items[3, 1] = items[3, 5] = APPLE  # (3, 3) has 2 apples within distance 2
    count = np.zeros_like(items)
    cells = np.array([[3, 3]])
    offsets = disc_offsets(2.0)
    seed = np.uint64(1)
    for probabilities, grows in (([0, 0, 1.0, 0], True), ([0, 1.0, 0, 1.0], False)):
        grid = items.copy()
        regrow_apples(seed, grid, count, cells, offsets, np.array(probabilities), False)
        assert bool(grid[3, 3] == APPLE) is grows


def test_an_apple_cell_with_no_apple_nearby_never_regrows():
    g = game("harvest", preset="small", n_agents=2, n_copies=20, episode_length=10_000)
    for c in range(g.n_copies):
        arrange(g, c, [(1, 1, N), (1, 14, N)])  # every apple eaten
    for _ in range(500):
        g.step(np.full(g.n_agents, STAY))
    assert (g.state.items == APPLE).sum() == 0


def test_a_lone_apple_regrows_its_neighbours_only_with_positive_probability():
    # with p[1] = 1, the cells within distance 2 of a single apple regrow at once
    g = game("harvest", preset="small", n_agents=2, regrowth_probabilities=[0.0, 1.0])
    arrange(g, 0, [(1, 1, N), (1, 14, N)], {(5, 3): APPLE})
    g.step(actions(g, [STAY, STAY]))
    grown = {tuple(x) for x in np.argwhere(g.state.items[0] == APPLE)}
    apple_cells = {tuple(x) for x in g.grid.apple_cells}
    expected = {(5 + dr, 3 + dc) for dr, dc in disc_offsets(2.0)} & apple_cells | {(5, 3)}
    assert grown == expected


def test_a_tagged_agent_is_removed_for_the_time_out_and_its_view_says_so():
    g = game("harvest", preset="small", n_agents=2, tag_timeout=25, zap_penalty=0.0)
    arrange(g, 0, [(1, 2, E), (1, 4, N)])
    removed = FEATURES.index("removed")
    obs = g.step(actions(g, [ZAP, STAY])).obs
    victim = row(g, 1)
    assert g.state.timeout[0, 1] == 25 and g.state.count[0, 1, 4] == 0
    assert (obs[victim, ..., g.features.index(removed)] == 1).all()
    others = [k for k in range(len(g.features)) if g.features[k] != removed]
    assert (obs[victim][..., others] == 0).all()
    assert (obs[row(g, 0), ..., g.features.index(removed)] == 0).all()
    for _ in range(24):  # steps 2..25: still removed, its actions ignored
        obs = g.step(actions(g, [STAY, FORWARD])).obs
        assert g.state.timeout[0, 1] > 0
        assert (obs[victim, ..., g.features.index(removed)] == 1).all()
    obs = g.step(actions(g, [STAY, FORWARD])).obs  # step 26: respawned, not yet acting
    assert g.state.timeout[0, 1] == 0
    assert (g.state.row[0, 1], g.state.col[0, 1]) in {tuple(p) for p in g.grid.spawn}
    assert (obs[victim, ..., g.features.index(removed)] == 0).all()
    assert g.totals.tagged[0].tolist() == [0, 25]


def test_the_beam_costs_and_penalises_as_configured():
    g = game("harvest", preset="small", n_agents=2, zap_penalty=50.0, zap_cost=1.0, tag_timeout=0)
    arrange(g, 0, [(1, 2, E), (1, 4, N)])
    result = g.step(actions(g, [ZAP, STAY]))
    np.testing.assert_array_equal(result.rewards, [-1.0, -50.0])
    assert g.state.timeout[0].tolist() == [0, 0]


def test_walls_stop_the_beam():
    g = game("harvest", preset="small", n_agents=2, zap_penalty=50.0)
    arrange(g, 0, [(1, 1, N), (2, 1, N)])  # facing the wall, the other one behind
    assert g.step(actions(g, [ZAP, STAY])).rewards.tolist() == [0.0, 0.0]


def test_the_episode_reports_depletion_and_apples_remaining():
    g = game("harvest", preset="small", n_agents=2, episode_length=3)
    arrange(g, 0, [(1, 6, E), (7, 1, N)], {(1, 7): APPLE})
    for t in range(3):
        result = g.step(actions(g, [FORWARD if t == 0 else STAY, STAY]))
    metrics = result.info["metrics"]
    assert result.truncated and metrics["apples_remaining"] == 0.0
    assert metrics["depletion_time"] == 1.0
    g.reset(make_rng(1))
    assert g.t == 0 and g.totals.returns.sum() == 0
