"""Counterfactual "what if agent i had played its default action" queries.

``difference_rewards`` and ``pigouvian_tax`` compare the actual joint action ``a`` with the
joint action ``(a_−i, c_i)`` in which agent ``i`` alone switches to a *default action*
``c_i`` (Wolpert & Tumer's "clamping"). Both ask the game through
``Game.deviation(actions, alternative)`` — one vectorised call for all agents — and never
evaluate ``n`` joint actions themselves.

The default action is one integer shared by every agent (``0`` by default, which is
"cooperate" in the matrix-game presets); it must be a valid action of the game.
:class:`ClampingMechanism` is the base of both: it validates the default action against the
game (on construction and on every phase change) and asks the game for the clamped
deviation, so each mechanism module only states what it does with the counterfactual.
"""

from __future__ import annotations

from typing import Any, TypeVar

import numpy as np
from pydantic import Field

from incentive_lab.core.errors import ConfigError
from incentive_lab.core.game import Deviation, Game
from incentive_lab.core.params import Params
from incentive_lab.core.types import Actions, FloatArray, Rewards
from incentive_lab.mechanisms.checked import CheckedMechanism


def check_default_action(n_actions: int, default_action: int, field: str) -> None:
    """Raise :class:`ConfigError` naming ``field`` unless ``default_action`` is an action."""
    if not 0 <= default_action < n_actions:
        raise ConfigError(field, default_action, f"an action of the game: 0..{n_actions - 1}")


def clamp(game: Game[Any], actions: Actions, default_action: int) -> Deviation:
    """Each agent's unilateral switch to ``default_action`` (own reward, copy welfare)."""
    alternative = np.full(game.n_agents, default_action, dtype=np.int64)
    return game.deviation(np.asarray(actions, dtype=np.int64), alternative)


def externality(
    game: Game[Any], actions: Actions, rewards: Rewards, deviation: Deviation
) -> FloatArray:
    """``float64[n]``: what agent ``i``'s actual action adds to the *others* of its copy.

    ``ext_i = Σ_{j≠i}[R_j(a) − R_j(a_−i, c_i)] = [G(a) − R_i(a)] − [G(a_−i,c_i) − R_i(a_−i,c_i)]``
    with ``G`` the welfare of ``i``'s copy; negative when ``i`` harms the others.
    """
    welfare = game.copy_welfare(rewards)
    return (welfare - rewards) - (deviation.copy_welfare - deviation.own)


class ClampParams(Params):
    """Parameters every clamping mechanism has (subclasses may reword the description)."""

    default_action: int = Field(default=0, ge=0)
    """The action ``c`` each agent is clamped to in the counterfactual ``(a_−i, c)``."""


CP = TypeVar("CP", bound=ClampParams)


class ClampingMechanism(CheckedMechanism[CP]):
    """A mechanism that compares each agent's action with its switch to ``default_action``."""

    def check(self) -> None:
        """Validate the default action against the game (see ``mechanisms.checked``)."""
        check_default_action(
            self.n_actions, self.params.default_action, "mechanism.params.default_action"
        )

    def clamped(self, game: Game[Any], actions: Actions) -> Deviation:
        """Each agent's unilateral switch to the default action (see :func:`clamp`)."""
        return clamp(game, actions, self.params.default_action)
