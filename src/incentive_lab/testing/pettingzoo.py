"""PettingZoo's own conformance tests on a game (+ a mechanism) as a ``ParallelEnv``.

:func:`check_parallel_env` wraps the game in ``incentive_lab.interop.pettingzoo``'s
``IncentiveParallelEnv`` and runs ``parallel_api_test`` and ``parallel_seed_test`` on it, and
``api_test`` and ``seed_test`` on its AEC conversion (``parallel_to_aec``). ``seed_test``
compares two seeded environments step by step, so it catches non-determinism after the first
step, which ``parallel_seed_test`` in PettingZoo 1.27 does not. A ``UserWarning`` PettingZoo
raises is a failure unless listed in :data:`BENIGN_WARNINGS`. PettingZoo is imported only
when a check runs.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

from incentive_lab.core.game import Game
from incentive_lab.testing.report import Checks, ContractReport
from incentive_lab.testing.units import GameLike, GameSource, game_source

MECHANISMS = ("none", "team_reward", "action_tax")
"""Mechanisms every game is checked with by default; ``action_tax`` with zero taxes."""

BENIGN_WARNINGS = (
    # Discrete observations are numpy integer scalars (Discrete.contains wants shape ()).
    "Observation is not a NumPy array",
)


def mechanism_spec(mechanism_id: str, game: Game[Any]) -> dict[str, Any]:
    """The mechanism config used with ``game`` (zero taxes for ``action_tax``)."""
    if mechanism_id == "action_tax":
        return {"id": "action_tax", "params": {"taxes": [0.0] * game.n_actions}}
    return {"id": mechanism_id, "params": {}}


def check_parallel_env(
    game_or_id: GameLike, params: Any = None, *, mechanism: str = "none", cycles: int = 12
) -> ContractReport:
    """PettingZoo's API and seed tests on ``game_or_id`` with ``mechanism`` (``cycles`` cycles).

    ``params`` go with a game id (default: ``fixtures.game_params``).
    """
    source = game_source(game_or_id, params)
    checks = Checks("game", source.name)
    parallel_env_checks(checks, source, mechanism, cycles)
    return checks.report()


def parallel_env_checks(checks: Checks, source: GameSource, mechanism: str, cycles: int) -> None:
    """Run the four PettingZoo tests as checks named after them and ``mechanism``."""
    from pettingzoo.test import api_test, parallel_api_test, parallel_seed_test, seed_test
    from pettingzoo.utils.conversions import parallel_to_aec

    from incentive_lab.interop.pettingzoo import IncentiveParallelEnv

    def make() -> IncentiveParallelEnv:
        game = source.build()
        spec = mechanism_spec(mechanism, game)
        name = source.name if mechanism == "none" else f"{source.name}+{mechanism}"
        return IncentiveParallelEnv(game, spec, max_cycles=2 * cycles, name=name)

    def aec() -> Any:
        return parallel_to_aec(make())

    runs: dict[str, Callable[[], Any]] = {
        "parallel_api_test": lambda: parallel_api_test(make(), num_cycles=cycles),
        "parallel_seed_test": lambda: parallel_seed_test(make, num_cycles=cycles),
        "api_test": lambda: api_test(aec(), num_cycles=cycles),
        "seed_test": lambda: seed_test(aec, num_cycles=cycles),
    }
    for test, run in runs.items():
        with checks.check(f"pettingzoo {test} with {mechanism}"):
            strictly(checks, run)


def strictly(checks: Checks, run: Callable[[], Any]) -> None:
    """Run ``run``; fail on any non-benign ``UserWarning`` it raises."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run()
    bad = [
        str(w.message)
        for w in caught
        if issubclass(w.category, UserWarning)
        and not any(str(w.message).startswith(b) for b in BENIGN_WARNINGS)
    ]
    checks.that(not bad, f"PettingZoo warned: {bad}")
