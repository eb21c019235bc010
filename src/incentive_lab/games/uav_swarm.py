"""A UAV swarm sharing information under energy and bandwidth limits (``uav_swarm``).

Model (seed 004, "UAV cooperation": a swarm as a public goods game with asymmetric
feedback under resource limits, learned with FAQ and softmax exploration)
    ``n`` UAVs sit at positions in the unit square (drawn uniformly from ``positions_seed``,
    or given as ``positions``) and can talk to every UAV within ``comm_range``: the
    communication graph is the random geometric graph of Penrose (2003), *Random Geometric
    Graphs*. UAV ``i`` plays in its focal group, its closed neighbourhood ``{i} ∪ N(i)`` of
    ``d + 1`` members (``d`` its degree). Action 0 *shares* (cooperates, contributes ``c``),
    1 withholds (defects). With ``m`` other **counted** sharers in the group::

        π_C = c·((m + 1)·r_c/(d + 1) − 1)        π_D = c·m·r_d/(d + 1)

    (the asymmetric public goods payoffs of ``public_goods``; an isolated UAV, ``d = 0``,
    earns ``c(r_c − 1)`` sharing and 0 otherwise).

Resource limits
    *Energy*: each UAV has a battery of capacity ``battery``, full at reset. Sharing costs
    ``share_energy``; a UAV whose battery holds less than that at the start of a step
    cannot share and is **forced to withhold** whatever it chose (it is paid ``π_D``).
    After the step every battery gains ``recharge`` (capped at the capacity). Over ``T``
    steps a UAV can therefore share at most ``(battery + T·recharge)/share_energy`` times:
    the long-run sharing rate is capped at the budget-feasible level
    ``min(1, recharge/share_energy)``. *Bandwidth*: at most ``bandwidth`` sharers of a
    group count (``None``: all): with ``n_c`` sharers in ``i``'s group the counted number
    is ``min(n_c, bandwidth)``, ``i`` itself always among them when it shares, so
    ``m = min(n_c, bandwidth) − 1`` for a sharer and ``min(n_c, bandwidth)`` for a
    withholder.

Environment feedback
    ``r_d`` is fixed; ``r_c`` follows a law of :mod:`.feedback` (``constant``, ``linear``,
    ``weitz``) driven by the fraction of UAVs that actually shared in the round.

Observations: ``Discrete(2)`` — 1 if the UAV's battery is too low to share this step, else
0. Metrics (``info["metrics"]``): ``sharing_rate`` (UAVs that shared; the core
``cooperation_rate`` counts the chosen actions), ``forced_withholding`` (UAVs that chose to
share without the energy), ``mean_battery``, ``r_c`` (of the round) and ``feedback_state``.
Counterfactual ``rewards_for`` uses the batteries at the start of the last step.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from gymnasium import spaces
from pydantic import Field, model_validator

from incentive_lab.core.errors import ConfigError
from incentive_lab.core.game import Deviation, Game, GameMetadata, StepResult
from incentive_lab.core.params import Params, field_error
from incentive_lab.core.registry import register
from incentive_lab.core.topology import Topology
from incentive_lab.core.types import Actions, BoolArray, FloatArray, Obs, Rewards
from incentive_lab.games.feedback import (
    ConstantFeedback,
    Feedback,
    bounds,
    initial_state,
    multiplier,
    next_state,
)
from incentive_lab.games.public_goods import payoffs

SHARE, WITHHOLD = 0, 1
_EPS = 1e-9
"""Tolerance of the battery test (sums of recharges are inexact in binary)."""


class UavSwarmParams(Params):
    """A UAV swarm on a random geometric graph with batteries and a bandwidth cap."""

    n_agents: int = Field(50, ge=2, le=100_000)
    """Number of UAVs."""
    comm_range: float = Field(0.25, gt=0.0, le=1.5, allow_inf_nan=False)
    """Communication range in the unit square (≥ √2 ≈ 1.414: everyone talks to everyone)."""
    positions_seed: int = Field(0, ge=0)
    """Seed of the uniform positions (ignored when ``positions`` is given)."""
    positions: list[tuple[float, float]] | None = None
    """Explicit ``[x, y]`` positions in the unit square, one per UAV."""
    cost: float = Field(1.0, gt=0.0, allow_inf_nan=False)
    """Contribution c of a sharer (scales all payoffs)."""
    r_c: float = Field(4.0, ge=0.0, allow_inf_nan=False)
    """Multiplier of sharers (initial value when the feedback law moves it)."""
    r_d: float = Field(3.0, ge=0.0, allow_inf_nan=False)
    """Multiplier of withholders (fixed)."""
    feedback: Feedback = Field(default_factory=ConstantFeedback)
    """Law moving ``r_c`` with the sharing rate (``constant``, ``linear``, ``weitz``)."""
    battery: float = Field(5.0, gt=0.0, allow_inf_nan=False)
    """Battery capacity (full at reset)."""
    share_energy: float = Field(1.0, ge=0.0, allow_inf_nan=False)
    """Energy one act of sharing costs."""
    recharge: float = Field(1.0, ge=0.0, allow_inf_nan=False)
    """Energy every battery gains after each step (capped at the capacity)."""
    bandwidth: int | None = Field(None, ge=1)
    """Most sharers of a group that count (``None``: no cap)."""

    @model_validator(mode="after")
    def _consistent(self) -> UavSwarmParams:
        name = type(self).__name__
        limits = bounds(self.feedback)
        if limits is not None and not limits[0] <= self.r_c <= limits[1]:
            allowed = f"within the feedback bounds [alpha, beta] = [{limits[0]}, {limits[1]}]"
            raise field_error(name, "r_c", self.r_c, allowed)
        if self.share_energy > self.battery:
            allowed = f"at most the battery capacity {self.battery:g} (else no UAV can share)"
            raise field_error(name, "share_energy", self.share_energy, allowed)
        if self.positions is not None:
            if len(self.positions) != self.n_agents:
                allowed = f"{self.n_agents} positions (one per UAV)"
                raise field_error(name, "positions", len(self.positions), allowed)
            flat = [v for point in self.positions for v in point]
            if not all(math.isfinite(v) and 0.0 <= v <= 1.0 for v in flat):
                raise field_error(name, "positions", "out of range", "points in [0, 1]²")
        return self


def geometric_graph(points: FloatArray, comm_range: float) -> Topology:
    """The random geometric graph: an edge between points at distance ≤ ``comm_range``."""
    from scipy.spatial import cKDTree

    pairs = cKDTree(points).query_pairs(comm_range, output_type="ndarray")
    return Topology.from_edges(points.shape[0], np.asarray(pairs, dtype=np.int64))


@register(
    "game",
    "uav_swarm",
    params=UavSwarmParams,
    description="UAV swarm public goods on a geometric graph with batteries and bandwidth",
    cooperative_action=SHARE,
    stochastic=False,
)
class UavSwarmGame(Game[UavSwarmParams]):
    """Sharing UAVs on a communication graph, limited by batteries and bandwidth."""

    def __init__(self, params: UavSwarmParams) -> None:
        super().__init__(params)
        n = self.n_agents = params.n_agents
        self.n_actions = 2
        self.observation_space = spaces.Discrete(2)
        if params.positions is not None:
            self.positions: FloatArray = np.asarray(params.positions, dtype=np.float64)
        else:
            self.positions = np.random.default_rng(params.positions_seed).random((n, 2))
        self.topology = geometric_graph(self.positions, params.comm_range)
        self._degree: FloatArray = self.topology.degrees.astype(np.float64)
        self._source = np.repeat(np.arange(n, dtype=np.int64), self.topology.degrees)
        self.metadata = GameMetadata(cooperative_action=SHARE, action_names=("share", "withhold"))
        self._battery: FloatArray = np.full(n, params.battery)
        self._able: BoolArray = np.ones(n, dtype=bool)
        self._state = initial_state(params.feedback, params.r_c)
        self._r_c = multiplier(params.feedback, self._state)

    @property
    def battery(self) -> FloatArray:
        """``float64[n]``: the batteries now (a copy)."""
        return self._battery.copy()

    @property
    def r_c(self) -> float:
        """The sharers' multiplier of the most recent round (before any: the initial one)."""
        return self._r_c

    def reconfigure(self, **changes: Any) -> None:
        """Change multipliers, energy rules, bandwidth or law mid-run; not the graph."""
        for key in ("n_agents", "comm_range", "positions_seed", "positions"):
            if key in changes and changes[key] != getattr(self.params, key):
                raise ConfigError(f"game.params.{key}", changes[key], "cannot change mid-run")
        old = self.params
        super().reconfigure(**changes)
        if "r_c" in changes or self.params.feedback != old.feedback:
            self._state = initial_state(self.params.feedback, self.params.r_c)
            self._r_c = multiplier(self.params.feedback, self._state)
        np.minimum(self._battery, self.params.battery, out=self._battery)

    def _observe(self) -> Obs:
        return (self._battery < self.params.share_energy - _EPS).astype(np.int64)

    def reset(self, rng: np.random.Generator) -> Obs:
        """Full batteries and the initial ``r_c`` (the game draws no random numbers)."""
        self._battery = np.full(self.n_agents, self.params.battery)
        self._able = np.ones(self.n_agents, dtype=bool)
        self._state = initial_state(self.params.feedback, self.params.r_c)
        self._r_c = multiplier(self.params.feedback, self._state)
        return self._observe()

    def step(self, actions: Actions) -> StepResult:
        """Share where chosen and charged; pay; drain and recharge; move ``r_c``."""
        p = self.params
        actions = self.check_actions(actions)
        self._able = self._battery >= p.share_energy - _EPS
        self._r_c = multiplier(p.feedback, self._state)
        rewards = self.rewards_for(actions)
        chosen = actions == SHARE
        shared = chosen & self._able
        self._battery -= p.share_energy * shared
        np.minimum(self._battery + p.recharge, p.battery, out=self._battery)
        rate = float(shared.mean())
        self._state = next_state(p.feedback, self._state, rate)
        metrics = {
            "sharing_rate": rate,
            "forced_withholding": float((chosen & ~self._able).mean()),
            "mean_battery": float(self._battery.mean()),
            "r_c": self._r_c,
            "feedback_state": self._state,
        }
        return StepResult(obs=self._observe(), rewards=rewards, info={"metrics": metrics})

    def sharers(self, sharing: FloatArray) -> FloatArray:
        """``float64[n]``: sharers ``n_c`` in each focal group (before the bandwidth cap)."""
        top = self.topology
        assert top is not None
        weights = sharing[top.indices]
        totals: FloatArray = sharing + np.bincount(self._source, weights=weights, minlength=top.n)
        return totals

    def _cap(self, n_c: FloatArray) -> FloatArray:
        cap = self.params.bandwidth
        return n_c if cap is None else np.minimum(n_c, float(cap))

    def _pay(self, sharing: FloatArray, n_c: FloatArray) -> FloatArray:
        """Payoffs when each focal group holds ``n_c`` sharers (``sharing``: own choice)."""
        p = self.params
        m = self._cap(n_c) - sharing
        return payoffs(sharing, m, self._degree, self._r_c, p.r_d, p.cost)

    def _sharing(self, actions: Actions) -> FloatArray:
        """``float64[n]``: 1 where a UAV chose to share and its battery allowed it."""
        return ((np.asarray(actions) == SHARE) & self._able).astype(np.float64)

    def rewards_for(self, actions: Actions) -> Rewards:
        """Payoffs of ``actions`` with the batteries and ``r_c`` of the last step."""
        sharing = self._sharing(actions)
        return self._pay(sharing, self.sharers(sharing))

    def deviation(self, actions: Actions, alternative: Actions) -> Deviation:
        """O(n): a switch moves ``n_c`` by ±1 in the UAV's own group and its neighbours'."""
        sharing, switched = self._sharing(actions), self._sharing(alternative)
        n_c = self.sharers(sharing)
        before = self._pay(sharing, n_c)
        change = switched - sharing
        own = self._pay(switched, n_c + change)
        up = self._pay(sharing, n_c + 1.0) - before  # a neighbour starts sharing
        down = self._pay(sharing, n_c - 1.0) - before  # a sharing neighbour stops
        top = self.topology
        assert top is not None
        moved = change[self._source]
        effect = np.where(moved > 0, up[top.indices], np.where(moved < 0, down[top.indices], 0.0))
        others = np.bincount(self._source, weights=effect, minlength=top.n)
        welfare = self.copy_welfare(before) + (own - before) + others
        return Deviation(own=own, copy_welfare=welfare)

    def describe(self) -> str:
        """The rules in plain text."""
        p = self.params
        cap = "all sharers count" if p.bandwidth is None else f"at most {p.bandwidth} count"
        return (
            f"UAV swarm of {p.n_agents} in the unit square talking within range "
            f"{p.comm_range:g}; each UAV plays with its neighbours. Actions: 0 = share (costs "
            f"{p.cost:g} and {p.share_energy:g} energy), 1 = withhold. With m other counted "
            f"sharers among d neighbours a sharer earns c((m+1)·r_c/(d+1) − 1) and a "
            f"withholder c·m·r_d/(d+1); r_c = {self._r_c:g}, r_d = {p.r_d:g}; {cap}. "
            f"Battery {p.battery:g}, recharge {p.recharge:g} per step; observation 1 means "
            f"the battery is too low to share."
        )
