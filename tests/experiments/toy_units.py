"""Tiny units registered under ``test_*`` ids, for the experiments tests only.

* game ``test_pairs``: ``n_agents`` agents re-paired at random every step, prisoner's
  dilemma payoffs (R, S, T, P) inside each pair; action 0 cooperates; ``partner`` is the
  current pairing; ``info["metrics"]["mutual_cooperation"]`` is the share of CC pairs.
* learner ``test_q``: stateless ε-greedy Q-learning, ``q: float64[m, n_actions]``.
* mechanism ``test_tax``: collects ``tax`` from each defector (payments); counts the steps
  it has seen in ``seen`` (state that must survive ``reconfigure``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from gymnasium import spaces
from pydantic import Field

from incentive_lab.core import registry
from incentive_lab.core.game import Game, GameMetadata, StepResult
from incentive_lab.core.learner import Learner, Transition
from incentive_lab.core.mechanism import Adjustment, Mechanism
from incentive_lab.core.params import Params


class PairsParams(Params):
    n_agents: int = Field(default=4, ge=2, le=10_000)
    reward: float = Field(default=3.0, ge=-100, le=100)
    sucker: float = Field(default=0.0, ge=-100, le=100)
    temptation: float = Field(default=5.0, ge=-100, le=100)
    punishment: float = Field(default=1.0, ge=-100, le=100)


class PairsGame(Game[PairsParams]):
    def __init__(self, params: PairsParams) -> None:
        super().__init__(params)
        self.n_agents = params.n_agents - params.n_agents % 2
        self.n_actions = 2
        self.observation_space = spaces.Discrete(1)
        self.metadata = GameMetadata(cooperative_action=0, action_names=("C", "D"))
        self.partner = np.arange(self.n_agents) ^ 1
        self.rng: np.random.Generator | None = None
        self.pairings: list[np.ndarray] = []

    def reset(self, rng: np.random.Generator) -> np.ndarray:
        self.rng = rng
        return np.zeros(self.n_agents, dtype=np.int64)

    def _table(self) -> np.ndarray:
        p = self.params
        return np.array([[p.reward, p.sucker], [p.temptation, p.punishment]])

    def rewards_for(self, actions: np.ndarray) -> np.ndarray:
        return self._table()[actions, actions[self.partner]]

    def step(self, actions: np.ndarray) -> StepResult:
        assert self.rng is not None
        order = self.rng.permutation(self.n_agents)
        self.partner = np.empty(self.n_agents, dtype=np.int64)
        self.partner[order[0::2]] = order[1::2]
        self.partner[order[1::2]] = order[0::2]
        if len(self.pairings) < 3:
            self.pairings.append(self.partner.copy())
        rewards = self.rewards_for(actions)
        both = (actions == 0) & (actions[self.partner] == 0)
        info = {"metrics": {"mutual_cooperation": float(both.mean())}}
        return StepResult(np.zeros(self.n_agents, dtype=np.int64), rewards, info=info)


class QParams(Params):
    alpha: float = Field(default=0.1, gt=0.0, le=1.0)
    epsilon: float = Field(default=0.1, ge=0.0, le=1.0)
    initial: float = Field(default=0.0, ge=-100, le=100)


class ToyQ(Learner[QParams]):
    def __init__(self, params: QParams, context: Any, rng: np.random.Generator) -> None:
        super().__init__(params, context, rng)
        self.q = np.full((context.n_agents, context.n_actions), params.initial)
        self.updates = 0

    def act(self, obs: np.ndarray) -> np.ndarray:
        greedy = self.q.argmax(axis=1)
        explore = self.rng.random(self.n_agents) < self.params.epsilon
        random = self.rng.integers(0, self.q.shape[1], self.n_agents)
        return np.where(explore, random, greedy).astype(np.int64)

    def update(self, transition: Transition) -> dict[str, float]:
        rows = np.arange(self.n_agents)
        a = transition.actions
        self.q[rows, a] += self.params.alpha * (transition.rewards - self.q[rows, a])
        self.updates += 1
        return {"mean_q": float(self.q.mean())}


class TaxParams(Params):
    tax: float = Field(default=1.0, ge=0.0, le=50.0)


class ToyTax(Mechanism[TaxParams]):
    def __init__(self, params: TaxParams, game: Any, rng: np.random.Generator) -> None:
        super().__init__(params, game, rng)
        self.seen = 0

    def adjust(self, game: Any, actions: Any, rewards: Any, info: Any) -> Adjustment:
        self.seen += 1
        return Adjustment.payments(rewards, np.where(actions != 0, -self.params.tax, 0.0))


class NoParams(Params):
    pass


def _register() -> None:
    if "test_pairs" in registry.ids("game"):
        return
    registry.register("game", "test_pairs", params=PairsParams, description="Toy pairs PD.")(
        PairsGame
    )
    registry.register("learner", "test_q", params=QParams, description="Toy Q-learning.")(ToyQ)
    registry.register(
        "mechanism", "test_tax", params=TaxParams, description="Toy tax.", pays=True, stateless=True
    )(ToyTax)
    if "none" not in registry.ids("mechanism"):
        registry.register("mechanism", "none", params=NoParams, description="Identity.")(Mechanism)


_register()


def toy_config(**changes: Any) -> dict[str, Any]:
    """A small valid experiment over the toy units."""
    config: dict[str, Any] = {
        "name": "toy",
        "game": {"id": "test_pairs", "params": {"n_agents": 6}},
        "mechanism": {"id": "test_tax", "params": {"tax": 2.5}},
        "learners": [{"id": "test_q", "params": {"alpha": 0.2}}],
        "steps": 200,
        "seeds": 2,
        "record_every": 20,
    }
    config.update(changes)
    return config
