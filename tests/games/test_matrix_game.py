"""The ``matrix`` game and its preset ids: payoffs, equilibria, memory, copies, errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incentive_lab.core.errors import ConfigError
from incentive_lab.core.game import Game
from incentive_lab.core.registry import get, make_game
from incentive_lab.games.matrix import MatrixGame, MatrixParams, pure_equilibria
from incentive_lab.games.presets import greed_fear

C, D = 0, 1


def rng() -> np.random.Generator:
    return np.random.default_rng(0)


def test_pd_tensor_lookups() -> None:
    game = make_game("prisoners_dilemma", {"n_copies": 4})
    game.reset(rng())
    actions = np.array([C, C, C, D, D, C, D, D])
    result = game.step(actions)
    assert result.rewards.tolist() == [3, 3, 0, 5, 5, 0, 1, 1]
    assert game.copies.tolist() == [0, 0, 1, 1, 2, 2, 3, 3]
    assert game.welfare(actions) == 18.0


@pytest.mark.parametrize(
    ("preset", "equilibria"),
    [
        ("prisoners_dilemma", ((D, D),)),
        ("stag_hunt", ((C, C), (D, D))),
        ("chicken", ((C, D), (D, C))),
        ("harmony", ((C, C),)),
        ("matching_pennies", ()),
        ("battle_of_sexes", ((0, 0), (1, 1))),
    ],
)
def test_preset_equilibria(preset: str, equilibria: tuple[tuple[int, ...], ...]) -> None:
    assert make_game(preset).metadata.pure_equilibria == equilibria
    assert make_game("matrix", {"preset": preset}).metadata.pure_equilibria == equilibria


def test_preset_metadata() -> None:
    pd = make_game("prisoners_dilemma").metadata
    assert (pd.cooperative_action, pd.social_optimum, pd.nash_value) == (0, 3.0, 1.0)
    stag = make_game("stag_hunt").metadata
    assert (stag.social_optimum, stag.nash_value) == (3.0, 3.0)
    chicken = make_game("chicken").metadata
    assert chicken.nash_value == 3.0  # (C,D) pays (S,T) = (2,4)
    pennies = make_game("matching_pennies").metadata
    assert (pennies.cooperative_action, pennies.nash_value, pennies.social_optimum) == (
        None,
        None,
        0.0,
    )
    assert make_game("battle_of_sexes").metadata.cooperative_action is None
    assert make_game("matrix").metadata.cooperative_action == 0  # default preset is the PD
    assert get("game", "stag_hunt").metadata["cooperative_action"] == 0


def test_greed_fear_family() -> None:
    tensor = greed_fear(1.0, 1.0)
    assert tensor[C, C].tolist() == [3, 3] and tensor[D, D].tolist() == [1, 1]
    assert tensor[C, D].tolist() == [0, 4] and tensor[D, C].tolist() == [4, 0]
    game = make_game("matrix", {"preset": "greed_fear", "greed": 2.0, "fear": 1.0})
    assert np.array_equal(game.payoff_tensor, make_game("prisoners_dilemma").payoff_tensor)
    np.testing.assert_array_equal(make_game("stag_hunt").payoff_tensor, greed_fear(-1.0, 1.0))


def test_payoff_tensor_is_read_only() -> None:
    tensor = make_game("prisoners_dilemma").payoff_tensor
    assert tensor.shape == (2, 2, 2)
    with pytest.raises(ValueError):
        tensor[0, 0, 0] = 9.0


def test_three_player_custom_game() -> None:
    # player k's payoff encodes the joint action: a_0 + 2·a_1 + 4·a_2 + 10·k
    tensor = np.zeros((2, 2, 2, 3))
    for joint in np.ndindex(2, 2, 2):
        tensor[joint] = [joint[0] + 2 * joint[1] + 4 * joint[2] + 10 * k for k in range(3)]
    game = make_game("matrix", {"payoffs": tensor.tolist(), "n_copies": 2})
    assert game.n_agents == 6 and game.metadata.cooperative_action is None
    game.reset(rng())
    rewards = game.step(np.array([1, 0, 1, 0, 1, 1])).rewards
    assert rewards.tolist() == [5, 15, 25, 6, 16, 26]
    assert game.metadata.action_names == ("a0", "a1")


def test_memory_one_encoding_after_known_sequence() -> None:
    game = make_game("prisoners_dilemma", {"memory": 1})
    assert game.n_states == 4
    assert game.reset(rng()).tolist() == [0, 0]  # initial history: (C, C)
    # own action first: 2·own + other
    assert game.step(np.array([C, D])).obs.tolist() == [1, 2]
    assert game.step(np.array([D, D])).obs.tolist() == [3, 3]
    assert game.step(np.array([D, C])).obs.tolist() == [2, 1]


def test_memory_two_encoding_and_initial_action() -> None:
    game = make_game("prisoners_dilemma", {"memory": 2, "initial_action": D})
    assert game.n_states == 16
    assert game.reset(rng()).tolist() == [15, 15]  # (D,D),(D,D)
    game.step(np.array([C, D]))
    obs = game.step(np.array([C, C])).obs
    # digits oldest first: agent 0 saw (C,D) then (C,C) -> 1·4 + 0; agent 1 (D,C) then (C,C)
    assert obs.tolist() == [4, 8]


def test_memory_absolute_perspective() -> None:
    game = make_game("prisoners_dilemma", {"memory": 1, "perspective": "absolute"})
    game.reset(rng())
    assert game.step(np.array([C, D])).obs.tolist() == [1, 1]


def test_memory_zero_is_stateless() -> None:
    game = make_game("prisoners_dilemma", {"n_copies": 3})
    assert game.n_states == 1
    assert game.reset(rng()).tolist() == [0] * 6
    assert game.step(np.array([D] * 6)).obs.tolist() == [0] * 6


def test_copies_are_independent() -> None:
    game = make_game("prisoners_dilemma", {"n_copies": 3, "memory": 1})
    game.reset(rng())
    result = game.step(np.array([C, C, D, C, D, D]))
    assert result.rewards.tolist() == [3, 3, 5, 0, 1, 1]
    assert result.obs.tolist() == [0, 0, 2, 1, 3, 3]
    # changing copy 1 leaves copies 0 and 2 untouched
    rewards = game.rewards_for(np.array([C, C, C, C, D, D]))
    assert rewards[[0, 1, 4, 5]].tolist() == [3, 3, 1, 1]


def test_episode_length_truncates_and_reset_restores() -> None:
    game = make_game("stag_hunt", {"episode_length": 2, "memory": 1})
    game.reset(rng())
    assert not game.step(np.array([D, D])).truncated
    assert game.step(np.array([D, D])).truncated
    assert game.reset(rng()).tolist() == [0, 0]
    assert make_game("stag_hunt").max_steps is None


def test_counterfactuals_do_not_change_state() -> None:
    game = make_game("prisoners_dilemma", {"memory": 1})
    game.reset(rng())
    game.step(np.array([C, D]))
    game.rewards_for(np.array([D, D]))
    game.deviation(np.array([D, D]), np.array([C, C]))
    assert game.step(np.array([C, C])).obs.tolist() == [0, 0]


@settings(max_examples=40, deadline=None)
@given(
    n_players=st.integers(1, 3),
    n_actions=st.integers(1, 3),
    n_copies=st.integers(1, 4),
    seed=st.integers(0, 2**32 - 1),
)
def test_vectorised_deviation_equals_loop(
    n_players: int, n_actions: int, n_copies: int, seed: int
) -> None:
    gen = np.random.default_rng(seed)
    tensor = gen.normal(size=(n_actions,) * n_players + (n_players,))
    game = make_game("matrix", {"payoffs": tensor.tolist(), "n_copies": n_copies})
    actions = gen.integers(0, n_actions, game.n_agents)
    alternative = gen.integers(0, n_actions, game.n_agents)
    fast = game.deviation(actions, alternative)
    slow = Game.deviation(game, actions, alternative)
    np.testing.assert_allclose(fast.own, slow.own)
    np.testing.assert_allclose(fast.copy_welfare, slow.copy_welfare)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_pure_equilibria_match_brute_force(seed: int) -> None:
    gen = np.random.default_rng(seed)
    tensor = gen.integers(0, 3, size=(3, 3, 3, 3)).astype(float)
    found = set(pure_equilibria(tensor))
    for joint in np.ndindex(3, 3, 3):
        stable = all(
            tensor[joint][k] >= max(tensor[(*joint[:k], b, *joint[k + 1 :])][k] for b in range(3))
            for k in range(3)
        )
        assert (joint in found) == stable


def test_reconfigure_changes_payoffs_and_keeps_history() -> None:
    game = make_game("prisoners_dilemma", {"memory": 1})
    game.reset(rng())
    game.step(np.array([C, D]))
    game.reconfigure(preset="harmony")
    assert game.metadata.pure_equilibria == ((C, C),)
    result = game.step(np.array([D, C]))
    assert result.rewards.tolist() == [2, 2]
    assert result.obs.tolist() == [2, 1]
    with pytest.raises(ConfigError, match="n_copies"):
        game.reconfigure(n_copies=2)
    with pytest.raises(ConfigError, match="payoffs"):
        game.reconfigure(preset=None, payoffs=np.zeros((3, 3, 2)).tolist())
    assert game.params.preset == "harmony"  # a failed reconfigure leaves the rules alone


@pytest.mark.parametrize(
    ("params", "field", "text"),
    [
        ({"payoffs": [[[1, 2], [3, float("nan")]], [[1, 2], [3, 4]]]}, "payoffs", "finite"),
        ({"payoffs": [[[1, 2], [3, float("inf")]], [[1, 2], [3, 4]]]}, "payoffs", "finite"),
        ({"payoffs": [[1, 2], [3, 4]]}, "payoffs", r"\(A,\)\*N \+ \(N,\)"),
        ({"payoffs": [[[1, 2, 3], [3, 4, 5]], [[1, 2, 3], [3, 4, 5]]]}, "payoffs", "shape"),
        ({"payoffs": [[[1, 2], [3, 4]], [[1, 2], [3]]]}, "payoffs", "shape"),
        ({"payoffs": [[["a", 2], [3, 4]], [[1, 2], [3, 4]]]}, "payoffs", "numbers"),
        ({"preset": "prisoner_dilemma"}, "preset", "did you mean 'prisoners_dilemma'"),
        ({"preset": "stag_hunt", "payoffs": np.zeros((2, 2, 2))}, "preset", "not both"),
        ({"greed": 2.0}, "greed", "greed_fear"),
        ({"initial_action": 2}, "initial_action", r"0\.\.1"),
        ({"cooperative_action": 5}, "cooperative_action", r"0\.\.1"),
        ({"action_names": ["x"]}, "action_names", "2 names"),
        ({"n_copies": 0}, "n_copies", "greater than or equal"),
    ],
)
def test_bad_input_names_the_field(params: dict[str, object], field: str, text: str) -> None:
    with pytest.raises(ConfigError, match=rf"game\.params\.{field}: .*{text}"):
        make_game("matrix", params)


def test_preset_ids_reject_payoffs() -> None:
    with pytest.raises(ConfigError, match=r"game\.params\.payoffs"):
        make_game("prisoners_dilemma", {"payoffs": [[[0, 0]]]})


def test_numpy_payoffs_accepted() -> None:
    params = MatrixParams(payoffs=np.eye(2)[:, :, None].repeat(2, axis=2))
    assert MatrixGame(params).metadata.pure_equilibria == ((0, 0), (1, 1))


def test_describe_lists_the_payoffs() -> None:
    text = make_game("prisoners_dilemma").describe()
    assert "(cooperate, defect) -> (0, 5)" in text and "(defect, defect) -> (1, 1)" in text


def test_ten_thousand_pairs_step_fast() -> None:
    import time

    game = make_game("prisoners_dilemma", {"n_copies": 10_000})
    gen = rng()
    game.reset(gen)
    actions = gen.integers(0, 2, game.n_agents)
    start = time.perf_counter()
    for _ in range(200):
        game.step(actions)
    per_step = (time.perf_counter() - start) / 200
    assert per_step < 5e-3  # measured ~0.1 ms; generous bound for a shared machine
