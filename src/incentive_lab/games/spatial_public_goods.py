"""Spatial public goods game in overlapping groups (``spatial_public_goods``).

Model (SPEC §1.3; Szabó & Hauert, Phys. Rev. Lett. 89, 118101, 2002)
    Agents live on an ``L × L`` periodic square lattice (``side``; von Neumann ``k = 4`` or
    Moore ``k = 8`` neighbourhood) or on any undirected graph without isolated nodes
    (``graph``: a :class:`~incentive_lab.games.graphs.GraphSpec` with ``n_agents``, or a
    networkx graph from Python). Every agent ``g`` centres one group ``{g} ∪ N(g)`` of size
    ``G_g = k_g + 1``; each agent plays in the ``k_i + 1`` groups centred on itself and on
    each neighbour. Action 0 = cooperate (pay ``cost`` c in every group), 1 = defect. In a
    group with ``n_c`` cooperators a cooperator earns ``c·(n_c·r_c/G − 1)`` and a defector
    ``c·n_c·r_d/G`` (the per-group payoffs of SPEC §1.2 with ``m = n_c − 1`` or ``n_c``
    cooperating co-members); an agent's payoff is the **sum over all groups it belongs
    to** (not only the group centred on it — see SPEC §1.3's caution about egttools).

Config parameters
    ``side`` or ``graph`` (default: a 50 × 50 lattice), ``neighbourhood``; ``r`` sets
    ``r_c = r_d`` (default 4.5), or give ``r_c`` / ``r_d`` separately (not with ``r``);
    ``cost``; ``feedback``: the pluggable law of ``public_goods`` that moves ``r_c`` with
    the previous round's cooperation fraction (``games.feedback``; ``r_c`` must lie in its
    bounds ``[α, β]``).

Dynamics
    The game plays one simultaneous round per step. Strategy updates belong to learners:
    ``fermi_imitation`` performs one Monte Carlo step (``N`` elementary imitations) per
    rollout step, reading the current payoff rule through :meth:`overlapping_groups`
    (``core.population.OverlappingGroups``, with the ``r_c`` in force for the next round).
    The initial cooperator fraction is a parameter of that learner. The recorder's
    ``cooperation_rate`` is the fraction of cooperators; ``info["metrics"]`` holds ``r_c``
    (of the round just played) and ``feedback_state``. Observations: ``Discrete(1)``.

Metadata (at the configured ``r_c``)
    ``social_optimum``: all-cooperate, ``c·(r_c − 1)·mean(G)``, when ``r_c >= r_d >= 1``
    (each group's welfare then grows with its cooperators), else ``None``. All-defect is
    an equilibrium iff ``r_c·Σ_{g∋i} 1/G_g <= G_i`` for every ``i``, all-cooperate iff
    ``(r_c − 1)·G_i >= r_d·(G_i − Σ_{g∋i} 1/G_g)``; ``nash_value`` is the better of the
    two; the joint actions are listed in ``pure_equilibria`` only for ``n <= 4096``.
    Square lattice, ``G = 5``, Fermi noise ``K = 0.5``: cooperators die out below
    ``r ≈ 3.74`` and defectors above ``r ≈ 5.49`` (Szolnoki, Perc & Szabó, PRE 80, 056109).
"""

from __future__ import annotations

from typing import Any, Literal

import networkx as nx
import numpy as np
from gymnasium import spaces
from pydantic import Field, model_validator

from incentive_lab.core.capabilities import Capability
from incentive_lab.core.errors import ConfigError
from incentive_lab.core.game import Deviation, Game, GameMetadata, StepResult
from incentive_lab.core.params import Params, field_error
from incentive_lab.core.population import OverlappingGroups
from incentive_lab.core.registry import register
from incentive_lab.core.topology import Topology
from incentive_lab.core.types import Actions, Obs, Rewards
from incentive_lab.games.feedback import (
    ConstantFeedback,
    Feedback,
    bounds,
    initial_state,
    multiplier,
    next_state,
)
from incentive_lab.games.graphs import GraphSpec, build_topology, graph_problem

COOPERATE, DEFECT = 0, 1
DEFAULT_SIDE = 50
DEFAULT_R = 4.5
LIST_EQUILIBRIA_UP_TO = 4096


class SpatialPublicGoodsParams(Params):
    """Szabó–Hauert public goods game on a lattice or graph."""

    side: int | None = Field(None, ge=3, le=20_000)
    """Side L of the periodic L × L lattice (N = L²; default 50 unless ``graph`` is given)."""
    neighbourhood: Literal["von_neumann", "moore"] = "von_neumann"
    """Lattice neighbourhood: von Neumann (k = 4, G = 5) or Moore (k = 8, G = 9)."""
    graph: GraphSpec | nx.Graph | None = None
    """Play on this graph instead of a lattice (a graph spec with ``n_agents``, or networkx)."""
    n_agents: int | None = Field(None, ge=3)
    """Population size of a ``graph`` spec (not with ``side`` or a networkx graph)."""
    r: float | None = Field(None, ge=0.0, allow_inf_nan=False)
    """Multiplier of both cooperators and defectors (``r_c = r_d = r``; default 4.5)."""
    r_c: float | None = Field(None, ge=0.0, allow_inf_nan=False)
    """Multiplier of cooperators' shares (initial value when a feedback law moves it)."""
    r_d: float | None = Field(None, ge=0.0, allow_inf_nan=False)
    """Multiplier of defectors' shares (fixed)."""
    cost: float = Field(1.0, gt=0.0, allow_inf_nan=False)
    """Contribution c of a cooperator to each of its groups."""
    feedback: Feedback = Field(default_factory=ConstantFeedback)
    """Law moving ``r_c`` with the population state (``constant``, ``linear``, ``weitz``)."""

    def population(self) -> int | None:
        """``side²`` on a lattice, ``n_agents`` of a graph spec, a networkx graph's nodes."""
        if self.graph is None:
            return (DEFAULT_SIDE if self.side is None else self.side) ** 2
        if isinstance(self.graph, nx.Graph):
            return int(self.graph.number_of_nodes())
        return self.n_agents

    @model_validator(mode="after")
    def _consistent(self) -> SpatialPublicGoodsParams:
        name = type(self).__name__
        if self.r is not None:
            for field in ("r_c", "r_d"):
                if getattr(self, field) is not None:
                    allowed = "not together with r (r sets r_c = r_d; give r_c / r_d instead)"
                    raise field_error(name, field, getattr(self, field), allowed)
        limits = bounds(self.feedback)
        if limits is not None and not limits[0] <= self.multiplier_c <= limits[1]:
            allowed = f"within the feedback bounds [alpha, beta] = [{limits[0]}, {limits[1]}]"
            raise field_error(name, "r_c", self.multiplier_c, allowed)
        if self.graph is None:
            if self.n_agents is not None:
                raise field_error(name, "n_agents", self.n_agents, "only with a graph spec")
        elif self.side is not None:
            raise field_error(name, "side", self.side, "not together with graph")
        elif isinstance(self.graph, GraphSpec):
            if self.n_agents is None:
                raise field_error(name, "n_agents", None, "required with a graph spec")
            problem = graph_problem(self.graph, self.n_agents)
            if problem is not None:
                field, allowed = problem
                value = self.graph.degree if field == "graph.degree" else self.n_agents
                raise field_error(name, field, value, allowed)
        elif self.n_agents is not None:
            raise field_error(name, "n_agents", self.n_agents, "not with a networkx graph")
        return self

    @property
    def multiplier_c(self) -> float:
        """The configured ``r_c`` (from ``r_c``, else ``r``, else 4.5)."""
        return next(v for v in (self.r_c, self.r, DEFAULT_R) if v is not None)

    @property
    def multiplier_d(self) -> float:
        """The configured ``r_d`` (from ``r_d``, else ``r``, else 4.5)."""
        return next(v for v in (self.r_d, self.r, DEFAULT_R) if v is not None)


def build_population(params: SpatialPublicGoodsParams) -> Topology:
    """The lattice or graph of ``params``; rejects graphs with isolated nodes."""
    if params.graph is None:
        side = DEFAULT_SIDE if params.side is None else params.side
        return Topology.lattice(side, params.neighbourhood)
    if isinstance(params.graph, GraphSpec):
        assert params.n_agents is not None  # checked by the params
        topology = build_topology(params.graph, params.n_agents)
    else:
        topology = Topology.from_networkx(params.graph)
    isolated = np.flatnonzero(topology.degrees == 0)
    if topology.n < 3 or isolated.size:
        value = f"{isolated.size} isolated node(s) of {topology.n}"
        allowed = "a graph of >= 3 nodes where every node has a neighbour (its group)"
        raise ConfigError("game.params.graph", value, allowed)
    return topology


class SpatialPublicGoodsGame(Game[SpatialPublicGoodsParams]):
    """The overlapping-group public goods game on a lattice or graph."""

    capabilities = frozenset({Capability.LOCAL_PAYOFFS})

    def __init__(self, params: SpatialPublicGoodsParams) -> None:
        super().__init__(params)
        self._graph = build_population(params)
        self.topology = self._graph
        self.n_agents = self._graph.n
        self.n_actions = 2
        self.observation_space = spaces.Discrete(1)
        self._obs = np.zeros(self.n_agents, dtype=np.int64)  # Discrete(1): shared, read-only
        self._obs.flags.writeable = False
        self._sizes = (self._graph.degrees + 1).astype(np.float64)
        self._state = initial_state(params.feedback, params.multiplier_c)
        self._r_c = multiplier(params.feedback, self._state)
        self._rules_changed()

    # -- rules ---------------------------------------------------------------------------
    def _rules_changed(self) -> None:
        self.metadata = self._metadata()

    def _metadata(self) -> GameMetadata:
        p = self.params
        r_c, r_d, c = p.multiplier_c, p.multiplier_d, p.cost
        sizes = self._sizes
        inverse = self._structure(r_c).neighbourhood_sum(1.0 / sizes)
        candidates = []
        if np.all(r_c * inverse <= sizes + 1e-12):
            candidates.append((DEFECT, 0.0))
        if np.all((r_c - 1.0) * sizes >= r_d * (sizes - inverse) - 1e-12):
            candidates.append((COOPERATE, c * (r_c - 1.0) * float(sizes.mean())))
        listed = self.n_agents <= LIST_EQUILIBRIA_UP_TO
        return GameMetadata(
            cooperative_action=COOPERATE,
            action_names=("cooperate", "defect"),
            social_optimum=c * (r_c - 1.0) * float(sizes.mean()) if r_c >= r_d >= 1.0 else None,
            nash_value=max(v for _, v in candidates) if candidates else None,
            pure_equilibria=tuple((a,) * self.n_agents for a, _ in candidates) if listed else (),
            stochastic=False,
        )

    def _structure(self, r_c: float) -> OverlappingGroups:
        p = self.params
        return OverlappingGroups(self._graph, r_c, p.multiplier_d, p.cost, COOPERATE)

    def overlapping_groups(self) -> OverlappingGroups:
        """The payoff rule in force for the next round (``r_c`` after the feedback law)."""
        return self._structure(multiplier(self.params.feedback, self._state))

    def reconfigure(self, **changes: Any) -> None:
        """Change multipliers, cost or law mid-run (not the population structure).

        Giving ``r`` clears ``r_c`` / ``r_d`` and vice versa; a new ``r_c`` re-seats the
        feedback law's state.
        """
        for key in ("side", "neighbourhood", "graph", "n_agents"):
            if key in changes and changes[key] != getattr(self.params, key):
                raise ConfigError(f"game.params.{key}", changes[key], "cannot change mid-run")
        cleared = (
            ("r_c", "r_d") if "r" in changes else ("r",) if {"r_c", "r_d"} & set(changes) else ()
        )
        old = self.params
        if cleared:
            self.params = old.model_copy(update=dict.fromkeys(cleared))
        try:
            super().reconfigure(**changes)
        except ConfigError:
            self.params = old
            raise
        new = self.params
        if new.multiplier_c != old.multiplier_c or new.feedback.law != old.feedback.law:
            self._state = initial_state(new.feedback, new.multiplier_c)
            self._r_c = multiplier(new.feedback, self._state)

    @property
    def r_c(self) -> float:
        """The cooperators' multiplier of the most recent round."""
        return self._r_c

    @property
    def feedback_state(self) -> float:
        """The feedback law's state for the next round."""
        return self._state

    # -- episode -------------------------------------------------------------------------
    def reset(self, rng: np.random.Generator) -> Obs:
        """Restore the initial ``r_c`` (the game draws no randomness)."""
        self._state = initial_state(self.params.feedback, self.params.multiplier_c)
        self._r_c = multiplier(self.params.feedback, self._state)
        return self._obs

    def step(self, actions: Actions) -> StepResult:
        """Play one round, then let the feedback law react to its cooperation fraction."""
        from incentive_lab.games.overlapping_groups import cooperation_field

        array = np.asarray(actions)
        if array.dtype.kind not in "iu" or array.shape != (self.n_agents,):
            array = self.check_actions(actions)  # raises the contract's error
        field, cooperators, valid = cooperation_field(array, COOPERATE, self.n_actions)
        if not valid:
            self.check_actions(array)  # raises, naming the range
        self._r_c = multiplier(self.params.feedback, self._state)
        rewards = self._payoffs(field)
        cooperation = cooperators / self.n_agents
        self._state = next_state(self.params.feedback, self._state, cooperation)
        metrics = {"r_c": self._r_c, "feedback_state": self._state}
        return StepResult(obs=self._obs, rewards=rewards, info={"metrics": metrics})

    # -- counterfactuals -----------------------------------------------------------------
    def rewards_for(self, actions: Actions) -> Rewards:
        """Payoffs of ``actions`` with the ``r_c`` of the most recent round (Numba, O(n·G))."""
        return self._payoffs((np.asarray(actions) == COOPERATE).view(np.int8))

    def _payoffs(self, field: np.ndarray) -> Rewards:
        """Payoffs from the ``int8`` cooperator flags."""
        from incentive_lab.games.overlapping_groups import group_payoffs, lattice_field_payoffs

        p, top = self.params, self._graph
        if p.graph is None:
            side = DEFAULT_SIDE if p.side is None else p.side
            return lattice_field_payoffs(
                field, side, p.neighbourhood, self._r_c, p.multiplier_d, p.cost
            )
        return group_payoffs(field, top.indptr, top.indices, self._r_c, p.multiplier_d, p.cost, 1)

    def deviation(self, actions: Actions, alternative: Actions) -> Deviation:
        """O(n·G): a switch of ``i`` moves ``n_c`` by ±1 in the ``k_i + 1`` groups of ``i``."""
        p, structure = self.params, self._structure(self._r_c)
        coop = (np.asarray(actions) == COOPERATE).astype(np.float64)
        switched = (np.asarray(alternative) == COOPERATE).astype(np.float64)
        delta = switched - coop
        sizes, total = self._sizes, structure.neighbourhood_sum
        sigma = total(total(coop) / sizes) + delta * total(1.0 / sizes)
        own = np.where(
            switched > 0, p.cost * (self._r_c * sigma - sizes), p.cost * p.multiplier_d * sigma
        )
        before = self.rewards_for(actions)
        rate = np.where(coop > 0, self._r_c, p.multiplier_d)  # r of each member's share
        # every other member j of a group g ∋ i gains c·r(a_j)/G_g per extra cooperator in g
        others = delta * p.cost * (total(total(rate) / sizes) - rate * total(1.0 / sizes))
        welfare = before.sum() + (own - before) + others
        return Deviation(own=own, copy_welfare=welfare)

    def describe(self) -> str:
        """The rules in plain text."""
        p = self.params
        where = (
            f"a {p.side or DEFAULT_SIDE}×{p.side or DEFAULT_SIDE} periodic lattice "
            f"({p.neighbourhood} neighbourhood)"
            if p.graph is None
            else f"a graph of {self.n_agents} nodes"
        )
        return (
            f"Spatial public goods game among {self.n_agents} players on {where}. Every "
            f"player belongs to the group centred on itself and to the group centred on "
            f"each neighbour. Actions: 0 = cooperate (pay {p.cost:g} into each of your "
            f"groups), 1 = defect. In a group of G with n_c cooperators a cooperator earns "
            f"c(n_c·r_c/G − 1) and a defector c·n_c·r_d/G; your payoff is the sum over your "
            f"groups; r_c = {self._r_c:g}, r_d = {p.multiplier_d:g}, c = {p.cost:g}."
        )


register(
    "game",
    "spatial_public_goods",
    params=SpatialPublicGoodsParams,
    description="Szabó–Hauert public goods in overlapping groups on a lattice or graph",
    cooperative_action=COOPERATE,
    stochastic=False,
)(SpatialPublicGoodsGame)
