"""The cases of the registry-wide conformance suite.

Every registered game id is a case, built with the small parameters of
``incentive_lab.testing.fixtures.game_params``, plus ``EXTRA_CASES`` that exercise optional
paths (memory, finite episodes, regrouping). A new game registered anywhere is covered
without editing this file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from incentive_lab.core import ids
from incentive_lab.testing.fixtures import game_params

EXTRA_CASES: list[tuple[str, dict[str, Any]]] = [
    ("prisoners_dilemma", {"n_copies": 2, "memory": 1, "episode_length": 5}),
    ("stag_hunt", {"memory": 2}),
    ("matrix", {"payoffs": [[[2, 2], [0, 3]], [[3, 0], [1, 1]]], "n_copies": 3}),
    ("public_goods", {"n_agents": 8, "group_size": 4, "regroup": True}),
    # gridworld views in the smaller dtypes the games offer (the box declares its dtype)
    ("harvest", {"preset": "small", "n_copies": 2, "episode_length": 12, "dtype": "uint8"}),
    ("cleanup", {"preset": "small", "n_copies": 2, "episode_length": 12, "dtype": "float32"}),
]
"""Further parameterisations covering optional code paths (skipped if the id is absent)."""


@dataclass(frozen=True)
class Case:
    """One game id with its parameters."""

    game_id: str
    params: dict[str, Any]

    @property
    def name(self) -> str:
        args = ",".join(f"{k}={v}" for k, v in self.params.items() if k != "payoffs")
        return f"{self.game_id}({args})"


def game_cases() -> list[Case]:
    """Every registered game id with small params, then the applicable extra cases."""
    registered = ids("game")
    cases = [Case(game_id, game_params(game_id)) for game_id in registered]
    cases += [
        Case(game_id, dict(params)) for game_id, params in EXTRA_CASES if game_id in registered
    ]
    return cases
