"""Vickrey's bottleneck with departure-time choice (``bottleneck``).

Rules (one step = one morning commute in each of ``n_copies`` independent instances)
    ``N = n_commuters`` commuters per instance travel through one bottleneck of capacity
    ``s`` vehicles per hour (``capacity``). Each chooses a departure slot ``k`` among
    ``T = n_slots`` slots of width ``Δ`` hours (``slot_width``); slot ``k`` covers
    ``[t_0 + kΔ, t_0 + (k+1)Δ)`` (``t_0 = first_slot``). Departures join a point (vertical)
    queue at once, spread uniformly over their slot, and the queue discharges at rate ``s``
    first-in first-out (:mod:`._kernels_bottleneck`). A commuter joining at ``t`` waits
    ``D(t) = Q(t)/s`` and arrives at ``A(t) = t + D(t) + t_f`` (``t_f = free_flow``); the
    desired arrival time is ``t* = desired_arrival``. Its cost is

        ``c = α·(t_f + D) + β·max(0, t* − A) + γ·max(0, A − t*)``,

    the expectation over its position in its slot (its slot's mean, computed exactly).
    Base reward ``= −c`` (dollars); a toll is a mechanism's transfer
    (:mod:`incentive_lab.mechanisms.bottleneck_tolls`). Deterministic given the actions;
    stateless (observation ``Discrete(1)``): one day per step, a repeated one-shot game.

Defaults: ``α = 6.4``, ``β = 3.9``, ``γ = 15.21`` $/h, the values Arnott, de Palma &
Lindsey (1990, 1993) use (from Small 1982), with ``γ > α > β``; ``α > β`` is required (a
commuter must prefer being early to queueing, else no queue equilibrium exists).

Theory (Vickrey 1969; Arnott, de Palma & Lindsey 1990, the no-toll equilibrium and the
optimal toll; 1993), in continuous time with ``δ = βγ/(β+γ)`` and ``t̂ = t* − t_f``
    Without a toll the equilibrium queue runs over ``[t_q, t_q'] = [t̂ − γN/((β+γ)s),
    t̂ + βN/((β+γ)s)]``; departures have rate ``sα/(α−β)`` before the on-time departure
    ``t̃ = t̂ − δN/(αs)`` and ``sα/(α+γ)`` after it; every commuter's cost is
    ``δN/s + α·t_f``, and of the total variable cost ``δN²/s`` one half is queueing and one
    half schedule delay. The optimal time-varying toll equals the equilibrium queueing cost,
    ``τ(t) = max(0, δN/s − max(β(t̂−t), γ(t−t̂)))``: departures at rate ``s`` over the same
    ``[t_q, t_q']``, no queue, each commuter's generalised price unchanged and the social
    cost halved to ``δN²/(2s)``. On the slot grid these hold up to discretisation
    (``tests/theory/test_bottleneck_equilibrium.py`` measures it).

Metrics (``info["metrics"]``, means over instances)
    ``mean_cost`` (per commuter, dollars, ``= −mean_reward``); ``queueing_cost`` and
    ``schedule_cost`` (per commuter: ``α·D`` and ``β·early + γ·late``); ``queueing_share``
    ``= queueing cost / (queueing + schedule cost)`` (the constant ``α·t_f`` excluded);
    ``max_queue`` (vehicles); per slot (when ``n_slots ≤ 120``) ``departure_rate_<k>``
    (departures per hour) and ``queue_<k>`` (vehicles waiting at the end of the slot).

Capability ``bottleneck_model``: ``game.bottleneck_model`` (:class:`BottleneckModel`), the
slot grid, capacity, ``N`` and cost constants, for toll mechanisms.

References: W. Vickrey (1969), "Congestion theory and transport investment", *AER* 59(2),
251–261; R. Arnott, A. de Palma & R. Lindsey (1990), "Economics of a bottleneck", *J. Urban
Econ.* 27, 111–130; (1993), "A structural model of peak-period congestion: a traffic
bottleneck with elastic demand", *AER* 83(1), 161–179.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from gymnasium import spaces
from pydantic import Field, model_validator

from incentive_lab.core.capabilities import Capability
from incentive_lab.core.errors import ConfigError
from incentive_lab.core.game import Deviation, Game, GameMetadata, StepResult
from incentive_lab.core.params import Params, field_error
from incentive_lab.core.registry import register
from incentive_lab.core.types import Actions, FloatArray, IntArray, Obs, Rewards
from incentive_lab.games import _kernels_bottleneck as kernels

MAX_PROFILE_SLOTS = 120
"""Games with at most this many slots report ``departure_rate_<k>`` and ``queue_<k>``."""

SHAPE_KEYS = ("n_commuters", "n_copies", "n_slots")
"""Parameters that fix array shapes and cannot change mid-run."""


class BottleneckParams(Params):
    """Parameters of the ``bottleneck`` game (times in hours, costs in dollars)."""

    n_commuters: int = Field(200, ge=2)
    """Commuters ``N`` per instance."""
    n_copies: int = Field(1, ge=1)
    """Independent instances run at once (``n_agents = n_copies·n_commuters``)."""
    capacity: float = Field(200.0, gt=0.0)
    """Bottleneck capacity ``s``, vehicles per hour."""
    n_slots: int = Field(45, ge=2, le=10_000)
    """Departure slots ``T`` (the actions)."""
    slot_width: float = Field(1.0 / 30.0, gt=0.0)
    """Slot width ``Δ``, hours (default 2 minutes)."""
    first_slot: float = 8.0
    """Start ``t_0`` of slot 0, hours of the day."""
    desired_arrival: float = 9.0
    """Desired arrival time ``t*``, hours of the day."""
    free_flow: float = Field(0.0, ge=0.0)
    """Free-flow travel time ``t_f``, hours (a constant part of every trip)."""
    alpha: float = Field(6.4, gt=0.0)
    """Value of travel time ``α``, $/h (Arnott, de Palma & Lindsey 1990)."""
    beta: float = Field(3.9, gt=0.0)
    """Cost of arriving early ``β``, $/h (must be below ``alpha``)."""
    gamma: float = Field(15.21, gt=0.0)
    """Cost of arriving late ``γ``, $/h."""

    @model_validator(mode="after")
    def _queueing_equilibrium(self) -> BottleneckParams:
        if not self.beta < self.alpha:
            allowed = f"below alpha={self.alpha} (β < α: early is cheaper than queueing)"
            raise field_error("bottleneck", "beta", self.beta, allowed)
        return self

    @property
    def delta(self) -> float:
        """``δ = βγ/(β+γ)``."""
        return self.beta * self.gamma / (self.beta + self.gamma)


@dataclass(frozen=True)
class BottleneckModel:
    """What a toll mechanism reads of the game (capability ``bottleneck_model``)."""

    slot_starts: FloatArray
    """Start time of each slot, hours (``float64[T]``)."""
    slot_width: float
    """Slot width ``Δ``, hours."""
    capacity: float
    """Capacity ``s``, vehicles per hour."""
    n_commuters: int
    """Commuters ``N`` per instance."""
    alpha: float
    """Value of travel time, $/h."""
    beta: float
    """Cost of earliness, $/h."""
    gamma: float
    """Cost of lateness, $/h."""
    desired_arrival: float
    """``t*``, hours."""
    free_flow: float
    """Free-flow travel time ``t_f``, hours."""
    copies: IntArray
    """Instance of each agent (``int64[n]``)."""


def _clock(hours: float) -> str:
    minutes = round(hours * 60.0)
    return f"{(minutes // 60) % 24:02d}:{minutes % 60:02d}"


@register(
    "game",
    "bottleneck",
    params=BottleneckParams,
    description="Vickrey's bottleneck: commuters choose departure slots; point queue of capacity s",
    stochastic=False,
    cooperative_action=None,
)
class BottleneckGame(Game[BottleneckParams]):
    """``n_copies`` instances of ``n_commuters`` commuters choosing departure slots."""

    capabilities = frozenset({Capability.BOTTLENECK_MODEL})

    def __init__(self, params: BottleneckParams) -> None:
        super().__init__(params)
        self.n_agents = params.n_copies * params.n_commuters
        self.n_actions = params.n_slots
        self.observation_space = spaces.Discrete(1)
        self._copies = np.arange(self.n_agents, dtype=np.int64) // params.n_commuters
        self._rules_changed()

    def _rules_changed(self) -> None:
        p = self.params
        self.slot_starts: FloatArray = p.first_slot + p.slot_width * np.arange(
            p.n_slots, dtype=np.float64
        )
        self.weights = np.array([p.alpha, p.beta, p.gamma])
        self.bottleneck_model = BottleneckModel(
            slot_starts=self.slot_starts.copy(),
            slot_width=p.slot_width,
            capacity=p.capacity,
            n_commuters=p.n_commuters,
            alpha=p.alpha,
            beta=p.beta,
            gamma=p.gamma,
            desired_arrival=p.desired_arrival,
            free_flow=p.free_flow,
            copies=self._copies,
        )
        fixed = p.alpha * p.free_flow
        equilibrium = p.delta * p.n_commuters / p.capacity
        covered = self.covers_rush_hour()
        self.metadata = GameMetadata(
            action_names=tuple(_clock(t) for t in self.slot_starts),
            nash_value=-(equilibrium + fixed) if covered else None,
            social_optimum=-(equilibrium / 2 + fixed) if covered else None,
            stochastic=False,
        )

    @property
    def copies(self) -> IntArray:
        """``copies[i] = i // n_commuters``."""
        return self._copies

    def rush_hour(self) -> tuple[float, float]:
        """``(t_q, t_q')``: the continuous-time equilibrium departure window (hours)."""
        p = self.params
        t_hat = p.desired_arrival - p.free_flow
        span = p.n_commuters / p.capacity / (p.beta + p.gamma)
        return t_hat - p.gamma * span, t_hat + p.beta * span

    def covers_rush_hour(self) -> bool:
        """Whether the slot grid contains the whole equilibrium window ``[t_q, t_q']``."""
        start, end = self.rush_hour()
        p = self.params
        return p.first_slot <= start and end <= p.first_slot + p.n_slots * p.slot_width

    # -- the day -------------------------------------------------------------------------
    def counts(self, actions: Actions) -> FloatArray:
        """Departures per instance and slot, ``float64[C, T]``."""
        p = self.params
        keys = self._copies * p.n_slots + np.asarray(actions, dtype=np.int64)
        flat = np.bincount(keys, minlength=p.n_copies * p.n_slots).astype(np.float64)
        return flat.reshape(p.n_copies, p.n_slots)

    def day(self, actions: Actions) -> tuple[FloatArray, FloatArray, FloatArray]:
        """``(counts[C,T], means[C,T,3], queues[C,T])`` of ``actions``.

        Departures per slot; mean queueing delay, early and late time of each slot (hours);
        vehicles queued at each slot's end.
        """
        p = self.params
        counts = self.counts(actions)
        means, queues = kernels.day(
            counts, p.first_slot, p.slot_width, p.capacity, p.desired_arrival, p.free_flow
        )
        return counts, means, queues

    def slot_costs(self, means: FloatArray) -> FloatArray:
        """Cost of each slot ``[C, T]`` from its mean delay, early and late time."""
        costs: FloatArray = means @ self.weights + self.params.alpha * self.params.free_flow
        return costs

    # -- episode -------------------------------------------------------------------------
    def reset(self, rng: np.random.Generator) -> Obs:
        """No state and no randomness: every observation is 0."""
        return np.zeros(self.n_agents, dtype=np.int64)

    def step(self, actions: Actions) -> StepResult:
        """Play one day: queue, costs, rewards ``−c`` and the metrics of the day."""
        actions = self.check_actions(actions)
        counts, means, queues = self.day(actions)
        rewards: Rewards = -self.slot_costs(means)[self._copies, actions]
        info = {"metrics": self._metrics(counts, means, queues, rewards)}
        return StepResult(obs=np.zeros(self.n_agents, dtype=np.int64), rewards=rewards, info=info)

    def _metrics(
        self, counts: FloatArray, means: FloatArray, queues: FloatArray, rewards: Rewards
    ) -> dict[str, float]:
        p = self.params
        queueing = float((counts * means[..., 0]).sum()) * p.alpha / self.n_agents
        schedule = float((counts * (means[..., 1:] @ self.weights[1:])).sum()) / self.n_agents
        variable = queueing + schedule
        metrics = {
            "mean_cost": float(-rewards.mean()),
            "queueing_cost": queueing,
            "schedule_cost": schedule,
            "queueing_share": queueing / variable if variable > 0 else 0.0,
            "max_queue": float(queues.max(axis=1).mean()),
        }
        if p.n_slots <= MAX_PROFILE_SLOTS:
            rates = counts.mean(axis=0) / p.slot_width
            queue = queues.mean(axis=0)
            metrics.update({f"departure_rate_{k}": float(r) for k, r in enumerate(rates)})
            metrics.update({f"queue_{k}": float(q) for k, q in enumerate(queue)})
        return metrics

    # -- counterfactuals -----------------------------------------------------------------
    def rewards_for(self, actions: Actions) -> Rewards:
        """Minus each commuter's cost under ``actions``."""
        actions = np.asarray(actions, dtype=np.int64)
        _, means, _ = self.day(actions)
        rewards: Rewards = -self.slot_costs(means)[self._copies, actions]
        return rewards

    def deviation(self, actions: Actions, alternative: Actions) -> Deviation:
        """One day per distinct ``(instance, from, to)`` move (``O(T)`` each)."""
        actions = np.asarray(actions, dtype=np.int64)
        alternative = np.asarray(alternative, dtype=np.int64)
        p = self.params
        counts, means, _ = self.day(actions)
        costs = self.slot_costs(means)
        own = -costs[self._copies, actions]
        welfare = -(counts * costs).sum(axis=1)[self._copies]
        moved = alternative != actions
        if moved.any():
            keys = np.stack([self._copies[moved], actions[moved], alternative[moved]], axis=1)
            unique, inverse = np.unique(keys, axis=0, return_inverse=True)
            cost, total = kernels.deviations(
                counts,
                unique.astype(np.int64),
                p.first_slot,
                p.slot_width,
                p.capacity,
                p.desired_arrival,
                p.free_flow,
                self.weights,
            )
            inverse = inverse.reshape(-1)
            own[moved] = -cost[inverse]
            welfare[moved] = -total[inverse]
        return Deviation(own=own.astype(np.float64), copy_welfare=welfare.astype(np.float64))

    # -- rules ---------------------------------------------------------------------------
    def describe(self) -> str:
        """The commute in plain text."""
        p = self.params
        return (
            f"Morning commute through a bottleneck: {p.n_commuters} commuters share a road "
            f"that lets {p.capacity:g} vehicles per hour through; a queue forms when more "
            f"arrive. You choose a departure slot: action k departs between "
            f"{_clock(p.first_slot)} + k·{p.slot_width * 60:g} min and the slot's end "
            f"({p.n_slots} slots). You want to arrive at {_clock(p.desired_arrival)}; travel "
            f"takes {p.free_flow * 60:g} min plus the queue. Your cost is {p.alpha:g} $/h of "
            f"travel time, {p.beta:g} $/h of arriving early and {p.gamma:g} $/h of arriving "
            "late; your reward is minus that cost (minus any toll)."
        )

    def reconfigure(self, **changes: object) -> None:
        """Change capacity, times or costs mid-run; population and slot count stay fixed."""
        for key in SHAPE_KEYS:
            if key in changes and changes[key] != getattr(self.params, key):
                raise ConfigError(f"game.params.{key}", changes[key], "cannot change mid-run")
        super().reconfigure(**changes)
