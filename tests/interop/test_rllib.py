"""``interop.rllib``: the RLlib ``MultiAgentEnv`` contract, equality with our own rollout,
and a tiny RLlib PPO run whose results carry our metrics.

Skipped, with the reason printed by ``pytest -ra``, when ``ray.rllib`` is not importable
(``ray[rllib]`` is the optional ``rllib`` extra: it pins gymnasium 1.2.2 and is not in
``dev``).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip(
    "ray.rllib",
    reason="ray.rllib is not importable: pip install -e '.[rllib]' to run these tests",
)

from incentive_lab.core import LearnerContext, make_game, make_learner, make_mechanism
from incentive_lab.core.errors import ConfigError
from incentive_lab.core.seeding import spawn_rngs
from incentive_lab.evaluation.recorder import WindowRecorder
from incentive_lab.interop.rllib import (
    EPISODE_KEY,
    IncentiveMultiAgentEnv,
)
from incentive_lab.rollout import LearnerGroup, Simulation, StepRecord

T = 30
COINS = {"preset": "small", "n_copies": 2, "episode_length": T, "dtype": "float32"}
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "rllib_coins_team_reward.py"


class Both:
    """Keep every step's joint action and pass the record on to a window recorder."""

    def __init__(self, window: WindowRecorder) -> None:
        self.window = window
        self.actions: list[np.ndarray] = []

    def record(self, record: StepRecord) -> None:
        self.actions.append(np.array(record.actions, copy=True))
        self.window.record(record)


def our_rollout(seed: int, mechanism: str) -> tuple[dict[str, float], list[np.ndarray]]:
    """One episode of ``coins`` in ``rollout.Simulation`` with uniformly random actions.

    Game and mechanism get the generators the env's ``reset(seed=seed)`` spawns.
    """
    game = make_game("coins", COINS)
    game_rng, mechanism_rng = spawn_rngs(seed, 2)
    policy_rng = np.random.default_rng([seed, 99])
    uniform = {"probs": [1.0 / game.n_actions] * game.n_actions}
    learner = make_learner("fixed", uniform, LearnerContext.for_game(game), policy_rng)
    sim = Simulation(
        game,
        [LearnerGroup(0, game.n_agents, learner)],
        make_mechanism(mechanism, {}, game, mechanism_rng),
        game_rng,
    )
    recorder = Both(WindowRecorder(game.n_agents, T, None))
    sim.run(T, recorder)
    metrics = {name: value for _, name, value in recorder.window.rows}
    return metrics, recorder.actions


@pytest.mark.parametrize("seed", [0, 1, 7])
@pytest.mark.parametrize("mechanism", ["none", "team_reward"])
def test_episode_return_equals_our_rollout(seed: int, mechanism: str) -> None:
    ours, actions = our_rollout(seed, mechanism)
    env = IncentiveMultiAgentEnv({"game": "coins", "params": COINS, "mechanism": mechanism})
    n = len(env.possible_agents)
    env.reset(seed=seed)
    episode_return = 0.0
    for t, joint in enumerate(actions):
        _, rewards, terminated, truncated, infos = env.step(
            {agent: int(a) for agent, a in zip(env.possible_agents, joint, strict=True)}
        )
        episode_return += sum(rewards.values())
        assert truncated["__all__"] is (t == T - 1)
        assert terminated["__all__"] is False
    summary = infos["agent_0"][EPISODE_KEY]
    # RLlib's episode return is the sum of the rewards it was given: the shaped rewards
    assert summary["shaped_return"] == pytest.approx(episode_return, abs=1e-9)
    assert episode_return == pytest.approx(ours["mean_shaped_reward"] * n * T, abs=1e-9)
    assert summary["base_return"] == pytest.approx(ours["social_welfare"] * T, abs=1e-9)
    assert summary["own_coin_rate"] == pytest.approx(ours["own_coin_rate"], abs=1e-12)
    assert summary["efficiency"] == pytest.approx(ours["efficiency"], abs=1e-12)
    assert summary["length"] == T
    if mechanism == "team_reward":  # each of 2 players is paid its copy's total
        assert episode_return == pytest.approx(2 * summary["base_return"], abs=1e-9)


def test_multi_agent_env_contract() -> None:
    from ray.rllib.utils.pre_checks.env import check_multiagent_environments

    env = IncentiveMultiAgentEnv({"game": "coins", "params": COINS, "mechanism": "team_reward"})
    check_multiagent_environments(env)  # RLlib's own checker: raises on a broken contract
    assert env.possible_agents == [f"agent_{i}" for i in range(4)]
    assert set(env.observation_spaces) == set(env.action_spaces) == set(env.possible_agents)
    obs, infos = env.reset(seed=3)
    assert set(obs) == set(env.agents) == set(env.possible_agents)
    assert all(env.observation_spaces[a].contains(o) for a, o in obs.items())
    rng = np.random.default_rng(0)
    for t in range(T):
        step = env.step({a: int(rng.integers(env.action_spaces[a].n)) for a in env.agents})
        infos = step[4]
        assert (EPISODE_KEY in infos["agent_0"]) is (t == T - 1)
    assert env.agents == []
    obs, _ = env.reset()  # a new episode continues the streams
    assert set(obs) == set(env.possible_agents)


def test_same_seed_same_trajectory_and_a_matrix_game() -> None:
    config = {
        "game": "prisoners_dilemma",
        "mechanism": {"id": "action_tax", "params": {"taxes": [0.0, 1.0]}},
        "max_cycles": 5,
    }
    runs = []
    for _ in range(2):
        env = IncentiveMultiAgentEnv(config)
        env.reset(seed=11)
        rewards = [env.step({"agent_0": 1, "agent_1": 0})[1] for _ in range(5)]
        runs.append(rewards)
    assert runs[0] == runs[1]
    assert env.agents == []  # every agent ends together after max_cycles


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ({"game": "coins", "mechansim": "none"}, "env_config"),
        ({"params": {}}, "env_config.game"),
        ({"game": "coins", "params": [1]}, "env_config.params"),
    ],
)
def test_bad_env_config_is_one_config_error(config: dict[str, Any], field: str) -> None:
    with pytest.raises(ConfigError) as error:
        IncentiveMultiAgentEnv(config)
    assert error.value.field == field


def test_example_trains_and_reports_our_metrics() -> None:
    """The documented example on a tiny budget: 1 iteration of 100 env steps (2 episodes)."""
    spec = importlib.util.spec_from_file_location("rllib_example", EXAMPLE)
    assert spec is not None and spec.loader is not None
    example = importlib.util.module_from_spec(spec)
    sys.modules["rllib_example"] = example
    spec.loader.exec_module(example)
    import ray

    ray.init(num_cpus=1, include_dashboard=False, log_to_driver=False, ignore_reinit_error=True)
    config = example.build_config(
        {**example.ENV_CONFIG, "params": {**example.ENV_CONFIG["params"], "episode_length": 25}},
        seed=0,
        batch=100,
        minibatch=50,
    )
    algo = config.build_algo()
    try:
        runners = algo.train()["env_runners"]
    finally:
        algo.stop()
        ray.shutdown()
    ours = runners[EPISODE_KEY]
    assert {"own_coin_rate", "base_return", "shaped_return", "length"} <= set(ours)
    assert ours["length"] == 25
    # RLlib's mean episode return over the same episodes is our shaped return
    assert runners["episode_return_mean"] == pytest.approx(ours["shaped_return"], rel=1e-6)
    # team_reward with 2 players: each is paid the copy's total
    assert ours["shaped_return"] == pytest.approx(2 * ours["base_return"], rel=1e-6)
