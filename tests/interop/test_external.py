"""External PettingZoo ParallelEnvs as games in our rollout (GameFromParallelEnv)."""

from __future__ import annotations

import functools
import pickle
from typing import Any

import numpy as np
import pytest
from gymnasium import spaces
from pettingzoo import ParallelEnv

from incentive_lab.core import ConfigError, LearnerContext, make_learner, make_mechanism, make_rng
from incentive_lab.interop import GameFromParallelEnv, from_parallel_env, parallel_env
from incentive_lab.rollout import LearnerGroup, Simulation, StepRecord

# A coordination game written the way a PettingZoo user writes one (no incentive_lab code):
# three players choose 0/1; each earns the number of others who chose the same action.
# Observations are Box: the previous joint action (float32, shape (3,)).


class CoordinationEnv(ParallelEnv[str, np.ndarray, int]):
    metadata = {"name": "coordination_v0", "render_modes": []}

    def __init__(self, max_cycles: int = 10) -> None:
        self.possible_agents = [f"player_{i}" for i in range(3)]
        self.agents: list[str] = []
        self.max_cycles = max_cycles
        self.render_mode = None

    @functools.cache  # noqa: B019
    def observation_space(self, agent: str) -> spaces.Box:
        return spaces.Box(0.0, 1.0, shape=(3,), dtype=np.float32)

    @functools.cache  # noqa: B019
    def action_space(self, agent: str) -> spaces.Discrete:
        return spaces.Discrete(2)

    def reset(self, seed: int | None = None, options: Any = None) -> Any:
        self.agents = self.possible_agents[:]
        self.t = 0
        self.seed_seen = seed
        obs = np.zeros(3, dtype=np.float32)
        return {a: obs.copy() for a in self.agents}, {a: {} for a in self.agents}

    def step(self, actions: dict[str, int]) -> Any:
        self.t += 1
        joint = np.array([actions[a] for a in self.possible_agents])
        same = (joint[:, None] == joint[None, :]).sum(axis=1) - 1
        obs = joint.astype(np.float32)
        rewards = {a: float(same[i]) for i, a in enumerate(self.possible_agents)}
        done = self.t >= self.max_cycles
        agents = self.agents
        out = (
            {a: obs.copy() for a in agents},
            rewards,
            dict.fromkeys(agents, False),
            dict.fromkeys(agents, done),
            {a: {} for a in agents},
        )
        if done:
            self.agents = []
        return out


def q_learners(game: Any, seed: int, **params: Any) -> list[LearnerGroup]:
    context = LearnerContext(
        agents=np.arange(game.n_agents, dtype=np.int64),
        n_actions=game.n_actions,
        observation_space=game.observation_space,
        population_size=game.n_agents,
    )
    learner = make_learner("q_learning", params, context, make_rng(seed))
    return [LearnerGroup(0, game.n_agents, learner)]


class Keep:
    def __init__(self) -> None:
        self.records: list[StepRecord] = []

    def record(self, record: StepRecord) -> None:
        self.records.append(record)


def test_box_env_shapes_and_episode_ends() -> None:
    game = GameFromParallelEnv(CoordinationEnv(max_cycles=4))
    assert (game.n_agents, game.n_actions) == (3, 2)
    assert isinstance(game.observation_space, spaces.Box)
    obs = game.reset(make_rng(0))
    assert obs.shape == (3, 3) and obs.dtype == np.float64
    ends = []
    for _ in range(4):
        result = game.step(np.array([1, 1, 0]))
        # agents 0 and 1 match each other, agent 2 matches nobody
        np.testing.assert_array_equal(result.rewards, [1.0, 1.0, 0.0])
        np.testing.assert_array_equal(result.obs, np.tile([1.0, 1.0, 0.0], (3, 1)))
        ends.append((result.terminated, result.truncated))
    assert ends == [(False, False)] * 3 + [(False, True)]


def test_reset_seed_comes_from_rng() -> None:
    env_a, env_b = CoordinationEnv(), CoordinationEnv()
    GameFromParallelEnv(env_a).reset(make_rng(5))
    GameFromParallelEnv(env_b).reset(make_rng(5))
    assert env_a.seed_seen == env_b.seed_seen is not None


def test_counterfactuals_raise_clearly() -> None:
    game = from_parallel_env(CoordinationEnv())
    game.reset(make_rng(0))
    with pytest.raises(NotImplementedError, match="counterfactual"):
        game.rewards_for(np.zeros(3, dtype=np.int64))
    with pytest.raises(NotImplementedError):
        game.welfare(np.zeros(3, dtype=np.int64))
    assert "coordination_v0" in game.describe()


def test_mixed_action_spaces_are_rejected() -> None:
    env = CoordinationEnv()
    env.action_space = lambda agent: spaces.Discrete(3 if agent == "player_2" else 2)  # type: ignore[method-assign]
    with pytest.raises(ConfigError, match="action_space"):
        GameFromParallelEnv(env)
    env.action_space = lambda agent: spaces.Box(0, 1, shape=(1,))  # type: ignore[method-assign]
    with pytest.raises(ConfigError, match="Discrete"):
        GameFromParallelEnv(env)


def test_box_env_runs_in_simulation_with_team_reward() -> None:
    # tabular q_learning needs discrete states, so drive the Box env with fixed learners
    game = GameFromParallelEnv(CoordinationEnv(max_cycles=5))
    context = LearnerContext(
        agents=np.arange(3, dtype=np.int64),
        n_actions=2,
        observation_space=game.observation_space,
        population_size=3,
    )
    fixed = make_learner("fixed", {"action": 0}, context, make_rng(0))
    mechanism = make_mechanism("team_reward", {}, game, make_rng(1))
    keep = Keep()
    simulation = Simulation(game, [LearnerGroup(0, 3, fixed)], mechanism, make_rng(2))
    simulation.run(12, keep)
    assert simulation.episodes == 2
    for record in keep.records:
        np.testing.assert_array_equal(record.base_rewards, [2.0, 2.0, 2.0])
        np.testing.assert_array_equal(record.shaped_rewards, [6.0, 6.0, 6.0])


def test_round_trip_pd_through_pettingzoo_into_simulation() -> None:
    # our game -> ParallelEnv -> GameFromParallelEnv -> Simulation with q_learning
    env = parallel_env("prisoners_dilemma", n_copies=3, max_cycles=50)
    game = GameFromParallelEnv(env)
    assert (game.n_agents, game.n_actions) == (6, 2)
    keep = Keep()
    groups = q_learners(game, seed=3, alpha=0.1, epsilon=0.1)
    mechanism = make_mechanism("none", {}, game, make_rng(4))
    Simulation(game, groups, mechanism, make_rng(5)).run(120, keep)
    assert len(keep.records) == 120
    assert sum(r.episode_end for r in keep.records) == 2  # truncated every 50 steps
    # the base rewards are the PD payoffs of the actions actually played, pair by pair
    payoff = np.array([[3.0, 0.0], [5.0, 1.0]])  # row player's payoff
    for record in keep.records:
        a = record.actions.reshape(3, 2)
        expected = np.stack([payoff[a[:, 0], a[:, 1]], payoff[a[:, 1], a[:, 0]]], axis=1)
        np.testing.assert_array_equal(record.base_rewards, expected.reshape(-1))


def test_round_trip_is_reproducible_and_picklable() -> None:
    def run(seed: int) -> np.ndarray:
        game = GameFromParallelEnv(parallel_env("prisoners_dilemma", n_copies=2))
        keep = Keep()
        groups = q_learners(game, seed=seed)
        simulation = Simulation(
            game, groups, make_mechanism("none", {}, game, make_rng(0)), make_rng(seed)
        )
        simulation.run(30, keep)
        clone = pickle.loads(pickle.dumps(simulation))
        simulation.run(10, keep)
        clone_keep = Keep()
        clone.run(10, clone_keep)
        np.testing.assert_array_equal(
            np.stack([r.actions for r in keep.records[-10:]]),
            np.stack([r.actions for r in clone_keep.records]),
        )
        return np.stack([r.actions for r in keep.records])

    np.testing.assert_array_equal(run(11), run(11))


def test_rps_from_pettingzoo_classic() -> None:
    pytest.importorskip("pygame")  # pettingzoo.classic imports pygame for rendering
    from pettingzoo.classic import rps_v2

    game = GameFromParallelEnv(rps_v2.parallel_env(max_cycles=25))
    assert (game.n_agents, game.n_actions) == (2, 3)
    assert isinstance(game.observation_space, spaces.Discrete)
    keep = Keep()
    groups = q_learners(game, seed=1)
    mechanism = make_mechanism("none", {}, game, make_rng(2))
    Simulation(game, groups, mechanism, make_rng(3)).run(100, keep)
    beats = {(1, 0), (2, 1), (0, 2)}  # paper beats rock, scissors beats paper, rock beats scissors
    for record in keep.records:
        a0, a1 = record.actions.tolist()
        expected = 1.0 if (a0, a1) in beats else -1.0 if (a1, a0) in beats else 0.0
        np.testing.assert_array_equal(record.base_rewards, [expected, -expected])
    assert sum(r.episode_end for r in keep.records) == 4
