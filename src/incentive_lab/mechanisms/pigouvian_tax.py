"""``pigouvian_tax``: charge (or pay) each agent the externality it imposes on its group.

A Pigouvian tax makes every agent bear the effect of its action on the others. Relative to a
default action ``c`` (the action that imposes the reference externality), the externality of
agent ``i`` on the other members of its copy is::

    ext_i = Σ_{j≠i ∈ copy(i)} [R_j(a) − R_j(a_−i, c)]
          = [G(a) − R_i(a)] − [G(a_−i, c) − R_i(a_−i, c)]

with ``G`` the welfare of ``i``'s copy, read from ``game.deviation``. The transfer is
``t_i = scale · ext_i``: negative (a tax) when ``i`` harms the others, positive (a subsidy)
when it helps them. With ``budget_balanced`` each copy's net is redistributed equally
(``mechanisms.budget``). Learners see ``R_i + t_i``; cost is the gross volume ``Σ|t_i|``.

With ``scale = 1`` the shaped reward is ``G(a) − G(a_−i, c) + R_i(a_−i, c)``: the difference
reward plus a term that does not depend on ``i``'s own action, so the two mechanisms give
the same incentives — but this one is paid in money. In the prisoner's dilemma with ``c = C``
a defector is charged the 3 (against a cooperator) or 4 (against a defector) it takes from
its partner, which makes cooperation strictly dominant.

Parameters
----------
default_action
    The reference action ``c`` (``0 ≤ c < n_actions``); zero externality by definition.
scale
    Multiplier of the externality (``0``: no mechanism; ``1``: the full Pigouvian tax).
budget_balanced
    Redistribute each copy's net collection equally among its members.

Reference: Pigou (1920), *The Economics of Welfare*.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import Field

from incentive_lab.core.game import Game
from incentive_lab.core.mechanism import Adjustment
from incentive_lab.core.registry import register
from incentive_lab.core.types import Actions, Rewards
from incentive_lab.mechanisms.budget import balance_within_copies
from incentive_lab.mechanisms.counterfactual import ClampingMechanism, ClampParams, externality


class PigouvianTaxParams(ClampParams):
    """Parameters of ``pigouvian_tax``."""

    default_action: int = Field(default=0, ge=0)
    """Reference action ``c``: externalities are measured against ``i`` playing ``c``."""
    scale: float = Field(default=1.0, ge=0.0, allow_inf_nan=False)
    """Multiplier of the externality paid (``t_i = scale · ext_i``)."""
    budget_balanced: bool = False
    """Hand each copy's net collection back to its members in equal shares."""


@register(
    "mechanism",
    "pigouvian_tax",
    params=PigouvianTaxParams,
    description="Each agent pays (or is paid) the externality it imposes on its group.",
    stateless=True,
    pays=True,
    shaping=False,
    counterfactual=True,
)
class PigouvianTax(ClampingMechanism[PigouvianTaxParams]):
    """Transfers ``scale · ext_i`` (budget-balanced within copies if asked)."""

    def adjust(
        self, game: Game[Any], actions: Actions, rewards: Rewards, info: dict[str, Any]
    ) -> Adjustment:
        """Return ``R_i + scale · ext_i`` with the matching transfers."""
        rewards = np.asarray(rewards, dtype=np.float64)
        if self.params.scale == 0.0:
            return Adjustment.payments(rewards, np.zeros_like(rewards))
        deviation = self.clamped(game, actions)
        transfers = self.params.scale * externality(game, actions, rewards, deviation)
        if self.params.budget_balanced:
            transfers = balance_within_copies(transfers, game.copies)
        return Adjustment.payments(rewards, transfers)
