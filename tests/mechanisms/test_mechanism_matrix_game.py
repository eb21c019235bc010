"""Mechanisms on the library's N-player ``matrix`` game (random 3-player, 3-action tensor).

Counterfactual mechanisms go through the game's vectorised ``deviation``; each result is
compared with a naive reference that evaluates the clamped joint actions one by one.
"""

from __future__ import annotations

import numpy as np
import pytest

from incentive_lab.core.registry import ids, make_game, make_mechanism

pytestmark = pytest.mark.skipif("matrix" not in ids("game"), reason="matrix game missing")

N_PLAYERS, N_ACTIONS, N_COPIES = 3, 3, 20


@pytest.fixture(scope="module")
def setting():
    rng = np.random.default_rng(11)
    tensor = rng.integers(-4, 6, size=(N_ACTIONS,) * N_PLAYERS + (N_PLAYERS,)).astype(float)
    game = make_game("matrix", {"payoffs": tensor.tolist(), "n_copies": N_COPIES})
    game.reset(rng)
    actions = rng.integers(0, N_ACTIONS, size=game.n_agents)
    return game, actions, game.step(actions).rewards


def clamped_rewards(game, actions, c):
    """``[n, n]``: row i = rewards of the joint action with agent i clamped to ``c``."""
    rows = []
    for i in range(game.n_agents):
        changed = actions.copy()
        changed[i] = c
        rows.append(game.rewards_for(changed))
    return np.array(rows)


def adjust(setting, mechanism_id, params):
    game, actions, rewards = setting
    mechanism = make_mechanism(mechanism_id, params, game, np.random.default_rng(0))
    return mechanism.adjust(game, actions, rewards, {})


@pytest.mark.parametrize("c", range(N_ACTIONS))
def test_difference_rewards(setting, c):
    game, actions, rewards = setting
    counter = clamped_rewards(game, actions, c)
    copies = game.copies
    same = copies[:, None] == copies[None, :]
    expected = (same * rewards[None, :]).sum(1) - (same * counter).sum(1)
    out = adjust(setting, "difference_rewards", {"default_action": c})
    np.testing.assert_allclose(out.shaped_rewards, expected, atol=1e-12)


@pytest.mark.parametrize("c", range(N_ACTIONS))
@pytest.mark.parametrize("balanced", [False, True])
def test_pigouvian_tax(setting, c, balanced):
    game, actions, rewards = setting
    counter = clamped_rewards(game, actions, c)
    copies = game.copies
    others = (copies[:, None] == copies[None, :]) & ~np.eye(game.n_agents, dtype=bool)
    ext = (others * (rewards[None, :] - counter)).sum(1)
    out = adjust(setting, "pigouvian_tax", {"default_action": c, "budget_balanced": balanced})
    if balanced:
        ext = ext - np.repeat(ext.reshape(-1, N_PLAYERS).mean(1), N_PLAYERS)
        np.testing.assert_allclose(out.transfers.reshape(-1, N_PLAYERS).sum(1), 0.0, atol=1e-12)
    np.testing.assert_allclose(out.transfers, ext, atol=1e-12)
    np.testing.assert_allclose(out.shaped_rewards, rewards + ext, atol=1e-12)


def test_three_player_inequity_aversion(setting):
    _, _, rewards = setting
    grid = rewards.reshape(-1, N_PLAYERS)
    diff = grid[:, None, :] - grid[:, :, None]  # diff[k, i, j] = R_j - R_i
    envy = np.maximum(diff, 0).sum(2).reshape(-1)
    guilt = np.maximum(-diff, 0).sum(2).reshape(-1)
    out = adjust(setting, "inequity_aversion", {"alpha": 0.8, "beta": 0.3})
    expected = rewards - (0.8 * envy + 0.3 * guilt) / (N_PLAYERS - 1)
    np.testing.assert_allclose(out.shaped_rewards, expected, atol=1e-12)


def test_three_player_team_svo_and_mutual_welfare(setting):
    _, _, rewards = setting
    grid = rewards.reshape(-1, N_PLAYERS)
    total = np.repeat(grid.sum(1), N_PLAYERS)
    team = adjust(setting, "team_reward", {})
    np.testing.assert_allclose(team.shaped_rewards, total)
    svo = adjust(setting, "svo", {"angle": 90.0})
    np.testing.assert_allclose(svo.shaped_rewards, (total - rewards) / (N_PLAYERS - 1))
    gains = np.clip(grid + 5.0, 0.0, None)  # rewards >= -4 > d = -5: every gain positive
    welfare = adjust(setting, "mutual_welfare", {"disagreement": -5.0})
    np.testing.assert_allclose(
        welfare.shaped_rewards, np.repeat(np.prod(gains, 1) ** (1 / N_PLAYERS), N_PLAYERS)
    )


def test_action_tax_table(setting):
    game, actions, _ = setting
    taxes = [0.5, -1.0, 2.0]
    out = adjust(setting, "action_tax", {"taxes": taxes})
    np.testing.assert_allclose(out.transfers, -np.array(taxes)[actions])
    with pytest.raises(ValueError, match="length 3"):
        make_mechanism("action_tax", {"taxes": [0.0, 1.0]}, game, None)
