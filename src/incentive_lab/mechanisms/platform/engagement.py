"""``engagement_shaping``: reward recommender agents for their users' long-term engagement.

Clicks are a short-term signal; what the platform wants long-term is users who stay. This
shaping adds to agent ``i``'s clicks per user slot ``r_i`` the change of its users' latent
satisfaction and a penalty for the users it lost::

    r̃_i = r_i + w_s · ΔS_i / U − w_c · churned_i / U

(``ΔS_i``: summed satisfaction change of the users ``i`` served this round, ``U``: user
slots; see ``games.recommender.users``). Satisfaction grows with the *quality* of consumed
items, so agents are pushed from click-bait toward quality. Pure shaping: no money moves.
In the spirit of long-term-value reward shaping for recommenders (Zou et al. 2019,
"Reinforcement learning to optimize long-term user engagement", KDD).

Parameters
----------
satisfaction_weight
    ``w_s ≥ 0``. ``churn_penalty``: ``w_c ≥ 0``.
"""

from __future__ import annotations

from pydantic import Field

from incentive_lab.core.params import Params
from incentive_lab.core.recommendation import RecommenderOutcome
from incentive_lab.core.types import FloatArray
from incentive_lab.mechanisms.platform.base import PerSlotMechanism, register_platform


class EngagementShapingParams(Params):
    """Parameters of ``engagement_shaping``."""

    satisfaction_weight: float = Field(1.0, ge=0.0, le=1e6)
    """Weight ``w_s`` of the users' satisfaction change (per user slot)."""
    churn_penalty: float = Field(1.0, ge=0.0, le=1e6)
    """Penalty ``w_c`` per churned user (per user slot)."""


@register_platform(
    "engagement_shaping",
    params=EngagementShapingParams,
    description="Recommender agents also earn their users' satisfaction change, minus churn",
    stateless=True,
    pays=False,
    shaping=True,
)
class EngagementShaping(PerSlotMechanism[EngagementShapingParams]):
    """``r + w_s ΔS/U − w_c churned/U`` (pure shaping)."""

    def amount(self, outcome: RecommenderOutcome) -> FloatArray:
        """``w_s ΔS_i − w_c churned_i``: satisfaction change and churn of the agent's users."""
        p = self.params
        return p.satisfaction_weight * outcome.satisfaction - p.churn_penalty * outcome.churned
