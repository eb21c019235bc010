"""Auction payment rules as mechanisms: ``first_price``, ``second_price``, ``vcg``.

The auction game (``games.auction``) decides the allocation and pays each bidder the value
it won as its base reward; these mechanisms charge the payment: the transfer of bidder
``i`` is ``t_i = −p_i`` with ``p_i`` from :mod:`~incentive_lab.mechanisms.auction.payments`,
computed from the :class:`~incentive_lab.core.outcomes.AuctionOutcome` the game publishes in
``info["auction"]``. Learners therefore optimise the quasi-linear utility ``v_i·w_i − p_i``.
The reserve price is the game's option (``game.params.reserve``): it changes the allocation,
and every rule here honours it.

Revenue
    The designer collects ``Σ_i p_i = −Σ_i t_i``, already recorded as ``net_transfer``
    (``revenue = −net_transfer``); ``update`` also reports it per auction as the
    diagnostic ``revenue`` (recorded as ``mechanism/revenue``), because only the mechanism,
    not the game, knows the payments. ``cost`` is ``Σ|t_i|`` as for every payment rule.

Validation (at construction, against the game's ``core.outcomes.AuctionRules``)
    Every rule needs an auction game. ``second_price`` needs a losing bidder to set the
    price: with unit demand ``n_items < n_bidders``.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from incentive_lab.core.capabilities import Capability
from incentive_lab.core.errors import ConfigError
from incentive_lab.core.game import Game
from incentive_lab.core.mechanism import Adjustment, Mechanism
from incentive_lab.core.outcomes import AuctionOutcome, AuctionRules
from incentive_lab.core.params import Params
from incentive_lab.core.registry import register
from incentive_lab.core.types import Actions, FloatArray, Rewards
from incentive_lab.mechanisms.auction import payments as auction_payments


class AuctionRuleParams(Params):
    """Auction payment rules have no parameters (the reserve is the game's)."""


class PaymentRule(Mechanism[AuctionRuleParams]):
    """Charge ``rule(outcome)`` to each bidder as a transfer ``−p_i``."""

    rule_id: ClassVar[str] = ""

    def __init__(
        self, params: AuctionRuleParams, game: Game[Any], rng: np.random.Generator
    ) -> None:
        super().__init__(params, game, rng)
        if not isinstance(game, AuctionRules):
            raise ConfigError(
                "mechanism.id", self.rule_id, "an auction game (one that publishes info['auction'])"
            )
        self.check(game)
        self.n_auctions = max(1, game.n_agents // game.n_bidders)

    def check(self, game: AuctionRules) -> None:
        """Raise ``ConfigError`` if the rule does not apply to ``game``."""

    def payments(self, outcome: AuctionOutcome) -> FloatArray:
        """What each bidder pays, ``float64[n] ≥ 0``."""
        raise NotImplementedError

    def adjust(
        self, game: Game[Any], actions: Actions, rewards: Rewards, info: dict[str, Any]
    ) -> Adjustment:
        """Transfers ``−p_i`` from the outcome in ``info["auction"]``."""
        outcome = info.get("auction")
        if not isinstance(outcome, AuctionOutcome):
            raise ConfigError("info.auction", outcome, "an AuctionOutcome from an auction game")
        rewards = np.asarray(rewards, dtype=np.float64)
        return Adjustment.payments(rewards, -self.payments(outcome))

    def update(
        self, game: Game[Any], actions: Actions, rewards: Rewards, adjustment: Adjustment
    ) -> dict[str, float]:
        """Report the revenue per auction, ``−Σ t_i / n_auctions``."""
        return {"revenue": -float(adjustment.transfers.sum()) / self.n_auctions}


@register(
    "mechanism",
    "first_price",
    params=AuctionRuleParams,
    description="First-price sealed-bid auction: each winner pays its bid",
    requires=frozenset({Capability.AUCTION_OUTCOME}),
    stateless=True,
    pays=True,
    shaping=False,
)
class FirstPrice(PaymentRule):
    """Pay your bid."""

    rule_id = "first_price"

    def payments(self, outcome: AuctionOutcome) -> FloatArray:
        """See ``auction_payments.first_price``."""
        return auction_payments.first_price(outcome)


@register(
    "mechanism",
    "second_price",
    params=AuctionRuleParams,
    description="Second-price (Vickrey) auction: each winner pays the highest losing bid",
    requires=frozenset({Capability.AUCTION_OUTCOME}),
    stateless=True,
    pays=True,
    shaping=False,
)
class SecondPrice(PaymentRule):
    """Pay the highest losing bid (or the reserve) per unit of item weight."""

    rule_id = "second_price"

    def payments(self, outcome: AuctionOutcome) -> FloatArray:
        """See ``auction_payments.second_price``."""
        return auction_payments.second_price(outcome)

    def check(self, game: AuctionRules) -> None:
        """Unit demand needs ``n_items < n_bidders`` (a losing bid sets the price)."""
        k = int(game.item_weights.shape[0])
        if game.demand == "unit" and k >= game.n_bidders:
            raise ConfigError(
                "game.params.n_items",
                k,
                f"fewer than n_bidders={game.n_bidders} under second_price "
                "(the price is the highest losing bid)",
            )


@register(
    "mechanism",
    "vcg",
    params=AuctionRuleParams,
    description="VCG (Clarke pivot): each winner pays the externality it imposes on the others",
    requires=frozenset({Capability.AUCTION_OUTCOME}),
    stateless=True,
    pays=True,
    shaping=False,
)
class VCG(PaymentRule):
    """Clarke-pivot payments (reserve as phantom bidders)."""

    rule_id = "vcg"

    def payments(self, outcome: AuctionOutcome) -> FloatArray:
        """See ``auction_payments.vcg``."""
        return auction_payments.vcg(outcome)
