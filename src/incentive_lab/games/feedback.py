"""Feedback laws for the cooperators' multiplier ``r_c`` of the public goods game.

SPEC §1.2: ``r_d`` is fixed while ``r_c`` may move with the state of the population,
bounded in ``[alpha, beta]``. A law is a frozen parameter model (discriminated by ``law``)
plus three pure functions of a scalar *state*, so a game can store the state and nothing
is hidden:

* :func:`initial_state` — the state in which ``r_c`` equals the configured value;
* :func:`next_state` — the state after a round with cooperation fraction ``x``;
* :func:`multiplier` — ``r_c`` in a state.

Laws
    ``constant`` (the default): ``r_c`` keeps its configured value (state = ``r_c``).

    ``linear``: ``r_c = α + (β−α)·x`` where ``x`` is the previous round's cooperation
    fraction (state = ``x``; before the first round ``x`` is chosen so that ``r_c`` equals
    its configured value).

    ``weitz``: the eco-evolutionary feedback of Weitz, Eksin, Paarporn, Brown & Ratcliff,
    "An oscillating tragedy of the commons in replicator dynamics with game-environment
    feedback", PNAS 113 (47), E7518–E7525 (2016). An environment ``n ∈ [0, 1]`` follows
    ``dn/dt = ε·n(1−n)·(θ·x − (1−x))``: cooperators restore it at rate θ, defectors
    degrade it. Each round integrates this ODE exactly over one unit of time with ``x``
    held at that round's cooperation fraction (the logistic solution
    ``n' = n·e^{εf} / (1 − n + n·e^{εf})``, ``f = θx − (1−x)``), so ``n`` never leaves
    ``[0, 1]``. The environment is stationary iff ``x = x* = 1/(1+θ)`` (or ``n ∈ {0, 1}``,
    absorbing). ``r_c = α + (β−α)·n`` (a rich environment pays cooperators more, a
    reinforcing loop); with ``tragedy: true``, ``r_c = β − (β−α)·n``, Weitz et al.'s
    orientation in which a replete environment tempts defection, which produces their
    oscillating tragedy of the commons. Defaults ``ε = 0.1``, ``θ = 2``.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from incentive_lab.core.params import Params


class ConstantFeedback(Params):
    """``r_c`` stays at its configured value."""

    law: Literal["constant"] = "constant"
    """Law name."""


class _Bounded(Params):
    alpha: float = 2.0
    """Lower bound α of ``r_c``."""
    beta: float = 6.0
    """Upper bound β of ``r_c`` (must exceed α)."""

    @model_validator(mode="after")
    def _ordered(self) -> _Bounded:
        if not (math.isfinite(self.alpha) and math.isfinite(self.beta)):
            raise PydanticCustomError("config", "alpha and beta must be finite")
        if self.beta <= self.alpha:
            raise PydanticCustomError(
                "config",
                "need alpha < beta (got alpha={alpha}, beta={beta})",
                {"alpha": self.alpha, "beta": self.beta},
            )
        return self


class LinearFeedback(_Bounded):
    """``r_c = α + (β−α)·x`` with ``x`` the previous round's cooperation fraction."""

    law: Literal["linear"] = "linear"
    """Law name."""


class WeitzFeedback(_Bounded):
    """Environment ``n`` with ``dn/dt = ε n(1−n)(θx − (1−x))`` (Weitz et al. 2016)."""

    law: Literal["weitz"] = "weitz"
    """Law name."""
    epsilon: float = Field(0.1, gt=0.0, le=10.0)
    """Relative speed ε of the environment."""
    theta: float = Field(2.0, gt=0.0, le=1e3)
    """Restoration rate θ of cooperators relative to degradation by defectors."""
    tragedy: bool = False
    """``True``: ``r_c = β − (β−α)·n`` (rich environment tempts defection, as in the paper)."""


Feedback = Annotated[ConstantFeedback | LinearFeedback | WeitzFeedback, Field(discriminator="law")]
"""Any feedback law (pydantic discriminated union on ``law``)."""


def bounds(law: Feedback) -> tuple[float, float] | None:
    """``(α, β)`` of the law, or ``None`` for the unbounded constant law."""
    if isinstance(law, ConstantFeedback):
        return None
    return law.alpha, law.beta


def multiplier(law: Feedback, state: float) -> float:
    """``r_c`` in ``state``."""
    if isinstance(law, ConstantFeedback):
        return state
    level = 1.0 - state if isinstance(law, WeitzFeedback) and law.tragedy else state
    return law.alpha + (law.beta - law.alpha) * level


def initial_state(law: Feedback, r_c: float) -> float:
    """The state in which :func:`multiplier` returns ``r_c`` (inside ``[α, β]``)."""
    if isinstance(law, ConstantFeedback):
        return r_c
    level = min(max((r_c - law.alpha) / (law.beta - law.alpha), 0.0), 1.0)
    return 1.0 - level if isinstance(law, WeitzFeedback) and law.tragedy else level


def weitz_rate(theta: float, x: float) -> float:
    """``f(x) = θx − (1−x)``: growth rate factor of the environment."""
    return theta * x - (1.0 - x)


def next_state(law: Feedback, state: float, x: float) -> float:
    """The state after a round whose cooperation fraction is ``x``."""
    if isinstance(law, ConstantFeedback):
        return state
    if isinstance(law, LinearFeedback):
        return x
    if state <= 0.0 or state >= 1.0:
        return state  # absorbing boundaries
    # the logistic solution is a shift of logit(n) by ε·f: stable for any rate
    z = math.log(state) - math.log1p(-state) + law.epsilon * weitz_rate(law.theta, x)
    if z >= 0.0:
        return 1.0 / (1.0 + math.exp(-z))
    growth = math.exp(z)
    return growth / (1.0 + growth)
