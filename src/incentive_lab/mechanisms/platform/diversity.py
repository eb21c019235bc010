"""``diversity_bonus``: the platform pays recommender agents for diverse slates.

Agent ``i`` receives, per user slot, a bonus proportional to the intra-list diversity of
the slates it showed (mean pairwise cosine distance of the items' topic vectors,
``games.recommender.choice.intra_list_diversity``; summed over its users)::

    t_i = w · Σ_{u served by i} ILD(slate_u) / U

A real transfer (the designer pays ``+``); learners see ``r_i + t_i``. Diversity counters the
filter bubble that interest drift and click-greedy slates create (Ziegler et al. 2005,
"Improving recommendation lists through topic diversification", WWW).

Parameters
----------
weight
    ``w ≥ 0``: the bonus for a maximally diverse slate per user slot.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import Field

from incentive_lab.core.capabilities import Capability
from incentive_lab.core.game import Game
from incentive_lab.core.mechanism import Adjustment
from incentive_lab.core.params import Params
from incentive_lab.core.registry import register
from incentive_lab.core.types import Actions, Rewards
from incentive_lab.mechanisms.platform.base import PlatformMechanism


class DiversityBonusParams(Params):
    """Parameters of ``diversity_bonus``."""

    weight: float = Field(0.1, ge=0.0, le=1e6)
    """Bonus ``w`` per user slot for a maximally diverse slate (ILD = 1)."""


@register(
    "mechanism",
    "diversity_bonus",
    params=DiversityBonusParams,
    description="The platform pays recommender agents for the intra-list diversity of slates",
    requires=frozenset({Capability.RECOMMENDER_OUTCOME}),
    stateless=True,
    pays=True,
    shaping=False,
)
class DiversityBonus(PlatformMechanism[DiversityBonusParams]):
    """Transfers ``w · ΣILD_i / U``."""

    mechanism_id = "diversity_bonus"

    def adjust(
        self, game: Game[Any], actions: Actions, rewards: Rewards, info: dict[str, Any]
    ) -> Adjustment:
        """Pay each agent for its slates' diversity."""
        out = self.outcome(info)
        transfers = self.params.weight * out.diversity / out.n_users
        return Adjustment.payments(np.asarray(rewards, dtype=np.float64), transfers)
