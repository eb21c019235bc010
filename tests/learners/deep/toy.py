"""Test-only games for the deep learners: a two-armed bandit and a corridor.

* :class:`Bandit` — one-step episodes (every step ``terminated``), one observation, two
  arms paying Bernoulli(0.3) and Bernoulli(0.7): the optimal policy pulls arm 1.
* :class:`Corridor` — ``n_copies`` copies of ``players`` agents, each in its own lane of
  ``length`` cells, starting at cell 0; action 1 moves right, 0 left (walls clip). Entering
  the last cell pays 1 and sends the agent back to cell 0. Episodes are truncated after
  ``episode_length`` steps. The optimal policy always moves right (``⌊T/(L−1)⌋`` per
  episode); a random walk rarely reaches the end. Observations: the one-hot position
  (``flat``) or a ``[3, length, 2]`` image (``image``: the agent in plane 0, the goal in
  plane 1, on the middle row). Offers ``global_state``: ``[n_copies, players, length]``, the
  one-hot positions of every player of the copy.
* :class:`Cue` — a one-step memory task (a cue, then a blank on which the cue must be
  recalled) that no memoryless policy solves.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from gymnasium import spaces
from pydantic import Field

from incentive_lab.core.capabilities import Capability
from incentive_lab.core.game import Game, GameMetadata, StepResult
from incentive_lab.core.params import Params
from incentive_lab.core.types import Actions, IntArray, Obs, Rewards


class BanditParams(Params):
    n_copies: int = Field(8, ge=1)


class Bandit(Game[BanditParams]):
    metadata = GameMetadata(stochastic=True)

    def __init__(self, params: BanditParams) -> None:
        super().__init__(params)
        self.n_agents = params.n_copies
        self.n_actions = 2
        self.observation_space = spaces.Discrete(1)
        self.max_steps = 1
        self.p = np.array([0.3, 0.7])
        self.rng = np.random.default_rng(0)

    @property
    def copies(self) -> IntArray:
        return np.arange(self.n_agents, dtype=np.int64)

    def reset(self, rng: np.random.Generator) -> Obs:
        self.rng = rng
        return np.zeros(self.n_agents, dtype=np.int64)

    def rewards_for(self, actions: Actions) -> Rewards:
        return self.p[actions]

    def step(self, actions: Actions) -> StepResult:
        rewards = (self.rng.random(self.n_agents) < self.p[actions]).astype(np.float64)
        return StepResult(np.zeros(self.n_agents, dtype=np.int64), rewards, terminated=True)


class CorridorParams(Params):
    n_copies: int = Field(8, ge=1)
    players: int = Field(1, ge=1)
    length: int = Field(5, ge=2)
    episode_length: int = Field(12, ge=1)
    format: Literal["flat", "image"] = "flat"


class Corridor(Game[CorridorParams]):
    capabilities = frozenset({Capability.GLOBAL_STATE})
    metadata = GameMetadata()

    def __init__(self, params: CorridorParams) -> None:
        super().__init__(params)
        self.n_agents = params.n_copies * params.players
        self.n_actions = 2
        self.max_steps = params.episode_length
        shape = (params.length,) if params.format == "flat" else (3, params.length, 2)
        self.observation_space = spaces.Box(0.0, 1.0, shape=shape, dtype=np.float32)
        self.pos = np.zeros(self.n_agents, dtype=np.int64)
        self.before = self.pos.copy()
        self.t = 0

    @property
    def copies(self) -> IntArray:
        return np.repeat(np.arange(self.params.n_copies), self.params.players)

    def observe(self) -> Obs:
        n, length = self.n_agents, self.params.length
        if self.params.format == "flat":
            obs = np.zeros((n, length), dtype=np.float32)
            obs[np.arange(n), self.pos] = 1.0
            return obs
        obs = np.zeros((n, 3, length, 2), dtype=np.float32)
        obs[np.arange(n), 1, self.pos, 0] = 1.0
        obs[:, 1, length - 1, 1] = 1.0
        return obs

    def global_state(self) -> np.ndarray:
        p = self.params
        state = np.zeros((self.n_agents, p.length), dtype=np.float32)
        state[np.arange(self.n_agents), self.pos] = 1.0
        return state.reshape(p.n_copies, p.players, p.length)

    def reset(self, rng: np.random.Generator) -> Obs:
        self.pos[:] = 0
        self.before = self.pos.copy()
        self.t = 0
        return self.observe()

    def _moved(self, start: IntArray, actions: Actions) -> tuple[IntArray, Rewards]:
        last = self.params.length - 1
        pos = np.clip(start + np.where(actions == 1, 1, -1), 0, last)
        rewards = (pos == last).astype(np.float64)
        return np.where(pos == last, 0, pos), rewards

    def rewards_for(self, actions: Actions) -> Rewards:
        return self._moved(self.before, actions)[1]

    def step(self, actions: Actions) -> StepResult:
        self.before = self.pos.copy()
        self.pos, rewards = self._moved(self.pos, np.asarray(actions))
        self.t += 1
        return StepResult(self.observe(), rewards, truncated=self.t >= self.params.episode_length)


class CueParams(Params):
    n_copies: int = Field(16, ge=1)


class Cue(Game[CueParams]):
    """A one-step memory task: two-step episodes, ``n_copies`` independent agents.

    Step 0 shows a cue ``c ∈ {0, 1}`` (drawn uniformly per agent; observation ``e_c`` of
    ``[3]``), pays nothing whatever the action. Step 1 shows the blank ``e_2`` and pays 1 if
    the action equals the cue, then terminates. A memoryless policy sees the same blank at
    step 1 after either cue, so it earns at most 0.5 there in expectation; a policy that
    remembers the cue earns 1.
    """

    metadata = GameMetadata(stochastic=True)

    def __init__(self, params: CueParams) -> None:
        super().__init__(params)
        self.n_agents = params.n_copies
        self.n_actions = 2
        self.max_steps = 2
        self.observation_space = spaces.Box(0.0, 1.0, shape=(3,), dtype=np.float32)
        self.cue = np.zeros(self.n_agents, dtype=np.int64)
        self.t = 0
        self.rng = np.random.default_rng(0)

    @property
    def copies(self) -> IntArray:
        return np.arange(self.n_agents, dtype=np.int64)

    def _obs(self, cells: IntArray) -> Obs:
        return np.eye(3, dtype=np.float32)[cells]

    def reset(self, rng: np.random.Generator) -> Obs:
        self.rng, self.t = rng, 0
        self.cue = rng.integers(0, 2, self.n_agents)
        return self._obs(self.cue)

    def rewards_for(self, actions: Actions) -> Rewards:
        if self.t == 0:
            return np.zeros(self.n_agents)
        return (np.asarray(actions) == self.cue).astype(np.float64)

    def step(self, actions: Actions) -> StepResult:
        rewards = self.rewards_for(actions)
        self.t += 1
        blank = self._obs(np.full(self.n_agents, 2))
        return StepResult(blank, rewards, terminated=self.t >= 2)


def obs_at(game: Corridor, cell: int) -> Obs:
    """The observations of every agent of ``game`` standing at ``cell`` (game state kept)."""
    saved = game.pos.copy()
    game.pos[:] = cell
    obs = game.observe()
    game.pos = saved
    return obs


def simulate(
    game: Game,
    learner_id: str,
    params: dict,
    steps: int,
    *,
    seed: int = 0,
    mechanism: str = "none",
    record: bool = False,
):
    """Run ``learner_id`` on all agents of ``game`` for ``steps`` steps; return the learner
    and, with ``record``, the actions ``[steps, n]``."""
    from incentive_lab.core import LearnerContext, make_learner, make_mechanism
    from incentive_lab.core.seeding import spawn_rngs
    from incentive_lab.rollout import LearnerGroup, Simulation

    game_rng, learner_rng, mech_rng = spawn_rngs(seed, 3)
    learner = make_learner(
        learner_id, {"threads": 1, **params}, LearnerContext.for_game(game), learner_rng
    )
    mech = make_mechanism(mechanism, {}, game, mech_rng)
    sim = Simulation(game, [LearnerGroup(0, game.n_agents, learner)], mech, game_rng)
    history = []

    class Keep:
        def record(self, step) -> None:
            history.append(step.actions.copy())

    sim.run(steps, Keep() if record else None)
    return learner, (np.array(history) if record else None)
