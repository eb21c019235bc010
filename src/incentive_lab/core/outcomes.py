"""Structured step outcomes that allocation games publish for payment mechanisms.

A mechanism sees a game only through the ``core`` protocol. Payment rules of auctions need
the *reports* (bids), not the values the game pays out as base rewards; tolls need the
per-edge flows of a routing game. Games that have such data put one of these frozen records
in ``StepResult.info`` under the key named by the class (``info["auction"]``,
``info["routing"]``), and the mechanisms read it from the ``info`` that ``adjust`` receives.
Both are pure data (arrays over agents, items or edges), so any game can publish them.

``AuctionOutcome`` (``info["auction"]``)
    ``bids[i]``: bidder ``i``'s report, a bid *per unit of item weight* (its value times
    its bid fraction); ``won[i]``: the total item weight allocated to ``i`` (0: nothing);
    ``item_weights``: the items' weights sorted in decreasing order (all 1 for identical
    items); ``reserve``: the reserve price per unit of item weight (0: none); ``demand``:
    ``"unit"`` (at most one item per bidder, assortative: the r-th highest bid gets the
    r-th heaviest item) or ``"additive"`` (the highest bid takes every item); ``copies``:
    the independent auction each bidder belongs to.

``RoutingOutcome`` (``info["routing"]``)
    ``incidence[p, e]``: path ``p`` uses edge ``e``; ``edge_flow[e]`` = ``x_e``;
    ``edge_marginal[e]`` = ``x_e·ℓ_e'(x_e)`` (the marginal-cost toll); ``edge_labels[e]``:
    ``"u->v"``. An agent's action is the index of its path.

``PublicGoodsOutcome`` (``info["public_goods"]``)
    ``cooperating[i]``: agent ``i`` contributed; ``share[i]`` = ``c·(m_i + 1[i cooperates]) /
    (d_i + 1)``: the contributions of ``i``'s focal group per member, before the multiplier,
    so that ``π_i = r·share_i − c·1[i cooperates]`` with ``r = r_c`` for a cooperator and
    ``r_d`` for a defector; ``r_c``, ``r_d``: the multipliers in force this round.

``AuctionRules`` and ``RoutingRules`` are runtime-checkable protocols of the games' static
rules (bidders per auction, item weights, demand; edge labels), so that payment and toll
mechanisms can check at construction that they fit the game.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

from incentive_lab.core.types import BoolArray, FloatArray, IntArray


@dataclass(frozen=True)
class AuctionOutcome:
    """One round of sealed-bid auctions in every copy (arrays over bidders ``[n]``)."""

    bids: FloatArray
    won: FloatArray
    item_weights: FloatArray
    reserve: float
    demand: Literal["unit", "additive"]
    copies: IntArray


@dataclass(frozen=True)
class RoutingOutcome:
    """One step of a routing game: paths over edges, flows and marginal costs per edge."""

    incidence: BoolArray
    edge_flow: FloatArray
    edge_marginal: FloatArray
    edge_labels: tuple[str, ...]


@dataclass(frozen=True)
class PublicGoodsOutcome:
    """One round of a public goods game with cooperator/defector multipliers (arrays ``[n]``)."""

    cooperating: BoolArray
    share: FloatArray
    r_c: float
    r_d: float


@runtime_checkable
class AuctionRules(Protocol):
    """An auction game's static rules."""

    @property
    def n_bidders(self) -> int:
        """Bidders per auction (copy)."""
        ...

    @property
    def item_weights(self) -> FloatArray:
        """Item weights in decreasing order (``float64[k]``)."""
        ...

    @property
    def demand(self) -> Literal["unit", "additive"]:
        """``unit`` or ``additive`` demand."""
        ...


@runtime_checkable
class RoutingRules(Protocol):
    """A routing game's static rules: the labels ``"u->v"`` of its edges, in edge order."""

    @property
    def edge_labels(self) -> tuple[str, ...]:
        """Edge labels ``"u->v"`` (index ``e`` of ``RoutingOutcome`` arrays)."""
        ...


@runtime_checkable
class PublicGoodsRules(Protocol):
    """A public goods game that can report a round as a :class:`PublicGoodsOutcome`."""

    def outcome(self, actions: IntArray) -> PublicGoodsOutcome:
        """The outcome of ``actions`` in the current round's groups."""
        ...
