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

from pydantic import Field

from incentive_lab.core.params import Params
from incentive_lab.core.recommendation import RecommenderOutcome
from incentive_lab.core.types import FloatArray
from incentive_lab.mechanisms.platform.base import PerSlotMechanism, register_platform


class DiversityBonusParams(Params):
    """Parameters of ``diversity_bonus``."""

    weight: float = Field(0.1, ge=0.0, le=1e6)
    """Bonus ``w`` per user slot for a maximally diverse slate (ILD = 1)."""


@register_platform(
    "diversity_bonus",
    params=DiversityBonusParams,
    description="The platform pays recommender agents for the intra-list diversity of slates",
    stateless=True,
    pays=True,
    shaping=False,
)
class DiversityBonus(PerSlotMechanism[DiversityBonusParams]):
    """Transfers ``w · ΣILD_i / U``."""

    def amount(self, outcome: RecommenderOutcome) -> FloatArray:
        """``w · ΣILD_i``: pay each agent for its slates' diversity."""
        return self.params.weight * outcome.diversity
