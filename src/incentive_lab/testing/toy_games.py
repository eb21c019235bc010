"""Small self-contained games the learner and mechanism checks run on by default.

They depend on ``core`` only (no ``incentive_lab.games``), so a broken built-in game never
hides a learner's or mechanism's own failure.

* :class:`RandomRewards` (``testing/random_rewards``) — ``n_agents`` agents on a ring, 3
  actions, 2 observations; every step draws observations and rewards in [0, 1] from the
  game's generator, independent of the actions; episodes of 10 steps. Each agent is its own
  copy. The default game of the learner contract.
* :class:`PrisonersDilemmaPairs` (``testing/pd_pairs``) — ``n_copies`` independent
  prisoner's-dilemma pairs (agents ``2k, 2k+1`` form copy ``k``; action 0 = C, 1 = D;
  (C,C)=(3,3) (C,D)=(0,5) (D,C)=(5,0) (D,D)=(1,1)).
* :class:`CoupledRandom` (``testing/coupled_random``) — irregular, non-contiguous copies and a
  non-linear coupling inside each copy: ``R_i(a) = own[i, a_i] + g_i · sin(Σ_{j ∈ copy(i)}
  h[j, a_j])`` with ``own``, ``g``, ``h`` drawn from ``seed``.

The last two answer counterfactuals with the base class's reference (loop) ``deviation``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from gymnasium import spaces
from pydantic import Field

from incentive_lab.core.game import Game, GameMetadata, StepResult
from incentive_lab.core.params import Params
from incentive_lab.core.topology import Topology
from incentive_lab.core.types import Actions, IntArray, Obs, Rewards

PD_PAYOFFS = np.array([[[3.0, 3.0], [0.0, 5.0]], [[5.0, 0.0], [1.0, 1.0]]])
"""``PD_PAYOFFS[a_row, a_col] = (r_row, r_col)``."""


class RandomRewardsParams(Params):
    """Parameters of ``testing/random_rewards``."""

    n_agents: int = Field(5, ge=1)
    """Agents (each its own copy, on a ring)."""
    n_actions: int = Field(3, ge=2)
    """Actions per agent."""
    n_states: int = Field(2, ge=1)
    """Discrete observations per agent."""
    episode_length: int = Field(10, ge=1)
    """Steps per episode."""


class RandomRewards(Game[RandomRewardsParams]):
    """Random observations and rewards in [0, 1], whatever the agents do."""

    metadata = GameMetadata(cooperative_action=0, stochastic=True)

    def __init__(self, params: RandomRewardsParams) -> None:
        super().__init__(params)
        n = params.n_agents
        self.n_agents = n
        self.n_actions = params.n_actions
        self.observation_space = spaces.Discrete(params.n_states)
        self.max_steps = params.episode_length
        ring = np.stack([np.arange(n), (np.arange(n) + 1) % n], axis=1).astype(np.int64)
        self.topology = Topology.from_edges(n, ring if n > 1 else ring[:0])
        self._rng = np.random.default_rng(0)
        self._t = 0
        self._rewards = np.zeros(n)

    @property
    def copies(self) -> IntArray:
        """Every agent is its own copy (rewards do not couple agents)."""
        return np.arange(self.n_agents, dtype=np.int64)

    def describe(self) -> str:
        """The rules in one line."""
        return "a tiny test game: random observations and rewards in [0, 1]"

    def reset(self, rng: np.random.Generator) -> Obs:
        """Start an episode with random observations."""
        self._rng, self._t = rng, 0
        return self._rng.integers(0, self.params.n_states, self.n_agents)

    def step(self, actions: Actions) -> StepResult:
        """Random rewards and next observations; the episode ends every ``episode_length``."""
        self.check_actions(actions)
        self._rewards = self._rng.random(self.n_agents)
        obs = self._rng.integers(0, self.params.n_states, self.n_agents)
        self._t += 1
        ended = self._t >= self.params.episode_length
        return StepResult(obs, self._rewards.copy(), terminated=ended)

    def rewards_for(self, actions: Actions) -> Rewards:
        """The last step's rewards (they do not depend on the actions)."""
        return self._rewards.copy()


class _Stateless(Game[Any]):
    """One stateless step with the discrete observation 0."""

    def __init__(self, params: Params, n_agents: int, n_actions: int) -> None:
        super().__init__(params)
        self.n_agents = n_agents
        self.n_actions = n_actions
        self.observation_space = spaces.Discrete(1)

    def reset(self, rng: np.random.Generator) -> Obs:
        """Observation 0 for everyone."""
        return np.zeros(self.n_agents, dtype=np.int64)

    def step(self, actions: Actions) -> StepResult:
        """Rewards of ``actions``."""
        actions = self.check_actions(actions)
        return StepResult(np.zeros(self.n_agents, dtype=np.int64), self.rewards_for(actions))


class PDPairsParams(Params):
    """Parameters of ``testing/pd_pairs``."""

    n_copies: int = Field(1, ge=1)
    """Independent prisoner's-dilemma pairs."""


class PrisonersDilemmaPairs(_Stateless):
    """``n_copies`` independent prisoner's-dilemma pairs."""

    metadata = GameMetadata(cooperative_action=0, action_names=("C", "D"))

    def __init__(self, params: PDPairsParams) -> None:
        super().__init__(params, 2 * params.n_copies, 2)

    @property
    def copies(self) -> IntArray:
        """Agents ``2k`` and ``2k+1`` form copy ``k``."""
        return np.arange(self.n_agents, dtype=np.int64) // 2

    def rewards_for(self, actions: Actions) -> Rewards:
        """The pairs' payoffs."""
        pairs = np.asarray(actions, dtype=np.int64).reshape(-1, 2)
        return PD_PAYOFFS[pairs[:, 0], pairs[:, 1]].reshape(-1).astype(np.float64)


class CoupledRandomParams(Params):
    """Parameters of ``testing/coupled_random``."""

    copies: list[int] = Field(default_factory=lambda: [4, 1, 4, 2, 1, 4, 0, 2, 2])
    """The copy of each agent (irregular, non-contiguous)."""
    n_actions: int = Field(2, ge=2)
    """Actions per agent."""
    seed: int = 7
    """Seed of the payoff coefficients."""


class CoupledRandom(_Stateless):
    """Irregular copies with a non-linear coupling (see the module docstring)."""

    def __init__(self, params: CoupledRandomParams) -> None:
        copies = np.asarray(params.copies, dtype=np.int64)
        super().__init__(params, copies.shape[0], params.n_actions)
        rng = np.random.default_rng(params.seed)
        self._copies = copies
        self.own = rng.normal(size=(self.n_agents, params.n_actions))
        self.gain = rng.normal(size=self.n_agents)
        self.h = rng.normal(size=(self.n_agents, params.n_actions))

    @property
    def copies(self) -> IntArray:
        """The irregular copies."""
        return self._copies.copy()

    def rewards_for(self, actions: Actions) -> Rewards:
        """``own[i, a_i] + g_i · sin(Σ_{j ∈ copy(i)} h[j, a_j])``."""
        actions = np.asarray(actions, dtype=np.int64)
        idx = np.arange(self.n_agents)
        coupling = np.bincount(self._copies, weights=self.h[idx, actions])[self._copies]
        rewards: Rewards = self.own[idx, actions] + self.gain * np.sin(coupling)
        return rewards


TOY_GAMES: dict[str, tuple[type[Params], Callable[[Any], Game[Any]]]] = {
    "testing/random_rewards": (RandomRewardsParams, RandomRewards),
    "testing/pd_pairs": (PDPairsParams, PrisonersDilemmaPairs),
    "testing/coupled_random": (CoupledRandomParams, CoupledRandom),
}
"""The toy games by id: ``(params model, factory)``, built like registered games."""
