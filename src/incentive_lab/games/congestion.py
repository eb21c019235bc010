"""Network routing (congestion) games with many agents (``congestion``).

Rules
    A directed network (``preset`` ``pigou`` | ``braess`` | ``braess_no_bridge``, or
    ``graph``: a list of edges ``{source, target, latency: [c0, c1, ...]}`` with
    non-negative polynomial latencies ``ℓ_e(x) = Σ_k c_k x^k``, see
    :mod:`~incentive_lab.games.latency`) and ``n_agents`` agents routing from ``source`` to
    ``sink``. Action ``p`` is the p-th simple path (:mod:`~incentive_lab.games.routing`).
    Each agent carries ``w = demand / n_agents`` units of flow (large-population,
    *nonatomic* play, default ``demand = 1``) or ``w = 1`` with ``atomic: true``. Edge
    flows are ``x_e = w·#{i : e ∈ path(a_i)}``; agent ``i``'s base reward is minus the
    latency of its path, ``R_i = −Σ_{e ∈ path(a_i)} ℓ_e(x_e)``. Tolls are mechanisms
    (``marginal_cost_toll``, ``fixed_toll``) reading the
    :class:`~incentive_lab.core.outcomes.RoutingOutcome` published in ``info["routing"]``.

Metrics (``info["metrics"]``)
    ``total_latency`` ``= Σ_e x_e ℓ_e(x_e)`` (``= w·Σ_i −R_i``); ``price_of_anarchy`` =
    total latency / the optimal total latency (nonatomic: convex optimisation with SciPy;
    atomic: enumeration of every split when small, else the nonatomic optimum with the same
    demand, a lower bound); ``path_share_<p>``: fraction of agents on path ``p``.

Metadata
    ``nash_value`` = minus the Wardrop latency (nonatomic), ``social_optimum`` = minus the
    optimal mean latency per unit of flow; ``action_names`` = the paths as ``s>A>t``.
    ``wardrop_flow`` and ``optimal_flow`` hold path flows; ``optimal_total_latency`` the
    optimum. Deterministic given the actions; no observation (``Discrete(1)``).

References: Pigou (1920); Braess (1968); Wardrop (1952); Roughgarden & Tardos (2002).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from gymnasium import spaces
from pydantic import Field, model_validator

from incentive_lab.core.capabilities import Capability
from incentive_lab.core.errors import ConfigError
from incentive_lab.core.game import Deviation, Game, GameMetadata, StepResult
from incentive_lab.core.outcomes import RoutingOutcome
from incentive_lab.core.params import Params, field_error
from incentive_lab.core.registry import register
from incentive_lab.core.types import Actions, FloatArray, Obs, Rewards
from incentive_lab.games import latency, routing


class EdgeSpec(Params):
    """One directed edge with its latency polynomial."""

    source: str
    """Tail node."""
    target: str
    """Head node."""
    latency: list[float] = Field(min_length=1)
    """Coefficients ``[c0, c1, ...]`` of ``ℓ(x) = Σ c_k x^k`` (non-negative)."""

    @model_validator(mode="after")
    def _non_decreasing(self) -> EdgeSpec:
        try:
            latency.check_coefficients(self.latency, "latency")
        except ConfigError as error:
            raise field_error("edge", "latency", self.latency, error.allowed) from None
        return self


class CongestionParams(Params):
    """Parameters of the ``congestion`` game."""

    preset: Literal["pigou", "braess", "braess_no_bridge"] | None = None
    """A preset network (default ``pigou`` when ``graph`` is not given)."""
    graph: list[EdgeSpec] | None = None
    """Edges ``{source, target, latency}`` of a custom network (instead of ``preset``)."""
    source: str = "s"
    """Origin node of every agent."""
    sink: str = "t"
    """Destination node of every agent."""
    n_agents: int = Field(100, ge=1)
    """Agents routing at once."""
    demand: float = Field(1.0, gt=0.0)
    """Total flow shared equally by the agents (nonatomic play; ignored when atomic)."""
    atomic: bool = False
    """Each agent carries one unit of flow (``demand = n_agents``)."""

    @model_validator(mode="after")
    def _network(self) -> CongestionParams:
        if self.graph is not None and self.preset is not None:
            raise field_error("congestion", "preset", self.preset, "give preset or graph, not both")
        if self.graph is not None and not self.graph:
            raise field_error("congestion", "graph", self.graph, "at least one edge")
        return self

    def edges(self) -> tuple[routing.Edge, ...]:
        """The network's edges ``(u, v, coefficients)``."""
        if self.graph is None:
            return routing.PRESETS[self.preset or "pigou"]
        return tuple((e.source, e.target, tuple(e.latency)) for e in self.graph)

    @property
    def total_demand(self) -> float:
        """Total flow: ``n_agents`` when atomic, else ``demand``."""
        return float(self.n_agents) if self.atomic else self.demand


@register(
    "game",
    "congestion",
    params=CongestionParams,
    description="Selfish routing over a network with polynomial latencies (Pigou, Braess, custom)",
    stochastic=False,
    cooperative_action=None,
)
class CongestionGame(Game[CongestionParams]):
    """``n_agents`` agents choosing source–sink paths; reward = minus path latency."""

    capabilities = frozenset({Capability.ROUTING_OUTCOME})

    def __init__(self, params: CongestionParams) -> None:
        super().__init__(params)
        self.n_agents = params.n_agents
        self.observation_space = spaces.Discrete(1)
        edges = params.edges()
        self.incidence = routing.simple_paths(edges, params.source, params.sink)
        if self.incidence.shape[0] < 2:
            raise ConfigError(
                "game.params.graph", [e[:2] for e in edges], "at least two source-sink paths"
            )
        self.n_actions = self.incidence.shape[0]
        self._edge_labels = tuple(routing.edge_label(e, k, edges) for k, e in enumerate(edges))
        self._a = self.incidence.astype(np.float64)
        self.coefficients = latency.coefficient_matrix([e[2] for e in edges])
        self.weight = params.total_demand / params.n_agents
        demand = params.total_demand
        self.optimal_flow = routing.optimal_flow(self.incidence, self.coefficients, demand)
        self.wardrop_flow = routing.optimal_flow(
            self.incidence, self.coefficients, demand, objective="potential"
        )
        optimum = float(latency.total_cost(self.coefficients, self.optimal_flow @ self._a))
        if params.atomic:
            exact = routing.atomic_optimum(self.incidence, self.coefficients, params.n_agents)
            optimum = optimum if exact is None else exact
        self.optimal_total_latency = optimum
        wardrop = float(latency.total_cost(self.coefficients, self.wardrop_flow @ self._a))
        names = tuple(self._path_name(p) for p in range(self.n_actions))
        self.metadata = GameMetadata(
            action_names=names,
            social_optimum=-optimum / demand,
            nash_value=None if params.atomic else -wardrop / demand,
            stochastic=False,
        )

    def _path_name(self, p: int) -> str:
        labels = [self._edge_labels[e] for e in np.flatnonzero(self.incidence[p])]
        return " ".join(labels)

    @property
    def edge_labels(self) -> tuple[str, ...]:
        """Edge labels ``"u->v"`` in edge order (``core.outcomes.RoutingRules``)."""
        return self._edge_labels

    # -- flows ---------------------------------------------------------------------------
    def counts(self, actions: Actions) -> FloatArray:
        """Agents per path, ``float64[P]``."""
        return np.bincount(actions, minlength=self.n_actions).astype(np.float64)

    def edge_flow(self, actions: Actions) -> FloatArray:
        """Edge flows ``x_e``, ``float64[m]``."""
        flow: FloatArray = (self.counts(actions) * self.weight) @ self._a
        return flow

    def path_latency(self, x: FloatArray) -> FloatArray:
        """Latency of every path for edge flows ``x: [..., m]`` → ``[..., P]``."""
        result: FloatArray = latency.latency(self.coefficients, x) @ self._a.T
        return result

    # -- episode -------------------------------------------------------------------------
    def reset(self, rng: np.random.Generator) -> Obs:
        """No state and no randomness: every observation is 0."""
        return np.zeros(self.n_agents, dtype=np.int64)

    def step(self, actions: Actions) -> StepResult:
        """Route everyone; reward minus path latency; publish flows and marginal costs."""
        actions = self.check_actions(actions)
        x = self.edge_flow(actions)
        rewards = -self.path_latency(x)[actions]
        total = float(latency.total_cost(self.coefficients, x))
        shares = self.counts(actions) / self.n_agents
        metrics = {"total_latency": total, "price_of_anarchy": self._poa(total)}
        metrics.update({f"path_share_{p}": float(s) for p, s in enumerate(shares)})
        info = {
            "routing": RoutingOutcome(
                incidence=self.incidence,
                edge_flow=x,
                edge_marginal=latency.marginal(self.coefficients, x),
                edge_labels=self._edge_labels,
            ),
            "metrics": metrics,
        }
        return StepResult(obs=np.zeros(self.n_agents, dtype=np.int64), rewards=rewards, info=info)

    def _poa(self, total: float) -> float:
        return total / self.optimal_total_latency if self.optimal_total_latency > 0 else 1.0

    # -- counterfactuals -----------------------------------------------------------------
    def rewards_for(self, actions: Actions) -> Rewards:
        """Minus each agent's path latency under ``actions``."""
        actions = np.asarray(actions, dtype=np.int64)
        rewards: Rewards = -self.path_latency(self.edge_flow(actions))[actions]
        return rewards

    def deviation(self, actions: Actions, alternative: Actions) -> Deviation:
        """O(n + P²·m): every (from, to) path switch evaluated once, then looked up."""
        actions = np.asarray(actions, dtype=np.int64)
        alternative = np.asarray(alternative, dtype=np.int64)
        n_paths = self.n_actions
        counts = self.counts(actions)
        eye = np.eye(n_paths)
        moved = counts[None, None, :] - eye[:, None, :] + eye[None, :, :]  # [from, to, P]
        path_lat = self.path_latency((moved * self.weight) @ self._a)  # [from, to, P]
        idx = np.arange(n_paths)
        own = -path_lat[:, idx, idx]  # own[f, t]: latency of path t after the switch
        welfare = -(moved * path_lat).sum(axis=-1)
        return Deviation(
            own=own[actions, alternative].astype(np.float64),
            copy_welfare=welfare[actions, alternative].astype(np.float64),
        )

    def describe(self) -> str:
        """The network and the paths in plain text."""
        p = self.params
        lines = [
            f"Routing game: {p.n_agents} agents travel from {p.source} to {p.sink}; each carries "
            f"{self.weight:g} units of flow. Edge latencies l(x) = sum c_k x^k of the edge flow:"
        ]
        for label, row in zip(self._edge_labels, self.coefficients, strict=True):
            lines.append(f"  {label}: coefficients {[float(c) for c in row]}")
        lines.append(
            "Actions (paths): "
            + "; ".join(f"{k} = {name}" for k, name in enumerate(self.metadata.action_names))
        )
        lines.append("Your reward is minus the total latency of your path (minus any tolls).")
        return "\n".join(lines)
