"""PettingZoo's own conformance tests over every registered game × mechanism.

Each case runs ``parallel_api_test`` and ``parallel_seed_test`` on the ParallelEnv, and
``api_test`` and ``seed_test`` on its AEC conversion (``parallel_to_aec``). ``seed_test``
compares two seeded environments step by step, so it catches non-determinism after the
first step, which ``parallel_seed_test`` in PettingZoo 1.27 does not. Warnings PettingZoo
raises are failures unless listed in ``BENIGN_WARNINGS``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import pytest
from pettingzoo.test import api_test, parallel_api_test, parallel_seed_test, seed_test
from pettingzoo.utils.conversions import parallel_to_aec

from incentive_lab.core import ids, make_game
from incentive_lab.interop import IncentiveParallelEnv, parallel_env

from .conftest import MECHANISMS, Case, game_cases, mechanism_spec

NUM_CYCLES = 12

BENIGN_WARNINGS = (
    # Discrete observations are numpy integer scalars (Discrete.contains wants shape ()).
    "Observation is not a NumPy array",
)

CASES = game_cases()


def env_factory(case: Case, mechanism_id: str) -> Callable[[], IncentiveParallelEnv]:
    if mechanism_id not in ids("mechanism"):
        pytest.skip(f"mechanism {mechanism_id!r} is not registered")
    spec = mechanism_spec(mechanism_id, make_game(case.game_id, case.params))

    def make() -> IncentiveParallelEnv:
        return parallel_env(case.game_id, spec, max_cycles=2 * NUM_CYCLES, **case.params)

    return make


def strictly(check: Callable[[], Any]) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        check()
    bad = [
        str(w.message)
        for w in caught
        if issubclass(w.category, UserWarning)
        and not any(str(w.message).startswith(b) for b in BENIGN_WARNINGS)
    ]
    assert not bad, bad


parametrise = pytest.mark.parametrize(
    ("case", "mechanism_id"),
    [(case, m) for case in CASES for m in MECHANISMS],
    ids=[f"{case.name}-{m}" for case in CASES for m in MECHANISMS],
)


@parametrise
def test_parallel_api(case: Case, mechanism_id: str) -> None:
    make = env_factory(case, mechanism_id)
    strictly(lambda: parallel_api_test(make(), num_cycles=NUM_CYCLES))


@parametrise
def test_parallel_seed(case: Case, mechanism_id: str) -> None:
    make = env_factory(case, mechanism_id)
    strictly(lambda: parallel_seed_test(make, num_cycles=NUM_CYCLES))


@parametrise
def test_aec_api(case: Case, mechanism_id: str) -> None:
    make = env_factory(case, mechanism_id)
    strictly(lambda: api_test(parallel_to_aec(make()), num_cycles=NUM_CYCLES))


@parametrise
def test_aec_seed(case: Case, mechanism_id: str) -> None:
    make = env_factory(case, mechanism_id)
    strictly(lambda: seed_test(lambda: parallel_to_aec(make()), num_cycles=NUM_CYCLES))
