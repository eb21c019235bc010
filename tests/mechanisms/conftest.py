"""Test-local games for the mechanism tests (no dependency on ``incentive_lab.games``).

They are the toy games of ``incentive_lab.testing.toy_games``, which the public mechanism
contract (``incentive_lab.testing.check_mechanism``) runs on:

* ``PDGame(n_copies)`` — independent prisoner's-dilemma pairs (agents ``2k, 2k+1`` form copy
  ``k``; action 0 = C, 1 = D; (C,C)=(3,3) (C,D)=(0,5) (D,C)=(5,0) (D,D)=(1,1)).
* ``RandomGame(copies, n_actions, seed)`` — irregular, non-contiguous copies and a non-linear
  coupling inside each copy: ``R_i(a) = own[i, a_i] + g_i · sin(Σ_{j ∈ copy(i)} h[j, a_j])``.

Both answer counterfactuals with the base class's reference (loop) ``deviation``. The
``pd_game`` fixture also runs every PD test on the library's registered ``prisoners_dilemma``
(``games.matrix``, with its vectorised ``deviation``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest

from incentive_lab.core.game import Game
from incentive_lab.core.registry import ids, make_game
from incentive_lab.testing.toy_games import (
    PD_PAYOFFS,
    CoupledRandom,
    CoupledRandomParams,
    PDPairsParams,
    PrisonersDilemmaPairs,
)

__all__ = ["PD_PAYOFFS", "PDGame", "RandomGame", "registered_pd"]


def PDGame(n_copies: int = 1) -> PrisonersDilemmaPairs:
    """``n_copies`` independent prisoner's-dilemma pairs."""
    return PrisonersDilemmaPairs(PDPairsParams(n_copies=n_copies))


def RandomGame(copies: Sequence[int], n_actions: int, seed: int) -> CoupledRandom:
    """Irregular copies with a non-linear coupling (see the module docstring)."""
    copies = np.asarray(copies, dtype=np.int64).tolist()
    return CoupledRandom(CoupledRandomParams(copies=copies, n_actions=n_actions, seed=seed))


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
def random_game() -> Callable[..., CoupledRandom]:
    return RandomGame
