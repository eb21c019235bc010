"""``difference_rewards``: each agent is paid its marginal contribution to its group.

Wolpert & Tumer's difference reward (wonderful life utility) clamps agent ``i`` to a default
action ``c`` and measures what its actual action adds to the welfare ``G`` of its copy::

    D_i = G(a) − G(a_−i, c)

``D_i`` is aligned with ``G`` (whatever raises ``D_i`` by changing ``a_i`` raises ``G`` by
the same amount, since the clamped term does not depend on ``a_i``) and sensitive to ``i``'s
own action (the other agents' noise cancels), which solves the credit-assignment problem of
``team_reward``. ``G(a)`` is taken from the step's actual base rewards; the clamped welfare
``G(a_−i, c)`` from ``game.deviation`` (the game must answer counterfactuals, evaluated in
the last step's context). Pure shaping: transfers and cost are zero.

Example (prisoner's dilemma, c = C): at (D, C), ``D_1 = G(D,C) − G(C,C) = 5 − 6 = −1`` and
``D_2 = G(D,C) − G(D,C) = 0``.

Parameters
----------
default_action
    The action ``c`` every agent is clamped to (``0 ≤ c < n_actions``).

Reference: Wolpert & Tumer (2002), "Optimal payoff functions for members of collectives";
Agogino & Tumer (2004), "Unifying temporal and structural credit assignment problems".
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import Field

from incentive_lab.core.game import Game
from incentive_lab.core.mechanism import Adjustment
from incentive_lab.core.registry import register
from incentive_lab.core.types import Actions, Rewards
from incentive_lab.mechanisms.counterfactual import ClampingMechanism, ClampParams


class DifferenceRewardsParams(ClampParams):
    """Parameters of ``difference_rewards``."""

    default_action: int = Field(default=0, ge=0)
    """The action ``c`` each agent is clamped to in the counterfactual ``G(a_−i, c)``."""


@register(
    "mechanism",
    "difference_rewards",
    params=DifferenceRewardsParams,
    description="Each agent receives its marginal contribution G(a) − G(a_−i, c); pure shaping.",
    stateless=True,
    pays=False,
    shaping=True,
    counterfactual=True,
)
class DifferenceRewards(ClampingMechanism[DifferenceRewardsParams]):
    """Shaped reward = copy welfare minus the welfare with the agent clamped to ``c``."""

    def adjust(
        self, game: Game[Any], actions: Actions, rewards: Rewards, info: dict[str, Any]
    ) -> Adjustment:
        """Return ``D_i = G(a) − G(a_−i, c)`` for every agent (no transfers)."""
        rewards = np.asarray(rewards, dtype=np.float64)
        deviation = self.clamped(game, actions)
        return Adjustment.shaping(game.copy_welfare(rewards) - deviation.copy_welfare)
