"""Moran process (``moran``): birth–death and death–birth updating with selection intensity.

Model
    Every agent holds a pure strategy (its action; at start drawn i.i.d. from ``initial``).
    After each step the group performs ``updates_per_step`` elementary events (default
    ``N`` = group size: one generation per step), sequentially, with fitness::

        linear:       F_i = 1 − w + w·π_i           (w ∈ [0, 1]; F must stay ≥ 0)
        exponential:  F_i = exp(w·π_i)

    ``birth_death``: a reproducer is drawn with probability ∝ F, and its offspring replaces
    a uniformly random individual (well mixed: any member, possibly the reproducer itself;
    with a topology: a random neighbour of the reproducer). ``death_birth``: a uniformly
    random individual dies and is replaced by the offspring of a member drawn ∝ F among the
    other members (well mixed) or among its neighbours (topology). The offspring inherits
    the parent's strategy *and its fitness* for the rest of the step: payoffs come from the
    game once per step (``π`` as in :mod:`.proportional_imitation`: the step's population
    rewards with the group's shaped rewards), so a step is one generation at fixed
    fitness per individual — exact for frequency-independent fitness, a one-generation
    lag for games. Role models follow ``role_model`` as in ``proportional_imitation``
    (default ``auto``: neighbours when the context has a topology). Only group members are
    replaced; with population role models parents are group members too.

Theory (well mixed, constant fitness ``r`` of a mutant against 1)
    The fixation probability of one mutant among ``N`` is
    ``ρ = (1 − 1/r)/(1 − 1/r^N)`` for birth–death, and ``1/N`` under neutral selection
    (``w = 0``) for both processes. Tests check both by Monte Carlo.

Kernel: a sequential loop compiled with Numba (``njit``, cached) when Numba is installed
(the ``fast`` extra), plain Python otherwise; randomness comes from uniforms drawn from the
learner's own ``Generator``, and fitness-proportional draws use rejection sampling against
the step's maximum fitness (exact; offspring never exceed it).

Reference: P. Moran (1958); Nowak, Sasaki, Taylor & Fudenberg (2004), *Emergence of
cooperation and evolutionary stability in finite populations*, Nature 428; Ohtsuki,
Hauert, Lieberman & Nowak (2006), Nature 441 (death–birth on graphs).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import numpy as np
from pydantic import Field

from incentive_lab.core.errors import ConfigError
from incentive_lab.core.learner import Learner, LearnerContext, Transition
from incentive_lab.core.params import Params
from incentive_lab.core.registry import register
from incentive_lab.core.types import Actions, FloatArray, IntArray, Obs, Probs
from incentive_lab.learners.exploration import one_hot
from incentive_lab.learners.imitation.proportional_imitation import (
    RoleModel,
    population_view,
    resolve_topology,
)
from incentive_lab.learners.imitation.replicator import check_distribution, draw

try:
    from numba import njit as _njit

    jit: Callable[..., Any] = _njit(cache=True)
except ImportError:  # pragma: no cover - numba is the optional ``fast`` extra

    def jit(function: Callable[..., Any]) -> Callable[..., Any]:
        """Identity decorator when Numba is not installed."""
        return function


@jit
def moran_events(  # type: ignore[no-untyped-def]
    strategies, fitness, indptr, indices, death_birth, events, uniforms
):
    """Run ``events`` elementary events in place; ``indptr`` empty means well mixed.

    ``strategies: int64[m]``, ``fitness: float64[m]`` (local indices), ``indptr/indices``:
    CSR over local indices; ``uniforms``: a stream of U(0, 1) (refilled by the caller when
    exhausted: returns the number of events done and of uniforms used).
    """
    m = strategies.shape[0]
    well_mixed = indptr.shape[0] == 0
    top = fitness.max()
    used = 0
    n_uniforms = uniforms.shape[0]
    done = 0
    while done < events:
        if used + 64 > n_uniforms:
            break
        if not death_birth:
            # birth: fitness-proportional by rejection
            while True:
                parent = min(int(uniforms[used] * m), m - 1)
                accept = uniforms[used + 1] * top <= fitness[parent]
                used += 2
                if accept or used + 4 > n_uniforms:
                    break
            if not accept:
                break
            if well_mixed:
                dead = min(int(uniforms[used] * m), m - 1)
            else:
                degree = indptr[parent + 1] - indptr[parent]
                dead = indices[indptr[parent] + min(int(uniforms[used] * degree), degree - 1)]
            used += 1
        else:
            dead = min(int(uniforms[used] * m), m - 1)
            used += 1
            if well_mixed:
                while True:
                    parent = min(int(uniforms[used] * (m - 1)), m - 2)
                    parent += parent >= dead
                    accept = uniforms[used + 1] * top <= fitness[parent]
                    used += 2
                    if accept or used + 4 > n_uniforms:
                        break
                if not accept:
                    break
            else:
                start, stop = indptr[dead], indptr[dead + 1]
                total = 0.0
                for k in range(start, stop):
                    total += fitness[indices[k]]
                target = uniforms[used] * total
                used += 1
                parent = indices[stop - 1]
                acc = 0.0
                for k in range(start, stop):
                    acc += fitness[indices[k]]
                    if target < acc:
                        parent = indices[k]
                        break
        strategies[dead] = strategies[parent]
        fitness[dead] = fitness[parent]
        done += 1
    return done, used


class MoranParams(Params):
    """Parameters of ``moran``."""

    process: Literal["birth_death", "death_birth"] = "birth_death"
    """``birth_death`` (reproducer ∝ fitness first) or ``death_birth`` (random death first)."""
    w: float = Field(0.1, ge=0.0, allow_inf_nan=False)
    """Selection intensity (0: neutral drift); at most 1 for ``linear`` fitness."""
    fitness: Literal["linear", "exponential"] = "linear"
    """Payoff-to-fitness map: ``1 − w + w·π`` or ``exp(w·π)``."""
    updates_per_step: int | None = Field(None, ge=1)
    """Elementary events per step (default: group size N, one generation)."""
    role_model: RoleModel = "auto"
    """``population`` (well mixed), ``neighbour`` (topology) or ``auto``."""
    initial: list[float] | None = None
    """Distribution of the initial strategies (default uniform); must sum to one."""


@register(
    "learner",
    "moran",
    params=MoranParams,
    description="Moran process (birth–death / death–birth) with selection intensity w",
    stochastic=True,
    has_policy=True,
    population=True,
)
class MoranLearner(Learner[MoranParams]):
    """A Moran population: ``updates_per_step`` birth/death events per step."""

    def __init__(
        self, params: MoranParams, context: LearnerContext, rng: np.random.Generator
    ) -> None:
        super().__init__(params, context, rng)
        if params.fitness == "linear" and params.w > 1.0:
            raise ConfigError("learner.params.w", params.w, "0 <= w <= 1 for linear fitness")
        topology = resolve_topology(context, params.role_model)
        self._indptr: IntArray = np.empty(0, dtype=np.int64)
        self._indices: IntArray = np.empty(0, dtype=np.int64)
        if topology is not None:
            self._indptr, self._indices = _local_csr(context, topology.indptr, topology.indices)
        initial = check_distribution("learner.params.initial", params.initial, context.n_actions)
        self.strategies: Actions = draw(initial, context.n_agents, rng)

    def fitness(self, payoffs: FloatArray) -> FloatArray:
        """``float64[m]``: fitness of each member's payoff (linear must stay ≥ 0)."""
        w = self.params.w
        if self.params.fitness == "exponential":
            z = w * payoffs
            return np.asarray(np.exp(z - z.max()), dtype=np.float64)
        result = 1.0 - w + w * payoffs
        if result.min() < 0.0:
            raise ConfigError(
                "learner.params.w",
                w,
                f"linear fitness 1 − w + w·π must be ≥ 0, but π = {payoffs.min():.4g} gives "
                f"{result.min():.4g}; lower w or use fitness: exponential",
            )
        return np.asarray(result, dtype=np.float64)

    def policy(self, obs: Obs) -> Probs:
        """``float64[m, A]``: each agent's pure strategy as a one-hot row."""
        return one_hot(self.strategies, self.context.n_actions)

    def act(self, obs: Obs) -> Actions:
        """``int64[m]``: each agent's current strategy."""
        return self.strategies.copy()

    def update(self, transition: Transition) -> dict[str, float]:
        """Run the step's birth–death / death–birth events at the step's fitness."""
        m = self.context.n_agents
        actions, payoffs = population_view(transition, self.context)
        agents = self.context.agents
        strategies = actions[agents].copy()
        if m < 2:
            self.strategies = strategies
            return {"events": 0.0}
        fitness = self.fitness(payoffs[agents])
        if fitness.max() <= 0.0:
            fitness = np.ones(m)
        events = self.params.updates_per_step or m
        death_birth = self.params.process == "death_birth"
        done = 0
        while done < events:
            uniforms = self.rng.random(8 * (events - done) + 256)
            count, _ = moran_events(
                strategies,
                fitness,
                self._indptr,
                self._indices,
                death_birth,
                events - done,
                uniforms,
            )
            done += int(count)
        self.strategies = strategies
        return {"events": float(events)}


def _local_csr(
    context: LearnerContext, indptr: IntArray, indices: IntArray
) -> tuple[IntArray, IntArray]:
    """CSR restricted to the group's members, in local indices (others are dropped)."""
    n = context.population_size
    local = np.full(n, -1, dtype=np.int64)
    local[context.agents] = np.arange(context.n_agents, dtype=np.int64)
    starts = indptr[context.agents]
    degrees = indptr[context.agents + 1] - starts
    source = np.repeat(np.arange(context.n_agents, dtype=np.int64), degrees)
    first = np.repeat(np.cumsum(degrees) - degrees, degrees)
    flat = indices[np.repeat(starts, degrees) + np.arange(source.shape[0]) - first]
    target = local[flat]
    keep = target >= 0
    rows, cols = source[keep], target[keep]
    counts = np.bincount(rows, minlength=context.n_agents)
    if np.any(counts == 0):
        raise ConfigError(
            "learner.params.role_model",
            "neighbour",
            "moran on a graph needs every group member to have a neighbour inside the group",
        )
    new_indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    return new_indptr, cols.astype(np.int64)
