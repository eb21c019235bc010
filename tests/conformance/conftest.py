"""The cases of the registry-wide conformance suite.

Every registered game id is a case, built with small parameters (``SMALL_PARAMS`` where the
defaults are large; otherwise the generic overrides that the id accepts, else its
defaults), plus ``EXTRA_CASES`` that exercise optional paths (memory, finite episodes,
regrouping). A new game registered anywhere is covered without editing this file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from incentive_lab.core import ConfigError, get, ids, make_game

SMALL_PARAMS: dict[str, dict[str, Any]] = {
    "matrix": {"preset": "prisoners_dilemma", "n_copies": 2},
    "public_goods": {"n_agents": 6, "group_size": 3},
    "spatial_public_goods": {"side": 4},
}
"""Explicit small parameters for ids whose defaults are large or incomplete."""

GENERIC_SMALL: dict[str, Any] = {"n_copies": 2, "n_agents": 6, "group_size": 3}
"""Overrides tried (only the fields an id has) for ids not in ``SMALL_PARAMS``."""

EXTRA_CASES: list[tuple[str, dict[str, Any]]] = [
    ("prisoners_dilemma", {"n_copies": 2, "memory": 1, "episode_length": 5}),
    ("stag_hunt", {"memory": 2}),
    ("matrix", {"payoffs": [[[2, 2], [0, 3]], [[3, 0], [1, 1]]], "n_copies": 3}),
    ("public_goods", {"n_agents": 8, "group_size": 4, "regroup": True}),
]
"""Further parameterisations covering optional code paths (skipped if the id is absent)."""

MECHANISMS = ("none", "team_reward", "action_tax")
"""Mechanisms every game is checked with; ``action_tax`` with zero taxes."""


@dataclass(frozen=True)
class Case:
    """One game id with its parameters."""

    game_id: str
    params: dict[str, Any]

    @property
    def name(self) -> str:
        args = ",".join(f"{k}={v}" for k, v in self.params.items() if k != "payoffs")
        return f"{self.game_id}({args})"


def small_params(game_id: str) -> dict[str, Any]:
    """Small valid parameters for ``game_id``."""
    if game_id in SMALL_PARAMS:
        return dict(SMALL_PARAMS[game_id])
    fields = get("game", game_id).params.model_fields
    generic = {k: v for k, v in GENERIC_SMALL.items() if k in fields}
    try:
        make_game(game_id, generic)
    except ConfigError:
        return {}
    return generic


def game_cases() -> list[Case]:
    """Every registered game id with small params, then the applicable extra cases."""
    registered = ids("game")
    cases = [Case(game_id, small_params(game_id)) for game_id in registered]
    cases += [
        Case(game_id, dict(params)) for game_id, params in EXTRA_CASES if game_id in registered
    ]
    return cases


def mechanism_spec(mechanism_id: str, game: Any) -> dict[str, Any]:
    """The mechanism config used with ``game`` (zero taxes for ``action_tax``)."""
    if mechanism_id == "action_tax":
        return {"id": "action_tax", "params": {"taxes": [0.0] * game.n_actions}}
    return {"id": mechanism_id, "params": {}}
