"""Cleanup rules by hand: the apple-spawn law of waste density, cleaning and penalty beams."""

from __future__ import annotations

import numpy as np
import pytest

from incentive_lab.games.gridworld._dynamics import apple_probability, waste_density
from incentive_lab.games.gridworld.maps import APPLE, NONE, WASTE
from incentive_lab.games.gridworld.rules import CLEAN, STAY, ZAP

from .helpers import E, N, W, actions, arrange, game, row

# the small map: river columns 1-3, floor 4-7, orchard 8-10, rows 1-6


def rules_of(g):
    return g.rule_arrays[1]


@pytest.mark.parametrize(
    ("density", "expected"),
    [(0.0, 0.05), (0.1, 0.0375), (0.2, 0.025), (0.3, 0.0125), (0.4, 0.0), (0.9, 0.0)],
)
def test_apple_spawn_falls_linearly_between_restoration_and_depletion(density, expected):
    g = game("cleanup", preset="small", n_agents=2)
    assert apple_probability(density, rules_of(g)) == pytest.approx(expected)


def test_restoration_threshold_keeps_the_maximal_rate_below_it():
    g = game("cleanup", preset="small", n_agents=2, restoration_threshold=0.1)
    assert apple_probability(0.05, rules_of(g)) == pytest.approx(0.05)
    assert apple_probability(0.25, rules_of(g)) == pytest.approx(0.05 * (1 - 0.15 / 0.3))


def pollute(g, copy, fraction):
    river = g.grid.river_cells
    k = round(fraction * len(river))
    for r, c in river[:k]:
        g.state.items[copy, r, c] = WASTE


def test_no_apple_grows_above_the_depletion_threshold():
    g = game("cleanup", preset="small", n_agents=2, n_copies=20, episode_length=10_000)
    for c in range(g.n_copies):
        arrange(g, c, [(1, 5, N), (2, 6, N)])
        pollute(g, c, 0.5)
    for _ in range(300):
        g.step(np.full(g.n_agents, STAY))
    assert (g.state.items == APPLE).sum() == 0
    # and no more waste appears once the river is that polluted
    densities = [waste_density(g.state.items[c], g.grid.river_cells) for c in range(g.n_copies)]
    assert densities == pytest.approx([0.5] * g.n_copies)


def test_apples_grow_at_the_maximal_rate_in_a_clean_river():
    g = game("cleanup", preset="small", n_agents=2, n_copies=400, waste_probability=0.0)
    for c in range(g.n_copies):
        arrange(g, c, [(1, 5, N), (2, 6, N)])
    g.step(np.full(g.n_agents, STAY))
    grown = (g.state.items == APPLE).sum()
    cells = len(g.grid.apple_cells) * g.n_copies  # 18 orchard cells, no agent on them
    expected, sd = 0.05 * cells, np.sqrt(0.05 * 0.95 * cells)
    assert abs(grown - expected) < 4 * sd


def test_waste_appears_in_clean_river_cells_only():
    g = game("cleanup", preset="small", n_agents=2, n_copies=200, apple_probability=0.0)
    for c in range(g.n_copies):
        arrange(g, c, [(1, 5, N), (2, 6, N)])
    g.step(np.full(g.n_agents, STAY))
    waste = g.state.items == WASTE
    assert waste.sum(axis=(1, 2)).max() == 1  # at most one cell a step
    assert abs(waste.sum() - 0.5 * g.n_copies) < 4 * np.sqrt(0.25 * g.n_copies)
    river = np.zeros(g.grid.shape, dtype=bool)
    river[tuple(g.grid.river_cells.T)] = True
    assert not (waste & ~river).any()


def test_the_cleaning_beam_removes_the_first_waste_on_each_ray():
    g = game("cleanup", preset="small", n_agents=2, waste_probability=0.0)
    # facing west from (2, 4): rays along rows 3, 2, 1 (right of west is north)
    waste = {(1, 2): WASTE, (1, 1): WASTE, (2, 3): WASTE, (3, 1): WASTE, (4, 3): WASTE}
    arrange(g, 0, [(2, 4, W), (6, 6, N)], waste)
    result = g.step(actions(g, [CLEAN, STAY]))
    items = g.state.items[0]
    assert items[1, 2] == NONE and items[1, 1] == WASTE  # the ray stops at its first waste
    assert items[2, 3] == NONE and items[3, 1] == NONE and items[4, 3] == WASTE
    assert g.totals.cleans[0].tolist() == [1, 0]
    assert result.rewards.tolist() == [0.0, 0.0]


def test_the_penalty_beam_costs_one_and_fines_fifty():
    g = game("cleanup", preset="small", n_agents=2)
    arrange(g, 0, [(2, 4, E), (2, 6, N)])
    result = g.step(actions(g, [ZAP, STAY]))
    assert result.rewards[row(g, 0)] == -1.0 and result.rewards[row(g, 1)] == -50.0
    assert g.state.timeout[0].tolist() == [0, 0]  # not removed by default


def test_cleaning_is_the_cooperative_action_and_its_share_is_reported():
    g = game("cleanup", preset="small", n_agents=2, episode_length=4)
    assert g.metadata.cooperative_action == CLEAN
    arrange(g, 0, [(2, 4, W), (6, 6, N)])
    for _ in range(4):
        result = g.step(actions(g, [CLEAN, STAY]))
    assert result.info["metrics"]["cleaning_share"] == pytest.approx(0.5)
