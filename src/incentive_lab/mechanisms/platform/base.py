"""Shared plumbing of the platform mechanisms for recommender games (``platform_*``).

A platform mechanism only fits a game that satisfies
``core.recommendation.RecommenderRules`` (the ``recommender`` game); on any other game it
raises ``ConfigError`` on ``mechanism.id`` at construction. Each step it reads the
``core.recommendation.RecommenderOutcome`` the game publishes in ``info["recommender"]``:
per-agent clicks, quality consumed, slate diversity, satisfaction change, churn and
exposure per provider. Per-agent quantities are divided by the number of user slots, the
unit of the game's base reward (clicks per user slot).

:func:`register_platform` registers a platform mechanism (it needs the game's
``recommender_outcome``) and gives the class its id for error messages.
:class:`PerSlotMechanism` is the stateless kind that adds an amount per user slot to each
agent's clicks, paid as money (``diversity_bonus``) or as shaping (``engagement_shaping``);
a subclass only states the amount.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

import numpy as np

from incentive_lab.core.capabilities import Capability
from incentive_lab.core.errors import ConfigError
from incentive_lab.core.game import Game
from incentive_lab.core.mechanism import Adjustment, Mechanism
from incentive_lab.core.params import Params
from incentive_lab.core.recommendation import RecommenderOutcome, RecommenderRules
from incentive_lab.core.registry import register
from incentive_lab.core.types import Actions, FloatArray, Rewards

P = TypeVar("P", bound=Params)
M = TypeVar("M", bound="type[PlatformMechanism[Any]]")


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


def register_platform(
    id: str, *, params: type[Params], description: str, **metadata: Any
) -> Callable[[M], M]:
    """Register a platform mechanism class as ``id`` (needs ``recommender_outcome``).

    A :class:`PerSlotMechanism` pays or shapes as its registration's ``pays`` flag says.
    """

    def decorate(cls: M) -> M:
        cls.mechanism_id = id
        if issubclass(cls, PerSlotMechanism):
            cls.pays = bool(metadata["pays"])
        return register(
            "mechanism",
            id,
            params=params,
            description=description,
            requires=frozenset({Capability.RECOMMENDER_OUTCOME}),
            **metadata,
        )(cls)

    return decorate


class PerSlotMechanism(PlatformMechanism[P]):
    """Adds ``amount(outcome) / U`` to each agent's clicks, as transfers or as shaping."""

    pays: ClassVar[bool] = True
    """``True``: the amount is paid (transfers); ``False``: pure shaping, no money moves
    (set from the ``pays`` flag by :func:`register_platform`)."""

    def amount(self, outcome: RecommenderOutcome) -> FloatArray:
        """``float64[n]``: each agent's amount summed over its user slots."""
        raise NotImplementedError

    def adjust(
        self, game: Game[Any], actions: Actions, rewards: Rewards, info: dict[str, Any]
    ) -> Adjustment:
        """``r_i + amount_i / U`` (module docstring)."""
        out = self.outcome(info)
        extra = self.amount(out) / out.n_users
        base = np.asarray(rewards, dtype=np.float64)
        if self.pays:
            return Adjustment.payments(base, extra)
        return Adjustment.shaping(base + extra)
