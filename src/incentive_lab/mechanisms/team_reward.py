"""``team_reward``: every agent is paid its group's total (or mean) reward.

Each agent ``i`` optimises the welfare of its copy instead of its own reward::

    U_i = Σ_{j ∈ copy(i)} R_j              (normalise = False, the default)
    U_i = (1/n_c) Σ_{j ∈ copy(i)} R_j      (normalise = True)

equivalently a shaping bonus ``b_i = U_i − R_i``. With a team reward the learners' interests
coincide with the designer's (a fully cooperative game), at the price of a credit-assignment
problem: every agent sees the same signal whatever its own contribution (compare
``difference_rewards``). Pure shaping: no money moves, transfers and cost are zero.

On differentiable games (``core.differentiable``) :meth:`TeamReward.shape_losses` applies
the same formula to the players' torch losses, so gradient learners optimise the team loss.

Parameters
----------
normalise
    Use the copy's mean instead of its sum (same incentives, reward scale independent of the
    group size).

Reference: Wolpert & Tumer (2002), "Optimal payoff functions for members of collectives"
(the "team game" baseline).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from incentive_lab.core.capabilities import Capability
from incentive_lab.core.differentiable import copy_mean_matrix, same_copy_matrix
from incentive_lab.core.game import Game
from incentive_lab.core.mechanism import Adjustment, Mechanism
from incentive_lab.core.params import Params
from incentive_lab.core.registry import register
from incentive_lab.core.types import Actions, IntArray, Rewards
from incentive_lab.mechanisms.copies import copy_mean, copy_sum


class TeamRewardParams(Params):
    """Parameters of ``team_reward``."""

    normalise: bool = False
    """Give each agent its copy's mean reward instead of the sum."""


@register(
    "mechanism",
    "team_reward",
    params=TeamRewardParams,
    description="Every agent receives its group's total (or mean) reward; pure shaping.",
    stateless=True,
    pays=False,
    shaping=True,
)
class TeamReward(Mechanism[TeamRewardParams]):
    """Shaped reward = the copy's total (or mean) base reward."""

    capabilities = frozenset({Capability.LOSS_SHAPING})

    def adjust(
        self, game: Game[Any], actions: Actions, rewards: Rewards, info: dict[str, Any]
    ) -> Adjustment:
        """Return the team reward of every agent (no transfers)."""
        rewards = np.asarray(rewards, dtype=np.float64)
        copies = game.copies
        if self.params.normalise:
            return Adjustment.shaping(copy_mean(rewards, copies))
        return Adjustment.shaping(copy_sum(rewards, copies))

    def shape_losses(self, losses: Any, probs: Any, copies: IntArray) -> Any:
        """The same shaping on torch losses (differentiable games, ``core.differentiable``)."""
        matrix = copy_mean_matrix(copies) if self.params.normalise else same_copy_matrix(copies)
        return losses.new_tensor(matrix) @ losses
