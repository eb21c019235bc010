"""The throughput paths of the gridworld step (issue #17) keep the rules' meaning.

* Views are written into uninitialised memory: every element must be written (a buffer
  full of a sentinel value comes back holding only the views' 0/1 values).
* The regrowth neighbourhood is precomputed per game (``_dynamics.neighbour_table``): it
  must be the Euclidean disc of ``regrowth_radius`` around each apple cell, also after a
  mid-run ``reconfigure`` of the radius.
"""

from __future__ import annotations

import numpy as np
import pytest

from incentive_lab.core.seeding import make_rng
from incentive_lab.games.gridworld.maps import APPLE
from incentive_lab.games.gridworld.rules import STAY

from .helpers import N, arrange, game

GAMES = [
    ("coins", {"n_copies": 4}),
    ("coins", {"n_copies": 3, "preset": "small", "n_agents": 3, "view_size": 9}),
    ("harvest", {"n_copies": 4, "tag_timeout": 3, "zap_penalty": 1.0}),
    ("cleanup", {"n_copies": 4, "tag_timeout": 3, "dtype": "float32"}),
    ("harvest", {"n_copies": 70, "parallel": True, "dtype": "uint8"}),
]


@pytest.mark.parametrize(("game_id", "params"), GAMES)
def test_every_view_element_is_written(game_id, params):
    plain, poisoned = game(game_id, **params), game(game_id, **params)
    sentinel = 7

    def filled():  # instead of np.empty: memory full of the sentinel
        shape = (poisoned.n_agents, poisoned.view, poisoned.view, len(poisoned.features))
        return np.full(shape, sentinel, dtype=poisoned.params.dtype)

    poisoned._new_obs = filled
    assert (plain.observe() == poisoned.observe()).all()
    rng = np.random.default_rng(5)
    removed = 0
    for _ in range(25):
        a = rng.integers(plain.n_actions, size=plain.n_agents)
        x, y = plain.step(a).obs, poisoned.step(a).obs
        assert set(np.unique(y).tolist()) <= {0, 1}
        np.testing.assert_array_equal(x, y)
        removed += int((plain.state.timeout > 0).sum())
    if game_id != "coins":
        assert removed > 0  # the views of removed agents were drawn too


def _regrown(g, centre, radius):
    """Apple cells that regrow in one step around a single apple at ``centre``."""
    g.reconfigure(regrowth_radius=radius)
    spawn = g.grid.spawn
    arrange(g, 0, [(spawn[0, 0], spawn[0, 1], N), (spawn[1, 0], spawn[1, 1], N)], {centre: APPLE})
    g.step(np.full(g.n_agents, STAY))
    grown = np.argwhere(g.state.items[0] == APPLE)
    return {tuple(cell) for cell in grown.tolist()} - {centre}


def test_the_precomputed_neighbourhood_is_the_disc_of_the_current_radius():
    g = game("harvest", n_agents=2, regrowth_probabilities=[0.0, 1.0])
    g.reset(make_rng(1))
    spawn = {tuple(p) for p in g.grid.spawn[:2].tolist()}
    cells = [tuple(c) for c in g.grid.apple_cells.tolist()]
    # an apple cell with many apple cells around it and no spawn point near
    centre = max(
        (c for c in cells if all((c[0] - s[0]) ** 2 + (c[1] - s[1]) ** 2 > 16 for s in spawn)),
        key=lambda c: sum((c[0] - d[0]) ** 2 + (c[1] - d[1]) ** 2 <= 4 for d in cells),
    )
    sizes = []
    for radius in (2.0, 1.0, 1.5, 2.0):
        expected = {
            d
            for d in cells
            if d != centre and (d[0] - centre[0]) ** 2 + (d[1] - centre[1]) ** 2 <= radius**2
        }
        assert _regrown(g, centre, radius) == expected
        sizes.append(len(expected))
    assert sizes[1] < sizes[2] < sizes[0] == sizes[3]  # the radii make a difference here


COIN_KERNELS = [
    {"n_copies": 70},
    {"n_copies": 70, "preset": "small", "n_agents": 4, "coins": "per_player", "blocking": True},
]


@pytest.mark.parametrize("params", COIN_KERNELS)
def test_the_coin_game_kernels_serial_threaded_and_generic_agree(params):
    # ``coins`` steps with its own kernel (``_coins``), serial or threaded; the generic
    # kernels of every gridworld (``base.GridworldGame._step_kernels``) are the reference
    from incentive_lab.games.gridworld.base import GridworldGame

    serial = game("coins", **params, dtype="uint8")
    threaded = game("coins", **params, dtype="uint8", parallel=True)
    generic = game("coins", **params, dtype="uint8")
    generic._step_kernels = lambda actions: GridworldGame._step_kernels(generic, actions)
    assert threaded._threaded and not serial._threaded
    games = (serial, threaded, generic)
    rng = np.random.default_rng(11)
    episodes = 0
    for step in range(120):  # past two resets (episode_length 50)
        actions = rng.integers(serial.n_actions, size=serial.n_agents)
        results = [g.step(actions) for g in games]
        for other in results[1:]:
            np.testing.assert_array_equal(results[0].obs, other.obs)
            np.testing.assert_array_equal(results[0].rewards, other.rewards)
            assert results[0].info["metrics"] == other.info["metrics"]
        np.testing.assert_array_equal(serial.rewards_for(actions), threaded.rewards_for(actions))
        if results[0].truncated:
            episodes += 1
            for g in games:
                g.reset(make_rng(step))
    assert episodes == 2
