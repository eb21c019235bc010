"""Mechanisms whose parameters must be validated against the game they run on.

Some parameters only make sense for a particular game: one tax per action
(``action_tax.taxes``), a default action that exists (``difference_rewards``,
``pigouvian_tax``). :class:`CheckedMechanism` remembers the game's shape at construction,
runs the subclass's :meth:`~CheckedMechanism.check` there and again on every
:meth:`~CheckedMechanism.reconfigure` (a mid-run phase change), restoring the previous
parameters when the new ones are rejected, so a failed phase change leaves a working
mechanism behind.
"""

from __future__ import annotations

from typing import Any, TypeVar

import numpy as np

from incentive_lab.core.game import Game
from incentive_lab.core.mechanism import Mechanism
from incentive_lab.core.params import Params

P = TypeVar("P", bound=Params)


class CheckedMechanism(Mechanism[P]):
    """A mechanism that re-validates its parameters against the game on every change."""

    def __init__(self, params: P, game: Game[Any], rng: np.random.Generator) -> None:
        super().__init__(params, game, rng)
        self.n_agents = game.n_agents
        self.n_actions = game.n_actions
        self.check()

    def check(self) -> None:
        """Raise ``ConfigError`` if ``self.params`` do not fit the game; cache derived data."""

    def reconfigure(self, **changes: Any) -> None:
        """Replace parameters mid-run; on a ``ConfigError`` the old parameters stay."""
        previous = self.params
        super().reconfigure(**changes)
        try:
            self.check()
        except Exception:
            self.params = previous
            self.check()
            raise
