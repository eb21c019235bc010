"""Replicator learner (``replicator``): one shared mixed strategy, discrete replicator steps.

Model
    The group is a population whose state is one mixed strategy ``x ∈ Δ(A)`` shared by
    every member (start: uniform, or ``initial``). Each step every member draws its action
    independently from ``x``. After the step the realised fitness of action ``a`` is the
    mean shaped reward of the members who played it::

        f_a = mean{ r_i : a_i = a }                 (actions played by someone)
        φ   = Σ_{a played} x_a f_a / Σ_{a played} x_a
        f_a = φ                                      (actions nobody played: neutral)

    and ``x`` takes one Euler step of the replicator–mutator field with uniform mutation
    (``dynamics.replicator_step`` with ``dt = lr``)::

        x ← x + lr · x ⊙ (f − φ)                     (replicator step; Σ x stays 1)
        x ← max(x, 0) / Σ max(x, 0)                  (only if a step overshoots the simplex)
        x ← (1 − mutation) · x + mutation / A        (uniform mutation)

    With many members ``f`` is an unbiased estimate of the expected payoffs, so ``x``
    follows the Euler discretisation (step ``lr``) of ``ẋ_i = x_i(f_i − x·f)`` (plus the
    mutation drift ``μ(1/A − x_i)`` per step) —
    :mod:`incentive_lab.learners.imitation.dynamics` holds the deterministic fields,
    integrators and rest-point analysis. Observations are ignored (one population state).

Parameters (all validated)
    ``lr`` (> 0) step size; ``mutation`` (in [0, 1]) uniform mutation per step;
    ``initial`` optional starting distribution (``A`` probabilities summing to one).

Reference: Taylor & Jonker (1978), *Evolutionarily stable strategies and game dynamics*;
Hofbauer & Sigmund (1998), ch. 7.
"""

from __future__ import annotations

import numpy as np
from pydantic import Field

from incentive_lab.core.errors import ConfigError
from incentive_lab.core.learner import Learner, LearnerContext, Transition
from incentive_lab.core.params import Params
from incentive_lab.core.registry import register
from incentive_lab.core.types import Actions, FloatArray, Obs, Probs
from incentive_lab.learners.imitation.dynamics import replicator_step


def check_distribution(field: str, values: list[float] | None, n_actions: int) -> FloatArray:
    """``values`` as a distribution over ``n_actions`` (``None``: uniform); else ConfigError."""
    if values is None:
        return np.full(n_actions, 1.0 / n_actions)
    p = np.asarray(values, dtype=np.float64)
    if p.shape != (n_actions,) or np.any(p < 0) or not np.isclose(p.sum(), 1.0, atol=1e-9):
        raise ConfigError(
            field, values, f"{n_actions} non-negative probabilities summing to one (one per action)"
        )
    return p / p.sum()


def draw(probs: FloatArray, m: int, rng: np.random.Generator) -> Actions:
    """``int64[m]``: ``m`` independent draws from one distribution (inverse CDF)."""
    cum = np.cumsum(probs)
    actions: Actions = np.minimum(
        np.searchsorted(cum, rng.random(m) * cum[-1], side="right"), probs.shape[0] - 1
    ).astype(np.int64)
    return actions


class ReplicatorParams(Params):
    """Parameters of ``replicator``."""

    lr: float = Field(0.1, gt=0.0, allow_inf_nan=False)
    """Step size of the discrete replicator step (the Euler time step)."""
    mutation: float = Field(0.0, ge=0.0, le=1.0)
    """Uniform mutation per step: ``x ← (1 − μ)x + μ/A``."""
    initial: list[float] | None = None
    """Starting distribution over actions (default uniform); must sum to one."""


@register(
    "learner",
    "replicator",
    params=ReplicatorParams,
    description="Shared mixed strategy moved by discrete replicator(-mutator) steps on payoffs",
    stochastic=True,
    has_policy=True,
)
class ReplicatorLearner(Learner[ReplicatorParams]):
    """A group playing i.i.d. draws from one population state ``x``."""

    def __init__(
        self, params: ReplicatorParams, context: LearnerContext, rng: np.random.Generator
    ) -> None:
        super().__init__(params, context, rng)
        self.x: FloatArray = check_distribution(
            "learner.params.initial", params.initial, context.n_actions
        )

    def policy(self, obs: Obs) -> Probs:
        """``float64[m, A]``: every member's strategy is the population state ``x``."""
        return np.tile(self.x, (np.asarray(obs).shape[0], 1))

    def act(self, obs: Obs) -> Actions:
        """``int64[m]``: independent draws from ``x``."""
        return draw(self.x, np.asarray(obs).shape[0], self.rng)

    def update(self, transition: Transition) -> dict[str, float]:
        """One replicator(-mutator) step on the realised mean payoff of each action."""
        n_actions = self.context.n_actions
        actions = np.asarray(transition.actions, dtype=np.int64)
        counts = np.bincount(actions, minlength=n_actions).astype(np.float64)
        sums = np.bincount(actions, weights=transition.rewards, minlength=n_actions)
        played = counts > 0
        x = self.x
        fitness = np.zeros(n_actions)
        fitness[played] = sums[played] / counts[played]
        mean = float(x[played] @ fitness[played] / x[played].sum()) if x[played].sum() > 0 else 0.0
        fitness[~played] = mean
        self.x = replicator_step(x, fitness, mean, self.params.lr, self.params.mutation)
        return {"mean_fitness": mean}
