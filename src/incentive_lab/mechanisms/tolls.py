"""Road tolls for routing games: ``marginal_cost_toll`` (Pigouvian) and ``fixed_toll``.

Each edge ``e`` carries a toll ``τ_e`` per unit of flow; an agent on path ``p`` pays
``Σ_{e ∈ p} τ_e``, so its transfer is ``t_i = −Σ_{e ∈ path(a_i)} τ_e`` (the same unit as
its base reward, minus the path latency). Both read the
:class:`~incentive_lab.core.outcomes.RoutingOutcome` a routing game (``games.congestion``)
publishes in ``info["routing"]``.

* ``marginal_cost_toll``: ``τ_e = scale·x_e·ℓ_e'(x_e)`` at the current flow — the
  externality one more unit of flow imposes on the others. With ``scale = 1`` the Wardrop
  flow of the tolled network is the system optimum (Beckmann, McGuire & Winsten 1956;
  Roughgarden 2005 §2.6): in Pigou's network ``ℓ_2(x) = x`` gets ``τ_2 = x``, the tolled
  latencies ``1`` and ``2x`` equalise at the optimal ½/½ split; in Braess's network the
  tolls make the zig-zag path strictly worse than the outer paths off the optimum, removing
  the paradox. (For atomic play this is the nonatomic rule, not the discrete externality.)
* ``fixed_toll``: constant tolls ``{"u->v": τ}`` per edge label (edges not named: 0; a
  negative toll is a subsidy); labels are checked against the game at construction.

``update`` reports ``toll_revenue = Σ_e x_e τ_e`` (total tolls per step, in flow units,
comparable to ``total_latency``) as a diagnostic (recorded as ``mechanism/toll_revenue``).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from pydantic import Field

from incentive_lab.core.capabilities import Capability
from incentive_lab.core.errors import ConfigError
from incentive_lab.core.game import Game
from incentive_lab.core.mechanism import Adjustment, Mechanism
from incentive_lab.core.outcomes import RoutingOutcome, RoutingRules
from incentive_lab.core.params import Params
from incentive_lab.core.registry import register
from incentive_lab.core.types import Actions, FloatArray, Rewards


class MarginalCostTollParams(Params):
    """Parameters of ``marginal_cost_toll``."""

    scale: float = Field(1.0, ge=0.0)
    """Multiplier of the marginal-cost toll ``x_e·ℓ_e'(x_e)`` (1: the Pigouvian toll)."""


class FixedTollParams(Params):
    """Parameters of ``fixed_toll``."""

    tolls: dict[str, float] = Field(default_factory=dict)
    """Toll per unit of flow by edge label ``"u->v"`` (unnamed edges: 0; negative: subsidy)."""


class EdgeToll(Mechanism[Any]):
    """Charge ``Σ_{e ∈ path} τ_e`` to every agent; subclasses define ``τ``."""

    toll_id: ClassVar[str] = ""

    def __init__(self, params: Any, game: Game[Any], rng: np.random.Generator) -> None:
        super().__init__(params, game, rng)
        if not isinstance(game, RoutingRules):
            raise ConfigError("mechanism.id", self.toll_id, "a routing game (e.g. congestion)")
        self.edge_labels = tuple(game.edge_labels)
        self.revenue = 0.0

    def edge_tolls(self, outcome: RoutingOutcome) -> FloatArray:
        """``τ_e`` per edge (``float64[m]``)."""
        raise NotImplementedError

    def adjust(
        self, game: Game[Any], actions: Actions, rewards: Rewards, info: dict[str, Any]
    ) -> Adjustment:
        """Transfers ``−Σ_{e ∈ path(a_i)} τ_e``."""
        outcome = info.get("routing")
        if not isinstance(outcome, RoutingOutcome):
            raise ConfigError("info.routing", outcome, "a RoutingOutcome from a routing game")
        tolls = self.edge_tolls(outcome)
        path_tolls = outcome.incidence.astype(np.float64) @ tolls
        self.revenue = float(outcome.edge_flow @ tolls)
        rewards = np.asarray(rewards, dtype=np.float64)
        return Adjustment.payments(rewards, -path_tolls[np.asarray(actions, dtype=np.int64)])

    def update(
        self, game: Game[Any], actions: Actions, rewards: Rewards, adjustment: Adjustment
    ) -> dict[str, float]:
        """Report ``toll_revenue = Σ_e x_e τ_e`` of the last step."""
        return {"toll_revenue": self.revenue}


@register(
    "mechanism",
    "marginal_cost_toll",
    params=MarginalCostTollParams,
    description="Pigouvian road tolls: each edge charges x·l'(x), the marginal congestion cost",
    requires=frozenset({Capability.ROUTING_OUTCOME}),
    stateless=True,
    pays=True,
    shaping=False,
)
class MarginalCostToll(EdgeToll):
    """``τ_e = scale·x_e·ℓ_e'(x_e)``."""

    toll_id = "marginal_cost_toll"

    def edge_tolls(self, outcome: RoutingOutcome) -> FloatArray:
        """The marginal-cost toll at the current flow."""
        tolls: FloatArray = self.params.scale * outcome.edge_marginal
        return tolls


@register(
    "mechanism",
    "fixed_toll",
    params=FixedTollParams,
    description="Constant road tolls per edge of a routing game",
    requires=frozenset({Capability.ROUTING_OUTCOME}),
    stateless=True,
    pays=True,
    shaping=False,
)
class FixedToll(EdgeToll):
    """Constant ``τ_e`` from ``tolls``."""

    toll_id = "fixed_toll"

    def __init__(self, params: FixedTollParams, game: Game[Any], rng: np.random.Generator) -> None:
        super().__init__(params, game, rng)
        self.table = np.zeros(len(self.edge_labels))
        for label, toll in params.tolls.items():
            if label not in self.edge_labels:
                allowed = f"edge labels of the game: {', '.join(self.edge_labels)}"
                raise ConfigError(f"mechanism.params.tolls.{label}", label, allowed)
            if not np.isfinite(toll):
                raise ConfigError(f"mechanism.params.tolls.{label}", toll, "a finite number")
            self.table[self.edge_labels.index(label)] = toll

    def edge_tolls(self, outcome: RoutingOutcome) -> FloatArray:
        """The constant tolls."""
        return self.table
