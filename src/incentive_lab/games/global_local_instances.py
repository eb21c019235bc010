"""The four instances of the ``global_local`` game: kernels, rewards, initial laws.

Every instance is a :class:`~incentive_lab.core.generative.GlobalLocalKernels` plus the
initial laws of ``s_g`` and of each local state (locals start i.i.d.). The global action
set is always ``A_g = {0: down, 1: stay, 2: up}``, i.e. a move ``Δ = a_g − 1 ∈ {−1, 0, +1}``
of the global level, and every instance charges ``move_cost·|Δ|`` for moving.

``median`` — distribution-sensitive tracking (``L = 5`` levels)
    ``S_g = S_l = {0..4}``. ``s_g' = clip(s_g + Δ, 0, 4)`` (deterministic).
    ``r_g = −move_cost·|Δ|``; ``r_l(c, s_g) = −|c − s_g|``, so
    ``r = −move_cost·|Δ| − mean_i |c_i − s_g|`` and the best level is a median of the local
    states. Locals are sticky random walks independent of ``s_g``: ``c' = c`` w.p. 0.8,
    ``c ± 1`` w.p. 0.1 each (a step off the ends stays put). Start: ``s_g`` and every
    ``c_i`` uniform on ``{0..4}``.

``demand_response`` — a supplier and consumers
    ``s_g ∈ {0..4}`` is supply level ``s = s_g + 1 ∈ {1..5}``; the requested move succeeds
    w.p. 0.9 (else the level stays). Local state ``(c, d)`` = (consumption ∈ {0, 1, 2},
    desire ∈ {0, 1}), index ``2c + d``. Desire flips on 0 → 1 w.p. 0.3 and 1 → 0 w.p. 0.2;
    a desiring consumer raises consumption by one (cap 2) w.p. ``s/5``, a non-desiring one
    lowers it by one (floor 0) w.p. 0.5 (consumption and desire move independently given
    the current state). ``r_g = −0.25·s − move_cost·|Δ|`` (cost of supply);
    ``r_l((c, d), s) = 0.5·c`` if ``d = 1`` else ``−0.25·c`` (wanted vs wasted energy).
    Start: level 3 (``s_g = 2``); consumption uniform, desire 1 w.p. 0.5.

``queueing`` — a service capacity and queues
    ``s_g ∈ {0..3}`` servers; ``s_g' = clip(s_g + Δ, 0, 3)``. Local queue length
    ``q ∈ {0..4}``: a job arrives w.p. 0.3 and, when ``q > 0``, one leaves w.p.
    ``0.25·s_g`` (independently); ``q' = clip(q + arrival − departure, 0, 4)`` (arrivals
    to a full queue are lost). ``r_g = −0.3·s_g − move_cost·|Δ|`` (servers cost);
    ``r_l(q, s_g) = −0.25·q`` (holding cost). Start: ``s_g = 1``, ``q`` uniform.

``ev_charging`` — a charging station and electric vehicles (seed 003's EV application)
    ``s_g = ℓ ∈ {0..4}`` is the station's power (capacity) level; ``ℓ' = clip(ℓ + Δ, 0, 4)``.
    Each local agent is a charging bay: ``s_l = 0`` empty, ``s_l = 1 + b`` an EV with
    battery level ``b ∈ {0, 1, 2, 3}`` (3 = full). Dynamics given ``ℓ``: an empty bay gets
    an EV w.p. ``EV_ARRIVAL = 0.4``, arriving with ``b = 0`` or ``b = 1`` equally; an EV
    that is not full leaves unfinished w.p. ``EV_IMPATIENCE = 0.1``, otherwise it gains one
    battery level w.p. ``ℓ/4`` (the charging rate the power level buys); a full EV leaves
    w.p. ``EV_FULL_LEAVE = 0.5``. Rewards (a social planner's, per step):
    ``r_g = −EV_POWER_COST·ℓ − move_cost·|Δ|`` (the grid's capacity charge, 0.08 per level)
    and ``r_l(s_l, ℓ) = −EV_DEFICIT·(3 − b)`` for an EV present (0.3 per missing battery
    level: the drivers' unmet demand), 0 for an empty bay. The best level rises with the
    number of parked, low-battery EVs: a distribution-sensitive decision. A higher level
    costs now and pays later (EVs charged before they leave): the planner must look ahead.
    Start: ``ℓ = 2``; bays empty w.p. 1/2, else an EV with a uniform battery level.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from incentive_lab.core.generative import GlobalLocalKernels
from incentive_lab.core.types import FloatArray

MOVES = np.array([-1, 0, 1])
"""The move Δ of each global action (down, stay, up)."""
ACTION_NAMES = ("down", "stay", "up")


@dataclass(frozen=True)
class Instance:
    """Kernels and initial laws of one instance (``initial_*`` are probability vectors)."""

    kernels: GlobalLocalKernels
    initial_global: FloatArray
    initial_local: FloatArray
    summary: str


def _moves(n_levels: int, success: float = 1.0) -> FloatArray:
    """``[S_g, 3, S_g]``: the move Δ happens w.p. ``success`` (else stay), clipped."""
    kernel = np.zeros((n_levels, 3, n_levels))
    levels = np.arange(n_levels)
    for a, delta in enumerate(MOVES):
        target = np.clip(levels + delta, 0, n_levels - 1)
        kernel[levels, a, target] += success
        kernel[levels, a, levels] += 1.0 - success
    return kernel


def _walk(n_states: int, down: float, up: float) -> FloatArray:
    """``[S, S]``: a step −1 w.p. ``down``, +1 w.p. ``up`` (blocked steps stay put)."""
    kernel = np.zeros((n_states, n_states))
    states = np.arange(n_states)
    kernel[states, np.maximum(states - 1, 0)] += down
    kernel[states, np.minimum(states + 1, n_states - 1)] += up
    kernel[states, states] += 1.0 - down - up
    return kernel


def median(move_cost: float) -> Instance:
    """Tracking the median of 5-level sticky random walkers."""
    levels = 5
    local = np.broadcast_to(_walk(levels, 0.1, 0.1), (levels, levels, levels))
    grid = np.arange(levels)
    kernels = GlobalLocalKernels(
        global_kernel=_moves(levels),
        local_kernel=np.array(local),
        global_reward=np.broadcast_to(-move_cost * np.abs(MOVES), (levels, 3)).copy(),
        local_reward=-np.abs(grid[None, :] - grid[:, None]).astype(float),
    )
    uniform = np.full(levels, 1.0 / levels)
    return Instance(kernels, uniform, uniform, "track the median of the local states")


def demand_response(move_cost: float) -> Instance:
    """Supply level vs consumers' (consumption, desire)."""
    n_levels, supply = 5, np.arange(1, 6)
    desire = np.array([[0.7, 0.3], [0.2, 0.8]])  # [d, d']
    local = np.zeros((n_levels, 6, 6))
    for g, s in enumerate(supply):
        for c in range(3):
            for d in range(2):
                consumption = _walk(3, 0.0, s / 5.0)[c] if d else _walk(3, 0.5, 0.0)[c]
                # next index 2c' + d': outer product of consumption and desire moves
                local[g, 2 * c + d] = np.outer(consumption, desire[d]).ravel()
    c_of, d_of = np.arange(6) // 2, np.arange(6) % 2
    local_reward = np.where(d_of == 1, 0.5 * c_of, -0.25 * c_of).astype(float)
    kernels = GlobalLocalKernels(
        global_kernel=_moves(n_levels, success=0.9),
        local_kernel=local,
        global_reward=-0.25 * supply[:, None] - move_cost * np.abs(MOVES)[None, :],
        local_reward=np.broadcast_to(local_reward, (n_levels, 6)).copy(),
    )
    start = np.eye(n_levels)[2]
    return Instance(kernels, start, np.full(6, 1.0 / 6.0), "supply level vs consumer demand")


def queueing(move_cost: float) -> Instance:
    """Service capacity vs queue lengths."""
    n_servers, capacity = 4, 5
    arrive = 0.3
    local = np.zeros((n_servers, capacity, capacity))
    q = np.arange(capacity)
    for g in range(n_servers):
        serve = np.where(q > 0, 0.25 * g, 0.0)
        up, down = arrive * (1 - serve), (1 - arrive) * serve
        local[g] = 0.0
        local[g, q, np.minimum(q + 1, capacity - 1)] += up
        local[g, q, np.maximum(q - 1, 0)] += down
        local[g, q, q] += 1.0 - up - down
    servers = np.arange(n_servers)
    kernels = GlobalLocalKernels(
        global_kernel=_moves(n_servers),
        local_kernel=local,
        global_reward=-0.3 * servers[:, None] - move_cost * np.abs(MOVES)[None, :],
        local_reward=np.broadcast_to(-0.25 * q.astype(float), (n_servers, capacity)).copy(),
    )
    start = np.eye(n_servers)[1]
    return Instance(kernels, start, np.full(capacity, 1.0 / capacity), "servers vs queues")


EV_LEVELS, EV_BATTERY = 5, 4
"""Power levels ``ℓ ∈ {0..4}`` and battery levels ``b ∈ {0..3}`` of ``ev_charging``."""
EV_ARRIVAL, EV_IMPATIENCE, EV_FULL_LEAVE = 0.4, 0.1, 0.5
"""Arrival to an empty bay; unfinished departure; departure once full (per step)."""
EV_POWER_COST, EV_DEFICIT = 0.08, 0.3
"""Capacity charge per power level; unmet-demand cost per missing battery level."""


def ev_charging(move_cost: float) -> Instance:
    """A charging station's power level vs EVs' arrivals, battery levels and departures."""
    n_local = EV_BATTERY + 1  # 0: empty bay; 1 + b: an EV with battery level b
    full = EV_BATTERY
    local = np.zeros((EV_LEVELS, n_local, n_local))
    for level in range(EV_LEVELS):
        rate = level / (EV_LEVELS - 1)
        local[level, 0, 0] = 1.0 - EV_ARRIVAL
        local[level, 0, 1] = local[level, 0, 2] = EV_ARRIVAL / 2.0
        for b in range(EV_BATTERY - 1):
            stay = 1.0 - EV_IMPATIENCE
            local[level, 1 + b, 0] = EV_IMPATIENCE
            local[level, 1 + b, 2 + b] = stay * rate
            local[level, 1 + b, 1 + b] = stay * (1.0 - rate)
        local[level, full, 0] = EV_FULL_LEAVE
        local[level, full, full] = 1.0 - EV_FULL_LEAVE
    deficit = np.concatenate([[0.0], -EV_DEFICIT * (EV_BATTERY - 1 - np.arange(EV_BATTERY))])
    levels = np.arange(EV_LEVELS)
    kernels = GlobalLocalKernels(
        global_kernel=_moves(EV_LEVELS),
        local_kernel=local,
        global_reward=-EV_POWER_COST * levels[:, None] - move_cost * np.abs(MOVES)[None, :],
        local_reward=np.broadcast_to(deficit, (EV_LEVELS, n_local)).copy(),
    )
    start_local = np.concatenate([[0.5], np.full(EV_BATTERY, 0.5 / EV_BATTERY)])
    return Instance(kernels, np.eye(EV_LEVELS)[2], start_local, "station power vs EV charging")


INSTANCES = {
    "median": median,
    "demand_response": demand_response,
    "queueing": queueing,
    "ev_charging": ev_charging,
}
"""Instance builders by name, each called as ``builder(move_cost)``."""
