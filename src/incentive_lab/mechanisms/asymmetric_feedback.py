"""``asymmetric_feedback``: the designer sets the cooperators' multiplier r_c by payments.

In the public goods game with asymmetric feedback (SPEC §1.2; the UAV-swarm setting of the
seed documents) cooperators' contributions return with multiplier ``r_c`` and defectors'
with a fixed ``r_d``. The game itself may move ``r_c`` with a feedback law; this mechanism
lets a *designer* impose an effective multiplier ``r*`` instead, paying (or charging) each
cooperator the difference::

    t_i = (r* − r_c) · share_i          if i cooperated, else 0

where ``share_i = c·(m_i+1)/(d_i+1)`` is i's per-member share of its focal group's
contributions (``core.outcomes.PublicGoodsOutcome``, published by the game), so a
cooperator's shaped payoff is exactly ``c·((m_i+1)·r*/(d_i+1) − 1)``: the SPEC formula with
``r*``. Defectors keep ``r_d``. The designer's law for ``r*`` (bounded in [α, β]):

* ``constant`` — ``r* = target``;
* ``linear`` — ``r* = α + (β − α)·x``, ``x`` = this round's cooperation fraction (a
  reinforcing feedback: the more cooperate, the better cooperating pays).

``budget_balanced`` recovers the net spend of each copy in equal shares from its members
(``mechanisms.budget``). Real transfers: cost = Σ|t_i|. With ``target = r_c`` the mechanism
is the identity.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from pydantic import Field, model_validator

from incentive_lab.core.capabilities import Capability
from incentive_lab.core.errors import ConfigError
from incentive_lab.core.game import Game
from incentive_lab.core.mechanism import Adjustment
from incentive_lab.core.outcomes import PublicGoodsOutcome, PublicGoodsRules
from incentive_lab.core.params import Params
from incentive_lab.core.registry import register
from incentive_lab.core.types import Actions, Rewards
from incentive_lab.mechanisms.budget import balance_within_copies
from incentive_lab.mechanisms.checked import CheckedMechanism


class AsymmetricFeedbackParams(Params):
    """Parameters of ``asymmetric_feedback``."""

    law: Literal["constant", "linear"] = "constant"
    """How the designer's multiplier r* is set: fixed, or linear in the cooperation level."""
    target: float = Field(5.0, ge=0.0, allow_inf_nan=False)
    """r* of the ``constant`` law (must lie in [alpha, beta])."""
    alpha: float = Field(0.0, ge=0.0, allow_inf_nan=False)
    """Lower bound of r* (``linear``: r* at no cooperation)."""
    beta: float = Field(10.0, ge=0.0, allow_inf_nan=False)
    """Upper bound of r* (``linear``: r* at full cooperation)."""
    budget_balanced: bool = False
    """Recover each copy's net spend from its members in equal shares."""

    @model_validator(mode="after")
    def _bounds(self) -> AsymmetricFeedbackParams:
        if self.alpha > self.beta:
            raise ValueError(f"alpha ({self.alpha}) must not exceed beta ({self.beta})")
        if self.law == "constant" and not self.alpha <= self.target <= self.beta:
            raise ValueError(f"target ({self.target}) must lie in [alpha, beta]")
        return self


@register(
    "mechanism",
    "asymmetric_feedback",
    params=AsymmetricFeedbackParams,
    description="Pay cooperators so their multiplier follows the designer's r* (public goods)",
    requires=frozenset({Capability.PUBLIC_GOODS_OUTCOME}),
    stateless=True,
    pays=True,
    shaping=False,
)
class AsymmetricFeedback(CheckedMechanism[AsymmetricFeedbackParams]):
    """Transfers ``(r* − r_c)·share_i`` to cooperators."""

    def __init__(self, params: AsymmetricFeedbackParams, game: Game[Any], rng: Any) -> None:
        if not isinstance(game, PublicGoodsRules):
            raise ConfigError(
                "mechanism.id",
                "asymmetric_feedback",
                "a public goods game (one that publishes info['public_goods'])",
            )
        super().__init__(params, game, rng)

    def multiplier(self, cooperation: float) -> float:
        """The designer's ``r*`` for a round with cooperation fraction ``cooperation``."""
        p = self.params
        if p.law == "constant":
            return p.target
        return p.alpha + (p.beta - p.alpha) * cooperation

    def adjust(
        self, game: Game[Any], actions: Actions, rewards: Rewards, info: dict[str, Any]
    ) -> Adjustment:
        """Return ``R_i + t_i`` with ``t_i = (r* − r_c)·share_i`` for cooperators."""
        outcome = info.get("public_goods")
        if not isinstance(outcome, PublicGoodsOutcome):
            raise ConfigError(
                "mechanism.id",
                "asymmetric_feedback",
                "a public goods game (one that publishes info['public_goods'])",
            )
        rewards = np.asarray(rewards, dtype=np.float64)
        target = self.multiplier(float(np.mean(outcome.cooperating)))
        transfers = np.where(outcome.cooperating, (target - outcome.r_c) * outcome.share, 0.0)
        if self.params.budget_balanced:
            transfers = balance_within_copies(transfers, game.copies)
        return Adjustment.payments(rewards, transfers)
