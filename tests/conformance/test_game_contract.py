"""The ``core.game.Game`` contract, checked for every registered game.

Shapes and dtypes of ``reset``/``step``; counterfactual queries agree with the step that was
just played (``rewards_for``, ``welfare``, ``deviation`` and its vectorised override against
the base class's reference loop); seeded reproducibility; pickling mid-episode;
``describe()``; action validation.
"""

from __future__ import annotations

import pickle
from typing import Any

import numpy as np
import pytest
from gymnasium import spaces

from incentive_lab.core import ConfigError, Game, make_game, make_rng

from .conftest import Case, game_cases

CASES = game_cases()
parametrise = pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])


def build(case: Case) -> Game[Any]:
    return make_game(case.game_id, case.params)


def random_actions(game: Game[Any], rng: np.random.Generator) -> np.ndarray:
    return rng.integers(game.n_actions, size=game.n_agents, dtype=np.int64)


def check_obs(game: Game[Any], obs: Any) -> None:
    space = game.observation_space
    if isinstance(space, spaces.Discrete):
        assert obs.shape == (game.n_agents,) and obs.dtype == np.int64
    else:
        assert isinstance(space, spaces.Box)
        assert obs.shape == (game.n_agents, *space.shape) and obs.dtype == np.float64
    assert all(space.contains(o.astype(space.dtype)) for o in obs)


@parametrise
def test_reset_and_step_shapes(case: Case) -> None:
    game = build(case)
    assert game.n_agents >= 1 and game.n_actions >= 2
    assert game.copies.shape == (game.n_agents,) and game.copies.dtype == np.int64
    check_obs(game, game.reset(make_rng(0)))
    rng = make_rng(1)
    for _ in range(6):
        result = game.step(random_actions(game, rng))
        check_obs(game, result.obs)
        assert result.rewards.shape == (game.n_agents,) and result.rewards.dtype == np.float64
        assert np.all(np.isfinite(result.rewards))
        assert isinstance(result.terminated, bool) and isinstance(result.truncated, bool)
        for value in result.info.get("metrics", {}).values():
            assert np.isfinite(float(value))
        if result.terminated or result.truncated:
            game.reset(rng)


@parametrise
def test_counterfactuals_agree_with_the_step(case: Case) -> None:
    game = build(case)
    rng = make_rng(2)
    game.reset(rng)
    for _ in range(8):
        actions = random_actions(game, rng)
        result = game.step(actions)
        rewards = game.rewards_for(actions)
        if not game.metadata.stochastic:
            np.testing.assert_allclose(rewards, result.rewards, rtol=0, atol=1e-12)
        assert game.welfare(actions) == pytest.approx(rewards.sum(), abs=1e-9)
        same = game.deviation(actions, actions)
        np.testing.assert_allclose(same.own, rewards, atol=1e-12)
        np.testing.assert_allclose(same.copy_welfare, game.copy_welfare(rewards), atol=1e-9)
        alternative = random_actions(game, rng)
        fast = game.deviation(actions, alternative)
        reference = Game.deviation(game, actions, alternative)  # the base-class loop
        np.testing.assert_allclose(fast.own, reference.own, atol=1e-9)
        np.testing.assert_allclose(fast.copy_welfare, reference.copy_welfare, atol=1e-9)
        np.testing.assert_array_equal(game.rewards_for(actions), rewards)  # queries are pure
        if result.terminated or result.truncated:
            game.reset(rng)


def trajectory(game: Game[Any], seed: int, steps: int = 20) -> list[np.ndarray]:
    rng = make_rng(seed)
    out = [np.asarray(game.reset(rng)).copy()]
    actions_rng = make_rng(seed + 1)
    for _ in range(steps):
        result = game.step(random_actions(game, actions_rng))
        out += [result.obs.copy(), result.rewards.copy()]
        if result.terminated or result.truncated:
            out.append(np.asarray(game.reset(rng)).copy())
    return out


@parametrise
def test_seeded_reproducibility(case: Case) -> None:
    first, second = trajectory(build(case), 7), trajectory(build(case), 7)
    assert len(first) == len(second)
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a, b)


@parametrise
def test_pickle_mid_episode(case: Case) -> None:
    game = build(case)
    rng = make_rng(3)
    game.reset(rng)
    for _ in range(3):
        game.step(random_actions(game, rng))
    clone = pickle.loads(pickle.dumps(game))
    assert clone.params == game.params
    actions_rng = make_rng(4)
    for _ in range(5):
        actions = random_actions(game, actions_rng)
        a, b = game.step(actions), clone.step(actions)
        np.testing.assert_array_equal(a.obs, b.obs)
        np.testing.assert_array_equal(a.rewards, b.rewards)
        assert (a.terminated, a.truncated) == (b.terminated, b.truncated)


@parametrise
def test_describe_and_metadata(case: Case) -> None:
    game = build(case)
    text = game.describe()
    assert isinstance(text, str) and text.strip()
    meta = game.metadata
    if meta.cooperative_action is not None:
        assert 0 <= meta.cooperative_action < game.n_actions
    if meta.action_names:
        assert len(meta.action_names) == game.n_actions
    for equilibrium in meta.pure_equilibria:
        assert all(0 <= a < game.n_actions for a in equilibrium)


@parametrise
def test_bad_actions_are_rejected(case: Case) -> None:
    game = build(case)
    game.reset(make_rng(0))
    with pytest.raises(ConfigError, match="actions"):
        game.step(np.zeros(game.n_agents + 1, dtype=np.int64))
    with pytest.raises(ConfigError, match="actions"):
        game.step(np.full(game.n_agents, game.n_actions, dtype=np.int64))
