"""Test-local games for the mechanism tests (no dependency on ``incentive_lab.games``).

* ``PDGame`` — ``n_copies`` independent prisoner's-dilemma pairs (agents ``2k, 2k+1`` form
  copy ``k``; action 0 = C, 1 = D; (C,C)=(3,3) (C,D)=(0,5) (D,C)=(5,0) (D,D)=(1,1)).
* ``RandomGame`` — irregular, non-contiguous copies and a non-linear coupling inside each
  copy: ``R_i(a) = own[i, a_i] + g_i · sin(Σ_{j ∈ copy(i)} h[j, a_j])``.

Both answer counterfactuals with the base class's reference (loop) ``deviation``. The
``pd_game`` fixture also runs every PD test on the library's registered ``prisoners_dilemma``
(``games.matrix``, with its vectorised ``deviation``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from gymnasium import spaces

from incentive_lab.core.game import Game, GameMetadata, StepResult
from incentive_lab.core.params import Params
from incentive_lab.core.registry import ids, make_game

PD_PAYOFFS = np.array(
    [[[3.0, 3.0], [0.0, 5.0]], [[5.0, 0.0], [1.0, 1.0]]]
)  # PD_PAYOFFS[a_row, a_col] = (r_row, r_col)


class EmptyParams(Params):
    """No parameters."""


class TableGame(Game[EmptyParams]):
    """Shared plumbing: one stateless step, discrete observation 0."""

    def __init__(self, n_agents: int, n_actions: int) -> None:
        super().__init__(EmptyParams())
        self.n_agents = n_agents
        self.n_actions = n_actions
        self.observation_space = spaces.Discrete(1)

    def reset(self, rng: np.random.Generator) -> Any:
        return np.zeros(self.n_agents, dtype=np.int64)

    def step(self, actions: Any) -> StepResult:
        actions = self.check_actions(actions)
        return StepResult(np.zeros(self.n_agents, dtype=np.int64), self.rewards_for(actions))


class PDGame(TableGame):
    """``n_copies`` independent prisoner's-dilemma pairs."""

    metadata = GameMetadata(cooperative_action=0, action_names=("C", "D"))

    def __init__(self, n_copies: int = 1) -> None:
        super().__init__(2 * n_copies, 2)

    @property
    def copies(self) -> Any:
        return np.arange(self.n_agents, dtype=np.int64) // 2

    def rewards_for(self, actions: Any) -> Any:
        pairs = np.asarray(actions, dtype=np.int64).reshape(-1, 2)
        return PD_PAYOFFS[pairs[:, 0], pairs[:, 1]].reshape(-1).astype(np.float64)


class RandomGame(TableGame):
    """Irregular copies with a non-linear coupling (see the module docstring)."""

    def __init__(self, copies: Any, n_actions: int, seed: int) -> None:
        copies = np.asarray(copies, dtype=np.int64)
        super().__init__(copies.shape[0], n_actions)
        rng = np.random.default_rng(seed)
        self._copies = copies
        self.own = rng.normal(size=(self.n_agents, n_actions))
        self.gain = rng.normal(size=self.n_agents)
        self.h = rng.normal(size=(self.n_agents, n_actions))

    @property
    def copies(self) -> Any:
        return self._copies.copy()

    def rewards_for(self, actions: Any) -> Any:
        actions = np.asarray(actions, dtype=np.int64)
        idx = np.arange(self.n_agents)
        coupling = np.bincount(self._copies, weights=self.h[idx, actions])[self._copies]
        return self.own[idx, actions] + self.gain * np.sin(coupling)


def registered_pd(n_copies: int = 1) -> Game[Any]:
    """The library's ``prisoners_dilemma`` game (``incentive_lab.games.matrix``)."""
    return make_game("prisoners_dilemma", {"n_copies": n_copies})


@pytest.fixture(scope="session", params=["local", "registered"])
def pd_game(request: pytest.FixtureRequest) -> Callable[..., Game[Any]]:
    """A PD factory ``n_copies -> game``: the test-local one and the registered preset."""
    if request.param == "local":
        return PDGame
    if "prisoners_dilemma" not in ids("game"):
        pytest.skip("the prisoners_dilemma game is not registered")
    return registered_pd


@pytest.fixture(scope="session")
def random_game() -> Callable[..., RandomGame]:
    return RandomGame
