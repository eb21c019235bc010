"""Registered games (+ mechanisms) as PettingZoo ParallelEnvs: hand-checked behaviour."""

from __future__ import annotations

import numpy as np
import pytest

from incentive_lab.core import ConfigError
from incentive_lab.interop import parallel_env

C, D = 0, 1


def play(env, joint: list[int]):
    return env.step({f"agent_{i}": a for i, a in enumerate(joint)})


def test_names_spaces_and_metadata() -> None:
    env = parallel_env("prisoners_dilemma", n_copies=3)
    assert env.possible_agents == [f"agent_{i}" for i in range(6)]
    assert env.observation_space("agent_0") is env.observation_space("agent_0")
    assert env.action_space("agent_5") is env.action_space("agent_5")
    assert env.action_space("agent_0").n == 2
    assert env.metadata["is_parallelizable"] is True
    assert env.metadata["name"] == "prisoners_dilemma"
    assert env.agents == []
    obs, infos = env.reset(seed=0)
    assert env.agents == env.possible_agents
    assert set(obs) == set(infos) == set(env.agents)


def test_pd_payoffs_without_mechanism() -> None:
    env = parallel_env("prisoners_dilemma")
    env.reset(seed=1)
    _, rewards, terms, truncs, infos = play(env, [C, D])
    assert rewards == {"agent_0": 0.0, "agent_1": 5.0}
    assert infos["agent_1"]["base_reward"] == 5.0
    assert infos["agent_0"]["transfer"] == 0.0 and infos["agent_0"]["cost"] == 0.0
    assert not any(terms.values()) and not any(truncs.values())


def test_action_tax_shapes_rewards_and_reports_transfers() -> None:
    # a fine of 2 on defection: (C, D) -> base (0, 5), transfers (0, -2), shaped (0, 3)
    env = parallel_env(
        "prisoners_dilemma", {"id": "action_tax", "params": {"taxes": [0.0, 2.0]}}, n_copies=2
    )
    env.reset(seed=0)
    _, rewards, _, _, infos = play(env, [C, D, D, D])
    assert rewards == {"agent_0": 0.0, "agent_1": 3.0, "agent_2": -1.0, "agent_3": -1.0}
    assert [infos[f"agent_{i}"]["base_reward"] for i in range(4)] == [0.0, 5.0, 1.0, 1.0]
    assert [infos[f"agent_{i}"]["transfer"] for i in range(4)] == [0.0, -2.0, -2.0, -2.0]
    assert infos["agent_0"]["cost"] == 6.0  # gross volume Σ|t|
    assert env.metadata["name"] == "prisoners_dilemma+action_tax"


def test_team_reward_gives_each_agent_its_copy_total() -> None:
    env = parallel_env("prisoners_dilemma", "team_reward", n_copies=2)
    env.reset(seed=0)
    _, rewards, _, _, infos = play(env, [C, D, C, C])
    assert rewards == {"agent_0": 5.0, "agent_1": 5.0, "agent_2": 6.0, "agent_3": 6.0}
    assert infos["agent_0"]["base_reward"] == 0.0 and infos["agent_0"]["cost"] == 0.0


def test_continuing_game_is_truncated_after_max_cycles() -> None:
    env = parallel_env("stag_hunt", max_cycles=7)
    env.reset(seed=0)
    for t in range(1, 8):
        _, _, terms, truncs, _ = play(env, [C, C])
        assert truncs == dict.fromkeys(["agent_0", "agent_1"], t == 7)
        assert not any(terms.values())
    assert env.agents == []
    assert env.step({}) == ({}, {}, {}, {}, {})
    env.reset()
    assert env.agents == ["agent_0", "agent_1"] and env.num_steps == 0


def test_default_max_cycles() -> None:
    assert parallel_env("harmony").max_cycles == 100
    assert parallel_env("harmony", episode_length=9).max_cycles == 9


def test_game_with_episode_length_ends_after_it() -> None:
    env = parallel_env("prisoners_dilemma", episode_length=3, memory=1)
    env.reset(seed=0)
    ended = []
    for _ in range(3):
        _, _, terms, truncs, _ = play(env, [D, C])
        ended.append(terms["agent_0"] or truncs["agent_0"])
    assert ended == [False, False, True]
    assert env.agents == []


def test_memory_observation_is_previous_joint_action() -> None:
    env = parallel_env("prisoners_dilemma", memory=1)
    env.reset(seed=0)
    first, *_ = play(env, [C, D])
    second, *_ = play(env, [C, D])
    assert first == second  # same history -> same observation
    other, *_ = play(env, [D, D])
    assert other["agent_0"] != first["agent_0"]
    assert all(env.observation_space(a).contains(o) for a, o in other.items())


def test_seed_makes_trajectory_deterministic() -> None:
    def trajectory(seed: int) -> list:
        env = parallel_env("matching_pennies", n_copies=4)
        env.reset(seed=seed)
        for i, agent in enumerate(env.possible_agents):
            env.action_space(agent).seed(100 + i)
        out = []
        for _ in range(10):
            actions = {a: env.action_space(a).sample() for a in env.agents}
            out.append((actions, env.step(actions)[1]))
        return out

    assert trajectory(3) == trajectory(3)


def test_state_and_render() -> None:
    env = parallel_env("chicken", n_copies=2, render_mode="ansi")
    env.reset(seed=0)
    state = env.state()
    assert state.shape == (4,) and env.state_space.contains(state)
    play(env, [C, D, D, D])
    text = env.render()
    assert "actions: [0, 1, 1, 1]" in text
    assert parallel_env("chicken").render() is None


def test_bad_input_names_the_field() -> None:
    with pytest.raises(ConfigError, match=r"game\.id"):
        parallel_env("prisoners_dilemmas")
    with pytest.raises(ConfigError, match="n_copies"):
        parallel_env("prisoners_dilemma", n_copies=0)
    with pytest.raises(ConfigError, match="mechanism"):
        parallel_env("prisoners_dilemma", {"name": "none"})
    with pytest.raises(ConfigError, match="taxes"):
        parallel_env("prisoners_dilemma", {"id": "action_tax", "params": {"taxes": [1.0]}})
    with pytest.raises(ConfigError, match="render_mode"):
        parallel_env("prisoners_dilemma", render_mode="human")
    env = parallel_env("prisoners_dilemma")
    env.reset(seed=0)
    with pytest.raises(ConfigError, match="agent_1"):
        env.step({"agent_0": 0})
    with pytest.raises(ConfigError, match="actions"):
        env.step({"agent_0": 0, "agent_1": 2})


def test_reset_with_seed_rebuilds_the_mechanism_stream() -> None:
    env = parallel_env("prisoners_dilemma", "svo")
    env.reset(seed=0)
    first = env.mechanism
    env.reset()
    assert env.mechanism is first  # unseeded reset keeps the mechanism and its state
    env.reset(seed=0)
    assert env.mechanism is not first
    np.testing.assert_equal(env.state(), np.zeros(2, dtype=np.int64))
