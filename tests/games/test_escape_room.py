"""Escape room ER(N, M): hand-computed steps and the optimal team return by brute force."""

from __future__ import annotations

import itertools
from functools import cache

import numpy as np
import pytest

from incentive_lab.core import ConfigError, make_game
from incentive_lab.games.escape_room import (
    DOOR,
    LEVER,
    START,
    best_team_return,
    escape_rewards,
)


def game(n: int = 2, m: int = 1):
    g = make_game("escape_room", {"n_agents": n, "m_required": m})
    g.reset(np.random.default_rng(0))
    return g


def test_lever_and_door_in_one_step_is_nine():
    g = game()
    result = g.step(np.array([LEVER, DOOR]))
    np.testing.assert_array_equal(result.rewards, [-1.0, 10.0])
    assert result.terminated and not result.truncated
    assert result.obs[0] == result.obs[1] == LEVER * 3 + DOOR


def test_door_without_lever_costs_a_move_and_does_not_end():
    g = game()
    result = g.step(np.array([DOOR, DOOR]))
    np.testing.assert_array_equal(result.rewards, [-1.0, -1.0])
    assert not result.terminated
    # staying is free; the door opens from a lever pulled in the same step
    result = g.step(np.array([LEVER, DOOR]))
    np.testing.assert_array_equal(result.rewards, [-1.0, 10.0])
    assert result.terminated


def test_staying_is_free_and_episode_truncates_after_five_steps():
    g = game()
    for t in range(5):
        result = g.step(np.array([START, START]))
        np.testing.assert_array_equal(result.rewards, [0.0, 0.0])
        assert result.truncated is (t == 4)
        assert not result.terminated


def test_er32_needs_two_at_the_lever():
    g = game(3, 2)
    result = g.step(np.array([LEVER, DOOR, DOOR]))
    np.testing.assert_array_equal(result.rewards, [-1.0, -1.0, -1.0])
    assert not result.terminated
    g.reset(np.random.default_rng(0))
    result = g.step(np.array([LEVER, LEVER, DOOR]))
    assert result.rewards.sum() == 8.0 and result.terminated


def test_rewards_for_uses_the_last_steps_positions():
    g = game()
    first = g.step(np.array([DOOR, START]))
    # counterfactuals are played from (start, start), where the last step was played
    np.testing.assert_array_equal(g.rewards_for(np.array([DOOR, START])), first.rewards)
    np.testing.assert_array_equal(g.rewards_for(np.array([DOOR, LEVER])), [10.0, -1.0])
    g.step(np.array([DOOR, START]))  # now from (door, start): staying at the door is free
    np.testing.assert_array_equal(g.rewards_for(np.array([DOOR, START])), [0.0, 0.0])


@cache
def optimal_value(positions: tuple[int, ...], steps_left: int, m: int) -> float:
    """Best team return from ``positions`` with ``steps_left`` steps (exhaustive search)."""
    if steps_left == 0:
        return 0.0
    n = len(positions)
    best = -np.inf
    for joint in itertools.product(range(3), repeat=n):
        rewards, done = escape_rewards(np.array(positions), np.array(joint), m)
        value = rewards.sum() + (0.0 if done else optimal_value(joint, steps_left - 1, m))
        best = max(best, value)
    return float(best)


@pytest.mark.parametrize(("n", "m", "expected"), [(2, 1, 9.0), (3, 2, 8.0), (3, 1, 19.0)])
def test_best_team_return_by_exhaustive_search(n, m, expected):
    assert optimal_value((START,) * n, 5, m) == expected == best_team_return(n, m)
    assert game(n, m).metadata.social_optimum == pytest.approx(expected / n)


def test_every_action_sequence_of_er21_through_the_game():
    """All 9^2 two-step joint plans played through ``step``: the best episode return is 9."""
    best = -np.inf
    for plan in itertools.product(itertools.product(range(3), repeat=2), repeat=2):
        g = game()
        total = 0.0
        for joint in plan:
            result = g.step(np.array(joint))
            total += result.rewards.sum()
            if result.terminated:
                break
        best = max(best, total)
    assert best == 9.0


def test_selfish_best_response_never_pulls_the_lever():
    """From the start, the lever is strictly worse for the puller than staying."""
    for other in range(3):
        lever, _ = escape_rewards(np.array([START, START]), np.array([LEVER, other]), 1)
        stay, _ = escape_rewards(np.array([START, START]), np.array([START, other]), 1)
        assert lever[0] < stay[0]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"n_agents": 2, "m_required": 2}, "m_required"),
        ({"n_agents": 1}, "n_agents"),
        ({"n_agents": 3, "max_steps": 0}, "max_steps"),
    ],
)
def test_bad_parameters_are_named(params, field):
    with pytest.raises(ConfigError, match=rf"game\.params\.{field}"):
        make_game("escape_room", params)


def test_observation_encodes_all_positions():
    g = game(3, 2)
    obs = g.reset(np.random.default_rng(0))
    assert obs.tolist() == [13, 13, 13] and g.observation_space.n == 27
    result = g.step(np.array([LEVER, START, DOOR]))
    assert result.obs.tolist() == [0 * 9 + 1 * 3 + 2] * 3
    assert g.encode(g.positions) == result.obs[0]
