"""Shared plumbing of the platform mechanisms for recommender games (``platform_*``).

A platform mechanism only fits a game that satisfies
``core.recommendation.RecommenderRules`` (the ``recommender`` game); on any other game it
raises ``ConfigError`` on ``mechanism.id`` at construction. Each step it reads the
``core.recommendation.RecommenderOutcome`` the game publishes in ``info["recommender"]``:
per-agent clicks, quality consumed, slate diversity, satisfaction change, churn and
exposure per provider. Per-agent quantities are divided by the number of user slots, the
unit of the game's base reward (clicks per user slot).
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

import numpy as np

from incentive_lab.core.errors import ConfigError
from incentive_lab.core.game import Game
from incentive_lab.core.mechanism import Mechanism
from incentive_lab.core.params import Params
from incentive_lab.core.recommendation import RecommenderOutcome, RecommenderRules

P = TypeVar("P", bound=Params)


class PlatformMechanism(Mechanism[P]):
    """A mechanism for recommender games; subclasses implement ``adjust``."""

    mechanism_id: ClassVar[str] = ""

    def __init__(self, params: P, game: Game[Any], rng: np.random.Generator) -> None:
        super().__init__(params, game, rng)
        if not isinstance(game, RecommenderRules):
            raise ConfigError("mechanism.id", self.mechanism_id, "a recommender game")
        self.n_agents = game.n_agents

    @staticmethod
    def outcome(info: dict[str, Any]) -> RecommenderOutcome:
        """The step's ``RecommenderOutcome`` (``ConfigError`` if the game did not publish one)."""
        outcome = info.get("recommender")
        if not isinstance(outcome, RecommenderOutcome):
            raise ConfigError("info.recommender", outcome, "a RecommenderOutcome")
        return outcome
