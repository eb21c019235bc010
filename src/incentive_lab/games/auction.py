"""Sealed-bid auctions of ``n_items`` items among ``n_bidders`` learning bidders (``auction``).

Rules (one round = one auction in each of ``n_copies`` independent copies)
    Before each round every bidder ``i`` draws a private value ``v_i`` per unit of item
    weight from ``values`` (``uniform[low, high]``, default ``[0, 1]``) and observes its
    *value bucket* ``⌊B·(v_i − low)/(high − low)⌋`` (``B = n_value_buckets``). Its action
    ``a_i`` picks a bid fraction ``f_a`` on the grid ``f = linspace(0, max_bid_fraction,
    bid_levels)`` (default 0, 0.1, …, 1.0); the bid is ``b_i = f_{a_i}·v_i``.

    Items have weights ``q_1 ≥ … ≥ q_k`` (``item_weights``, default all 1: identical items;
    different weights: heterogeneous tasks, bidder ``i`` values item ``j`` at ``v_i·q_j``).
    Only bids ``b_i ≥ reserve`` take part. Bids are ranked (ties broken uniformly at random
    by the game's generator, drawn once per round), then

    * ``demand = "unit"`` (default): the r-th highest eligible bid gets the r-th heaviest
      item (the welfare-maximising assignment of the reported values); needs
      ``n_items ≤ n_bidders``;
    * ``demand = "additive"``: the highest eligible bid takes every item (additive values
      ``v_i·Σ_j q_j``; also welfare-maximising).

Rewards
    The base reward is the *value won*, ``v_i·won_i`` (gross surplus, no payment): payment
    rules are mechanisms (``first_price``, ``second_price``, ``vcg``) that charge transfers
    from the :class:`~incentive_lab.core.outcomes.AuctionOutcome` this game publishes in
    ``info["auction"]`` each round. So welfare (Σ base rewards) is the allocated value and
    the designer's revenue is ``−Σ transfers``.

Metrics (``info["metrics"]``)
    ``efficiency``: allocated value / best possible value (assortative by true values,
    ignoring the reserve), summed over copies before dividing; ``allocated_value``: mean
    allocated value per copy; ``mean_bid_fraction``: mean ``f_{a_i}``;
    ``bid_fraction_bucket_<k>``: mean ``f_{a_i}`` of the bidders whose value fell in bucket
    ``k`` this round (reported only for non-empty buckets, and only when
    ``n_value_buckets ≤ 20``; the report's bid-vs-value curves).

Counterfactuals (``rewards_for``) replay the last round's values and tie-break draws.

Theory (Krishna, *Auction Theory*, 2nd ed., 2010, ch. 2; Vickrey 1961): with ``n``
bidders and i.i.d. uniform[0, 1] values the symmetric first-price equilibrium bids
``(n−1)/n·v`` (``v/2`` for two bidders); under second price / VCG truthful bidding
(``f = 1``) is weakly dominant and the allocation is efficient.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from gymnasium import spaces
from pydantic import Field, model_validator

from incentive_lab.core.capabilities import Capability
from incentive_lab.core.errors import ConfigError
from incentive_lab.core.game import Game, GameMetadata, StepResult
from incentive_lab.core.outcomes import AuctionOutcome
from incentive_lab.core.params import Params, field_error
from incentive_lab.core.registry import register
from incentive_lab.core.types import Actions, FloatArray, IntArray, Obs, Rewards

MAX_BUCKET_METRICS = 20
"""Games with at most this many value buckets report ``bid_fraction_bucket_<k>``."""


class ValueDistribution(Params):
    """The distribution of each bidder's private value per unit of item weight."""

    dist: Literal["uniform"] = "uniform"
    """Distribution family (``uniform`` on ``[low, high]``)."""
    low: float = Field(0.0, ge=0.0)
    """Smallest value (≥ 0: values are never negative)."""
    high: float = Field(1.0, gt=0.0)
    """Largest value (> low)."""

    @model_validator(mode="after")
    def _ordered(self) -> ValueDistribution:
        if not self.high > self.low:
            raise field_error("values", "high", self.high, f"greater than low={self.low}")
        return self


class AuctionParams(Params):
    """Parameters of the ``auction`` game."""

    n_bidders: int = Field(2, ge=2)
    """Bidders per auction."""
    n_items: int = Field(1, ge=1)
    """Items (tasks) per auction; at most ``n_bidders`` with unit demand."""
    n_copies: int = Field(1, ge=1)
    """Independent auctions run at once (``n_agents = n_copies·n_bidders``)."""
    values: ValueDistribution = ValueDistribution(dist="uniform", low=0.0, high=1.0)
    """Private value distribution, e.g. ``{dist: uniform, low: 0, high: 1}``."""
    bid_levels: int = Field(11, ge=2, le=1001)
    """Number of bid fractions on the grid ``linspace(0, max_bid_fraction, bid_levels)``."""
    max_bid_fraction: float = Field(1.0, gt=0.0, le=10.0)
    """Largest bid as a fraction of value (> 1 allows overbidding)."""
    n_value_buckets: int = Field(10, ge=1, le=10_000)
    """Observation: the value quantised into this many equal buckets."""
    item_weights: list[float] | None = None
    """Weight of each item (length ``n_items``, > 0); ``None``: identical items of weight 1."""
    demand: Literal["unit", "additive"] = "unit"
    """``unit``: one item per bidder at most; ``additive``: a bidder may win all items."""
    reserve: float = Field(0.0, ge=0.0)
    """Reserve price per unit of item weight: lower bids are not allocated."""

    @model_validator(mode="after")
    def _consistent(self) -> AuctionParams:
        if self.demand == "unit" and self.n_items > self.n_bidders:
            allowed = f"at most n_bidders={self.n_bidders} items with unit demand"
            raise field_error("auction", "n_items", self.n_items, allowed)
        weights = self.item_weights
        if weights is not None:
            if len(weights) != self.n_items:
                allowed = f"one weight per item ({self.n_items})"
                raise field_error("auction", "item_weights", weights, allowed)
            if not all(np.isfinite(w) and w > 0 for w in weights):
                raise field_error("auction", "item_weights", weights, "finite weights > 0")
        return self

    def weights(self) -> FloatArray:
        """Item weights sorted in decreasing order."""
        if self.item_weights is None:
            return np.ones(self.n_items)
        return np.sort(np.asarray(self.item_weights, dtype=np.float64))[::-1].copy()


@register(
    "game",
    "auction",
    params=AuctionParams,
    description="Sealed-bid auctions of k items; bids are fractions of private values",
    stochastic=True,
    cooperative_action=None,
)
class AuctionGame(Game[AuctionParams]):
    """``n_copies`` independent sealed-bid auctions; payments come from mechanisms."""

    capabilities = frozenset({Capability.AUCTION_OUTCOME})

    def __init__(self, params: AuctionParams) -> None:
        super().__init__(params)
        self.n_bidders = params.n_bidders
        self.n_agents = params.n_copies * params.n_bidders
        self.n_actions = params.bid_levels
        self.observation_space = spaces.Discrete(params.n_value_buckets)
        self._copies = np.arange(self.n_agents, dtype=np.int64) // params.n_bidders
        self._rules_changed()
        self._rng = np.random.default_rng(0)
        self._values = self._draw_values()
        self._played = self._values.copy()
        self._priority = np.zeros(self.n_agents)

    def _rules_changed(self) -> None:
        p = self.params
        self.fractions = np.linspace(0.0, p.max_bid_fraction, p.bid_levels)
        self.item_weights = p.weights()
        names = tuple(f"bid {f:.3g}v" for f in self.fractions)
        self.metadata = GameMetadata(action_names=names, stochastic=True)

    @property
    def copies(self) -> IntArray:
        """``copies[i] = i // n_bidders``."""
        return self._copies

    @property
    def demand(self) -> Literal["unit", "additive"]:
        """``unit`` or ``additive`` demand (``core.outcomes.AuctionRules``)."""
        return self.params.demand

    @property
    def values(self) -> FloatArray:
        """The private values of the round about to be played (``float64[n]``)."""
        return self._values.copy()

    # -- episode -------------------------------------------------------------------------
    def _draw_values(self) -> FloatArray:
        dist = self.params.values
        drawn: FloatArray = self._rng.uniform(dist.low, dist.high, size=self.n_agents)
        return drawn

    def _obs(self) -> IntArray:
        dist, buckets = self.params.values, self.params.n_value_buckets
        scaled = np.floor((self._values - dist.low) / (dist.high - dist.low) * buckets)
        return np.clip(scaled, 0, buckets - 1).astype(np.int64)

    def reset(self, rng: np.random.Generator) -> Obs:
        """Keep ``rng``; draw the first round's values; observe their buckets."""
        self._rng = rng
        self._values = self._draw_values()
        self._played = self._values.copy()
        self._priority = np.zeros(self.n_agents)
        return self._obs()

    def step(self, actions: Actions) -> StepResult:
        """Allocate by bids, pay out values won, publish the outcome, draw the next values."""
        actions = self.check_actions(actions)
        self._played = self._values
        self._priority = self._rng.random(self.n_agents)
        bids, won = self.allocate(actions)
        rewards = self._played * won
        best = self._best_value(self._played).sum()
        fractions = self.fractions[actions]
        info = {
            "auction": AuctionOutcome(
                bids=bids,
                won=won,
                item_weights=self.item_weights.copy(),
                reserve=self.params.reserve,
                demand=self.params.demand,
                copies=self._copies,
            ),
            "values": self._played.copy(),
            "metrics": {
                "efficiency": float(rewards.sum() / best) if best > 0 else 1.0,
                "allocated_value": float(rewards.sum()) / self.params.n_copies,
                "mean_bid_fraction": float(fractions.mean()),
                **self._bucket_fractions(fractions),
            },
        }
        self._values = self._draw_values()
        return StepResult(obs=self._obs(), rewards=rewards, info=info)

    def _bucket_fractions(self, fractions: FloatArray) -> dict[str, float]:
        """``bid_fraction_bucket_<k>``: mean bid fraction per non-empty value bucket."""
        buckets = self.params.n_value_buckets
        if buckets > MAX_BUCKET_METRICS:
            return {}
        observed = self._obs()  # the buckets of the values just played (``_values``)
        counts = np.bincount(observed, minlength=buckets)
        sums = np.bincount(observed, weights=fractions, minlength=buckets)
        return {
            f"bid_fraction_bucket_{k}": float(sums[k] / counts[k]) for k in np.flatnonzero(counts)
        }

    # -- allocation ----------------------------------------------------------------------
    def allocate(self, actions: Actions) -> tuple[FloatArray, FloatArray]:
        """``(bids, won)`` of the last round's context: bids and item weight won, ``[n]``."""
        bids = self.fractions[np.asarray(actions, dtype=np.int64)] * self._played
        shape = (self.params.n_copies, self.n_bidders)
        order = np.lexsort((-self._priority.reshape(shape), -bids.reshape(shape)))
        k = self.params.n_items
        by_rank = np.zeros(self.n_bidders)  # weight won at each rank
        if self.params.demand == "unit":
            by_rank[:k] = self.item_weights
        else:
            by_rank[0] = self.item_weights.sum()
        eligible = np.take_along_axis(bids.reshape(shape), order, 1) >= self.params.reserve
        won_sorted = by_rank[None, :] * eligible
        won = np.empty(shape)
        np.put_along_axis(won, order, won_sorted, axis=1)
        return bids, won.reshape(-1)

    def _best_value(self, values: FloatArray) -> FloatArray:
        """Best possible allocated value per copy (assortative by true values)."""
        ranked = -np.sort(-values.reshape(self.params.n_copies, self.n_bidders), axis=1)
        if self.params.demand == "additive":
            best: FloatArray = ranked[:, 0] * self.item_weights.sum()
            return best
        k = self.params.n_items
        return np.asarray(ranked[:, :k] @ self.item_weights, dtype=np.float64)

    def rewards_for(self, actions: Actions) -> Rewards:
        """Values won with ``actions`` in the last round (same values and tie-breaks)."""
        _, won = self.allocate(actions)
        rewards: Rewards = self._played * won
        return rewards

    def describe(self) -> str:
        """The rules in plain text."""
        p = self.params
        items = "identical items" if p.item_weights is None else f"items weighing {p.item_weights}"
        return (
            f"Sealed-bid auction: {p.n_bidders} bidders, {p.n_items} {items}, {p.demand} demand. "
            f"Each round your private value per unit is uniform on [{p.values.low}, "
            f"{p.values.high}] (you observe its bucket out of {p.n_value_buckets}); you bid a "
            f"fraction of it (action k bids {p.max_bid_fraction}·k/{p.bid_levels - 1} of your "
            f"value). Highest bids at or above the reserve {p.reserve} win; your reward is "
            "the value you win minus what the payment rule charges."
        )

    def reconfigure(self, **changes: object) -> None:
        """Change values, reserve, weights mid-run; population and grid sizes stay fixed."""
        for key in ("n_bidders", "n_copies", "bid_levels", "n_items", "n_value_buckets"):
            if key in changes and changes[key] != getattr(self.params, key):
                raise ConfigError(f"game.params.{key}", changes[key], "cannot change mid-run")
        super().reconfigure(**changes)
