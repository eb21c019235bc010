"""Tolls for Vickrey's bottleneck: ``bottleneck_fine_toll`` and ``bottleneck_coarse_toll``.

Both charge each commuter the toll ``τ_k`` of its departure slot ``k`` (the toll is levied
when it joins the queue): a transfer ``t_i = −τ_{a_i}`` (the designer collects; learners see
``R_i + t_i``, ``incentive_cost = Σ_i τ_{a_i}``), read from the game's ``bottleneck_model``
(slot grid, capacity ``s``, ``N`` commuters per instance, ``α, β, γ``, ``t*``, ``t_f``).
``update`` reports ``toll_revenue`` (tolls collected per instance and day, dollars). Notation:
``δ = βγ/(β+γ)``, ``t̂ = t* − t_f`` (the departure of an on-time arrival without queue),
``t_q = t̂ − γN/((β+γ)s)`` and ``t_q' = t̂ + βN/((β+γ)s)`` (the no-toll rush hour).

Fine toll (Vickrey 1969; Arnott, de Palma & Lindsey 1990, 1993)
    In the no-toll equilibrium every commuter pays ``C = δN/s`` (plus ``α·t_f``); one
    departing at ``t ∈ [t_q, t_q']`` spends ``β(t̂−t)`` or ``γ(t−t̂)`` of it on schedule
    delay (its arrival is ``t + D(t) + t_f``, and with no queue ``t + t_f``) and the rest
    ``αD(t)`` queueing. Charging the queueing cost as a toll instead,

        ``τ(t) = δN/s − β(t̂ − t)``  for ``t_q ≤ t ≤ t̂``,
        ``τ(t) = δN/s − γ(t − t̂)``  for ``t̂ ≤ t ≤ t_q'``,  0 outside,

    i.e. ``τ(t) = max(0, δN/s − max(β(t̂−t), γ(t−t̂)))``, makes schedule delay plus toll equal
    to ``δN/s`` at every ``t`` of the rush hour when there is no queue and larger outside,
    so departing at the capacity rate ``s`` over ``[t_q, t_q']`` with no queue is an
    equilibrium: the generalised price (cost + toll) stays ``δN/s``, the queue vanishes,
    revenue ``δN²/(2s)`` equals the queueing cost removed and the social cost halves from
    ``δN²/s`` to the schedule delay ``δN²/(2s)``. On slots the toll of slot ``k`` is the exact
    mean of ``τ`` over the slot (the mean of the mover's position, as the game's costs are);
    ``scale`` multiplies it (1: optimal).

Coarse toll (Arnott, de Palma & Lindsey 1990: one flat toll ``ρ`` over a window; commuters
who avoid it depart in a mass when it is lifted and are served in random order)
    A flat ``ρ`` on departures in ``[t⁺, t⁻)``. Derived here for these rules (``γ > α``): the
    bottleneck stays busy for ``N/s`` from ``t_q^ρ``; untolled early departures at rate
    ``sα/(α−β)`` over ``[t_q^ρ, t⁺]``; no departures for ``ρ/α`` after ``t⁺``, until the queue
    has emptied; tolled departures at ``sα/(α−β)`` then ``sα/(α+γ)``, the queue back at zero
    at ``t⁻``; a mass ``M = 2sρ/(α+γ)`` departs at ``t⁻`` (its mean cost equals the others'),
    nobody after it. Counting departures gives ``t_q^ρ = t_q + κρ`` with
    ``κ = max(0, (γ−α)/((α+γ)(β+γ)))``, ``t⁺ = t_q^ρ + ρ(1/β − 1/α)``,
    ``t⁻ = t_q^ρ + N/s − ρ·max(2/(α+γ), 1/γ)`` (for ``γ ≤ α`` the mass is followed by late
    untolled departures and the last term is ``ρ/γ``). Every commuter pays
    ``C = δN/s − βκρ``; ``N − sρ(1/β + 2/(α+γ))`` of them pay the toll (``N − sρ/δ`` when
    ``γ ≤ α``). The social cost ``NC − revenue`` is minimised at

        ``ρ* = δN/(2s)``,   social cost ``(δN²/s)·(3 − βκ)/4``,

    the level usually quoted for ADL's (1990) single-step toll (this derivation is ours; the
    paper was not at hand to check its window against): with ``γ ≤ α`` it removes half the
    queueing cost (a quarter of the total, as Laih 1994's ``n/(n+1)`` for one step); with the
    defaults (α, β, γ) = (6.4, 3.9, 15.21), ``βκ = 0.083``: social cost ``0.729·δN²/s``
    against ``δN²/s`` untolled and ``0.5·δN²/s`` with the fine toll. Parameters ``level``,
    ``start``, ``end`` default to ``ρ*`` and the window above; slot ``k`` is tolled when its
    midpoint lies in ``[start, end)``, so on slots the window and the mass are rounded to the
    grid, and the mass spreads over one slot instead of leaving at one instant, which lowers
    its cost (``tests/theory/test_bottleneck_equilibrium.py``: social cost 2% below the
    closed form at 2-minute slots).

References: W. Vickrey (1969), *AER* 59(2), 251–261; R. Arnott, A. de Palma & R. Lindsey
(1990), "Economics of a bottleneck", *J. Urban Econ.* 27, 111–130; (1993), *AER* 83(1),
161–179; C.-H. Laih (1994), "Queueing at a bottleneck with single- and multi-step tolls",
*Transp. Res. A* 28, 197–208.
"""

from __future__ import annotations

from typing import Any, ClassVar, Protocol, runtime_checkable

import numpy as np
from pydantic import Field, model_validator

from incentive_lab.core.capabilities import Capability, provided
from incentive_lab.core.errors import ConfigError
from incentive_lab.core.game import Game
from incentive_lab.core.mechanism import Adjustment, Mechanism
from incentive_lab.core.params import Params, field_error
from incentive_lab.core.registry import register
from incentive_lab.core.types import Actions, FloatArray, IntArray, Rewards


@runtime_checkable
class BottleneckModel(Protocol):
    """What these tolls read of a game offering ``bottleneck_model`` (times in hours)."""

    slot_starts: FloatArray
    slot_width: float
    capacity: float
    n_commuters: int
    alpha: float
    beta: float
    gamma: float
    desired_arrival: float
    free_flow: float
    copies: IntArray


def delta(model: BottleneckModel) -> float:
    """``δ = βγ/(β+γ)``."""
    return model.beta * model.gamma / (model.beta + model.gamma)


def rush_hour(model: BottleneckModel) -> tuple[float, float, float]:
    """``(t_q, t̂, t_q')`` of the no-toll equilibrium."""
    t_hat = model.desired_arrival - model.free_flow
    span = model.n_commuters / model.capacity / (model.beta + model.gamma)
    return t_hat - model.gamma * span, t_hat, t_hat + model.beta * span


def fine_toll(model: BottleneckModel, t: FloatArray) -> FloatArray:
    """The optimal time-varying toll ``τ(t)`` at departure times ``t``."""
    _, t_hat, _ = rush_hour(model)
    peak = delta(model) * model.n_commuters / model.capacity
    delay = np.maximum(model.beta * (t_hat - t), model.gamma * (t - t_hat))
    toll: FloatArray = np.maximum(0.0, peak - delay)
    return toll


def fine_toll_slots(model: BottleneckModel) -> FloatArray:
    """The exact mean of ``τ`` over each slot (``float64[T]``).

    ``τ`` is piecewise linear, so trapezoids between its kinks ``t_q, t̂, t_q'`` are exact.
    """
    kinks = np.asarray(rush_hour(model))
    out = np.zeros(model.slot_starts.shape[0])
    for k, start in enumerate(model.slot_starts):
        end = start + model.slot_width
        inner = kinks[(kinks > start) & (kinks < end)]
        points = np.concatenate([[start], inner, [end]])
        values = fine_toll(model, points)
        out[k] = float(np.sum(0.5 * (values[1:] + values[:-1]) * np.diff(points)))
    return out / model.slot_width


def coarse_optimum(model: BottleneckModel) -> tuple[float, float, float]:
    """``(ρ*, t⁺, t⁻)``: the optimal single-step toll and its window (module docstring)."""
    a, b, g = model.alpha, model.beta, model.gamma
    level = delta(model) * model.n_commuters / (2.0 * model.capacity)
    kappa = max(0.0, (g - a) / ((a + g) * (b + g)))
    t_q, _, _ = rush_hour(model)
    start_queue = t_q + kappa * level
    start = start_queue + level * (1.0 / b - 1.0 / a)
    end = start_queue + model.n_commuters / model.capacity - level * max(2.0 / (a + g), 1.0 / g)
    return level, start, end


def coarse_social_cost(model: BottleneckModel) -> float:
    """Social cost per instance under the optimal coarse toll, ``(δN²/s)(3 − βκ)/4``."""
    a, b, g = model.alpha, model.beta, model.gamma
    kappa = max(0.0, (g - a) / ((a + g) * (b + g)))
    return delta(model) * model.n_commuters**2 / model.capacity * (3.0 - b * kappa) / 4.0


class FineTollParams(Params):
    """Parameters of ``bottleneck_fine_toll``."""

    scale: float = Field(1.0, ge=0.0)
    """Multiplier of the optimal time-varying toll (1: optimal; 0: no toll)."""


class CoarseTollParams(Params):
    """Parameters of ``bottleneck_coarse_toll`` (``None``: the optimum of the docstring)."""

    level: float | None = Field(None, ge=0.0)
    """Flat toll ``ρ``, dollars (``None``: ``δN/(2s)``)."""
    start: float | None = None
    """Start ``t⁺`` of the tolled departure window, hours (``None``: the optimal start)."""
    end: float | None = None
    """End ``t⁻`` of the tolled departure window, hours (``None``: the optimal end)."""

    @model_validator(mode="after")
    def _ordered(self) -> CoarseTollParams:
        if self.start is not None and self.end is not None and not self.end > self.start:
            raise field_error("mechanism.params", "end", self.end, f"after start={self.start}")
        return self


class SlotToll(Mechanism[Any]):
    """Charge each commuter the toll of its departure slot; subclasses give the tolls."""

    toll_id: ClassVar[str] = ""

    def __init__(self, params: Any, game: Game[Any], rng: np.random.Generator) -> None:
        super().__init__(params, game, rng)
        self._model: BottleneckModel | None = None
        self.tolls = self._tolls_for(game)
        self.revenue = 0.0

    def _tolls_for(self, game: Game[Any]) -> FloatArray:
        model = provided(game, Capability.BOTTLENECK_MODEL)
        if not isinstance(model, BottleneckModel):
            allowed = "a game offering bottleneck_model (e.g. bottleneck)"
            raise ConfigError("mechanism.id", self.toll_id, allowed)
        if model is not self._model:
            self._model = model
            self.tolls = self.slot_tolls(model)
        return self.tolls

    def slot_tolls(self, model: BottleneckModel) -> FloatArray:
        """``τ_k`` per slot (``float64[T]``)."""
        raise NotImplementedError

    def adjust(
        self, game: Game[Any], actions: Actions, rewards: Rewards, info: dict[str, Any]
    ) -> Adjustment:
        """Transfers ``−τ_{a_i}``."""
        tolls = self._tolls_for(game)
        paid = tolls[np.asarray(actions, dtype=np.int64)]
        n_copies = int(game.copies.max()) + 1 if game.n_agents else 1
        self.revenue = float(paid.sum()) / n_copies
        return Adjustment.payments(np.asarray(rewards, dtype=np.float64), -paid)

    def update(
        self, game: Game[Any], actions: Actions, rewards: Rewards, adjustment: Adjustment
    ) -> dict[str, float]:
        """Report ``toll_revenue``: tolls collected per instance on the last day."""
        return {"toll_revenue": self.revenue}

    def reconfigure(self, **changes: Any) -> None:
        """New parameters: recompute the tolls (on a ``ConfigError`` the old ones stay)."""
        previous = self.params
        super().reconfigure(**changes)
        if self._model is not None:
            try:
                self.tolls = self.slot_tolls(self._model)
            except ConfigError:
                self.params = previous
                raise


@register(
    "mechanism",
    "bottleneck_fine_toll",
    params=FineTollParams,
    description="Optimal time-varying bottleneck toll: charges the no-toll queueing cost",
    requires=frozenset({Capability.BOTTLENECK_MODEL}),
    stateless=True,
    pays=True,
    shaping=False,
)
class FineToll(SlotToll):
    """``τ_k = scale·`` the slot mean of the optimal time-varying toll."""

    toll_id = "bottleneck_fine_toll"

    def slot_tolls(self, model: BottleneckModel) -> FloatArray:
        """The optimal fine toll per slot, scaled."""
        tolls: FloatArray = self.params.scale * fine_toll_slots(model)
        return tolls


@register(
    "mechanism",
    "bottleneck_coarse_toll",
    params=CoarseTollParams,
    description="Single-step bottleneck toll: a flat toll over a departure window (ADL 1990)",
    requires=frozenset({Capability.BOTTLENECK_MODEL}),
    stateless=True,
    pays=True,
    shaping=False,
)
class CoarseToll(SlotToll):
    """``τ_k = ρ`` for slots whose midpoint lies in ``[start, end)``, else 0."""

    toll_id = "bottleneck_coarse_toll"

    def slot_tolls(self, model: BottleneckModel) -> FloatArray:
        """The flat toll on the window's slots."""
        level, start, end = coarse_optimum(model)
        p = self.params
        level = level if p.level is None else p.level
        start = start if p.start is None else p.start
        end = end if p.end is None else p.end
        if not end > start:
            raise ConfigError("mechanism.params.end", end, f"after start={start}")
        middle = model.slot_starts + 0.5 * model.slot_width
        return np.where((middle >= start) & (middle < end), level, 0.0)
