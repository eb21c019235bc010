"""``exposure_fairness``: tax recommender agents for unfair exposure of content providers.

Agent ``i`` gave ``e_ip`` slate slots to provider ``p`` this round; its exposure
distribution ``ê_i = e_i / Σ_p e_ip`` is compared with a target ``π`` (each provider's share
of the catalogue, or uniform) by the total-variation distance::

    TV_i = ½ Σ_p |ê_ip − π_p|,      t_i = −λ · TV_i · served_i / U

(``served_i``: users it served, ``U``: user slots; so the tax is in the unit of the base
reward, clicks per user slot). The proceeds are a subsidy to the under-exposed providers
(outside the agent population; reported as the diagnostic ``provider_subsidy``), or, with
``budget_balanced``, are handed back to the agents in equal shares
(``mechanisms.budget``), so that only relative fairness is rewarded. Exposure fairness in
the sense of Singh & Joachims (2018), "Fairness of exposure in rankings", KDD.

Parameters
----------
rate
    ``λ ≥ 0``: the tax per user slot of a fully concentrated exposure (``TV = 1``).
target
    ``catalogue`` (``π_p`` = provider's share of items) or ``uniform`` (``1/P``).

Which target for which question. ``catalogue`` is Singh & Joachims' demographic parity:
equal mean exposure per *item* across providers, so a provider with more items gets more
slots and the fair exposure distribution over providers is itself unequal. ``uniform``
gives every provider the same exposure (the producer side of Patro et al. 2020, "FairRec:
two-sided fairness for personalized recommendations in two-sided platforms", WWW), which
is the reference of the provider exposure Gini (``games.recommender.metrics``): to lower
that Gini, target ``uniform``. Measured in the 3-agent competition of
``tests/games/recommender/test_competition_acceptance.py`` (12 paired seeds): ``uniform``
lowers the platform's amortized provider Gini 0.360 → 0.249 (CI of the drop 0.067–0.155);
``catalogue`` lowers the learners' distance from its target but the Gini only 0.360 → 0.327
(CI −0.016 to +0.083). The tax acts through rewards, so fixed strategies (``popular``)
are not moved by it.
budget_balanced
    Return the proceeds to the agents in equal shares.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from pydantic import Field

from incentive_lab.core.game import Game
from incentive_lab.core.mechanism import Adjustment
from incentive_lab.core.params import Params
from incentive_lab.core.types import Actions, FloatArray, Rewards
from incentive_lab.mechanisms.budget import balance_within_copies
from incentive_lab.mechanisms.platform.base import PlatformMechanism, register_platform


class ExposureFairnessParams(Params):
    """Parameters of ``exposure_fairness``."""

    rate: float = Field(2.0, ge=0.0, le=1e6)
    """Tax ``λ`` per served user slot for a fully concentrated exposure (TV = 1)."""
    target: Literal["catalogue", "uniform"] = "catalogue"
    """Fair exposure: providers' catalogue shares or uniform over providers."""
    budget_balanced: bool = False
    """Hand the proceeds back to the agents in equal shares (net zero)."""


def exposure_distance(exposure: FloatArray, target: FloatArray) -> FloatArray:
    """``float64[n]``: ``½ Σ_p |ê_ip − π_p|`` (0 for an agent that showed nothing)."""
    total = exposure.sum(axis=1, keepdims=True)
    share = np.divide(exposure, total, out=np.zeros_like(exposure), where=total > 0)
    distance = 0.5 * np.abs(share - target[None, :]).sum(axis=1)
    return np.where(total[:, 0] > 0, distance, 0.0)


@register_platform(
    "exposure_fairness",
    params=ExposureFairnessParams,
    description="Tax recommender agents by the distance of their provider exposure from fair",
    stateless=True,
    pays=True,
    shaping=False,
)
class ExposureFairness(PlatformMechanism[ExposureFairnessParams]):
    """Transfers ``−λ·TV_i·served_i/U`` (optionally budget-balanced)."""

    def __init__(self, params: ExposureFairnessParams, game: Game[Any], rng: Any) -> None:
        super().__init__(params, game, rng)
        self.subsidy = 0.0

    def adjust(
        self, game: Game[Any], actions: Actions, rewards: Rewards, info: dict[str, Any]
    ) -> Adjustment:
        """Tax each agent for the unfairness of the exposure it gave providers."""
        out = self.outcome(info)
        p = self.params
        n_providers = out.provider_exposure.shape[1]
        if p.target == "uniform":
            target = np.full(n_providers, 1.0 / n_providers)
        else:
            target = out.provider_share
        distance = exposure_distance(out.provider_exposure, target)
        transfers = -p.rate * distance * out.served / out.n_users
        self.subsidy = float(-transfers.sum())
        if p.budget_balanced:
            transfers = balance_within_copies(transfers, game.copies)
            self.subsidy = 0.0
        return Adjustment.payments(np.asarray(rewards, dtype=np.float64), transfers)

    def update(
        self, game: Game[Any], actions: Actions, rewards: Rewards, adjustment: Adjustment
    ) -> dict[str, float]:
        """Report the step's subsidy to under-exposed providers."""
        return {"provider_subsidy": self.subsidy}
