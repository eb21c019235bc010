"""Pairwise imitation with the Fermi rule (``fermi_imitation``).

Each agent holds a pure strategy (its action) and imitates: agent ``x`` picks a random
neighbour ``y`` and adopts ``y``'s strategy with probability::

    W(x ← y) = 1 / (1 + exp((π_x − π_y) / K))

``K > 0`` is the noise of imitation (``K → 0``: copy only better neighbours; large ``K``:
random drift). One ``update`` is one Monte Carlo step (MCS) of the whole group, so one
rollout step is one MCS. Reference: Szabó & Tőke, Phys. Rev. E 58, 69 (1998); Szabó &
Fáth, "Evolutionary games on graphs", Phys. Rep. 446, 97 (2007), §6.

``update: random_sequential`` (default, the literature's standard)
    ``m`` elementary updates, each on an agent ``x`` drawn uniformly (with replacement)
    from the group; both payoffs are evaluated with the *current* strategies, which change
    during the step. This needs the game's local payoff rule between rounds: the learner
    reads ``context.overlapping_groups`` (``core.population``; exposed by
    ``spatial_public_goods``) and evaluates it in a Numba kernel (``_kernels_fermi``) in
    ``O(m·G)`` per MCS. The payoffs are the game's *base* payoffs (a mechanism reshapes
    only the rewards of played rounds, which this rule does not read). Without such a
    structure (other games, or a context built without ``LearnerContext.for_game``) the
    step falls back to the synchronous rule below, and ``update`` reports
    ``synchronous = 1``.

``update: synchronous``
    Every member compares itself at once with one random neighbour on the rewards of the
    round just played: its own shaped rewards for the group's members and the base
    ``population_rewards`` for agents outside the group (the only ones it sees), and
    adopts the strategy that neighbour played. Works for any game with a ``topology``;
    without one the role model is a uniformly random other member of the population
    (well mixed). Agents without neighbours keep their strategy.

Config parameters
    ``K`` (> 0, default 0.5), ``update``, ``initial_cooperation``: each agent starts with
    the game's cooperative action with this probability (default 0.5) and otherwise with a
    uniformly random other action (all actions uniform if the game has no cooperative
    action). The initial field is drawn from the learner's own generator, which also draws
    every random number of the kernels: runs are seeded and reproducible. On a lattice
    (a contiguous group) it draws one 64-bit seed per Monte Carlo step and the kernel
    computes its uniforms from that seed (SplitMix64, ``_kernels_random``; identical for any
    number of threads); elsewhere it draws them as arrays outside the kernels.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from pydantic import Field

from incentive_lab.core.errors import ConfigError
from incentive_lab.core.learner import Learner, LearnerContext, Transition
from incentive_lab.core.params import Params
from incentive_lab.core.population import OverlappingGroups
from incentive_lab.core.registry import register
from incentive_lab.core.topology import Topology
from incentive_lab.core.types import Actions, FloatArray, IntArray, Obs, Probs


class FermiImitationParams(Params):
    """Parameters of ``fermi_imitation``."""

    K: float = Field(0.5, gt=0.0, allow_inf_nan=False)
    """Noise K of the Fermi rule (> 0)."""
    update: Literal["random_sequential", "synchronous"] = "random_sequential"
    """Random sequential Monte Carlo steps (current payoffs) or synchronous comparisons."""
    initial_cooperation: float = Field(0.5, ge=0.0, le=1.0)
    """Probability that an agent starts with the cooperative action."""


def initial_strategies(
    m: int, n_actions: int, cooperative: int | None, p: float, rng: np.random.Generator
) -> IntArray:
    """``int64[m]``: cooperative with probability ``p``, else a uniform other action."""
    if cooperative is None or n_actions == 1:
        return rng.integers(0, n_actions, m).astype(np.int64)
    others = rng.integers(0, n_actions - 1, m)
    others += others >= cooperative
    strategies: IntArray = np.where(rng.random(m) < p, cooperative, others).astype(np.int64)
    return strategies


@register(
    "learner",
    "fermi_imitation",
    params=FermiImitationParams,
    description="Pairwise Fermi imitation of neighbours, random sequential or synchronous",
    tabular=False,
    stochastic=True,
    has_policy=True,
)
class FermiImitation(Learner[FermiImitationParams]):
    """A group of imitating agents; ``update`` runs one Monte Carlo step."""

    learner_id = "fermi_imitation"

    def __init__(
        self, params: FermiImitationParams, context: LearnerContext, rng: np.random.Generator
    ) -> None:
        super().__init__(params, context, rng)
        n, members = context.population_size, context.agents
        if context.topology is not None and context.topology.n != n:
            raise ConfigError("topology", context.topology.n, f"a graph of {n} agents")
        self._members = members
        self._range = (
            (int(members[0]), int(members[-1]) + 1)
            if members.size and np.array_equal(members, np.arange(members[0], members[-1] + 1))
            else None
        )
        dtype = np.int8 if context.n_actions <= np.iinfo(np.int8).max else np.int64
        self._population = np.zeros(n, dtype=dtype)
        self._population[members] = initial_strategies(
            members.size,
            context.n_actions,
            context.cooperative_action,
            params.initial_cooperation,
            rng,
        )
        # random-sequential kernel state, rebuilt when the topology changes
        self._layout_of: Topology | None = None
        self._counted_for: int | None = None
        self._layout: tuple[int, IntArray, IntArray] | None = None
        self._inverse_size: FloatArray | None = None
        self._counts: npt.NDArray[np.integer[Any]] | None = None
        self._wraps: tuple[IntArray, IntArray] | None = None
        self._table: FloatArray | None = None
        self._table_key: tuple[float, ...] | None = None

    @property
    def strategies(self) -> Actions:
        """``int64[m]``: the group's current strategies."""
        if self._range is not None:
            return self._population[self._range[0] : self._range[1]].astype(np.int64)
        return self._population[self._members].astype(np.int64)

    def act(self, obs: Obs) -> Actions:
        """``int64[m]``: every agent plays its current strategy."""
        return self.strategies

    def policy(self, obs: Obs) -> Probs:
        """``float64[m, A]``: one-hot rows of the current strategies."""
        probs = np.zeros((self.n_agents, self.context.n_actions))
        probs[np.arange(self.n_agents), self.strategies] = 1.0
        return probs

    def update(self, transition: Transition) -> dict[str, float]:
        """One Monte Carlo step; reports the fraction of members that adopted a strategy."""
        from incentive_lab.learners.imitation._kernels_fermi import differs

        incoming = transition.population_actions
        if incoming is not None and differs(np.asarray(incoming), self._population):
            self._population[:] = incoming
            self._counts = None  # others moved: recount the groups
        structure = self.context.overlapping_groups
        if self.params.update == "random_sequential" and structure is not None:
            adopted = self._random_sequential(structure())
            return {"adoptions": adopted / max(self.n_agents, 1)}
        changed = self._synchronous(transition)
        self._counts = None
        stats: dict[str, float] = {"adoptions": changed / max(self.n_agents, 1)}
        if self.params.update == "random_sequential":
            stats["synchronous"] = 1.0
        return stats

    # -- the two rules -------------------------------------------------------------------
    def _picks(self) -> IntArray:
        m = self.n_agents
        if self._range is not None:
            return self.rng.integers(self._range[0], self._range[1], m)
        picked: IntArray = self._members[self.rng.integers(0, m, m)]
        return picked

    def _layout_for(self, topology: Topology) -> tuple[int, IntArray, IntArray] | None:
        """The lattice layout of ``topology`` (computed once), or ``None`` for other graphs."""
        from incentive_lab.learners.imitation._kernels_fermi_lattice import (
            lattice_offsets,
            wrap_tables,
        )

        if self._layout_of is not topology:
            self._layout = lattice_offsets(topology.indptr, topology.indices)
            self._inverse_size = 1.0 / (topology.degrees + 1.0).astype(np.float64)
            self._layout_of, self._counts = topology, None
            self._wraps = None if self._layout is None else wrap_tables(*self._layout)
        return self._layout

    def _fermi_table(self, k: int, structure: OverlappingGroups) -> FloatArray:
        """The lattice kernel's table of adoption probabilities, rebuilt when rules change."""
        from incentive_lab.learners.imitation._kernels_fermi_lattice import adoption_table

        key = (k, structure.r_c, structure.r_d, structure.cost, 1.0 / self.params.K)
        if self._table_key != key:
            self._table, self._table_key = adoption_table(*key), key
        assert self._table is not None
        return self._table

    def _random_sequential(self, structure: OverlappingGroups) -> int:
        from incentive_lab.learners.imitation import _kernels_fermi as csr
        from incentive_lab.learners.imitation import _kernels_fermi_lattice as lattice
        from incentive_lab.learners.imitation._kernels_random import draw_seed

        topology, cooperative = structure.topology, structure.cooperative_action
        if topology.n != self._population.size:
            raise ConfigError("overlapping_groups", topology.n, f"{self._population.size} agents")
        if self._counted_for != cooperative:
            self._counted_for, self._counts = cooperative, None
        layout = self._layout_for(topology)
        strategies = self._population
        if self._counts is None:
            self._counts = (
                lattice.lattice_counts(strategies, *layout, cooperative)
                if layout is not None
                else csr.group_counts(strategies, topology.indptr, topology.indices, cooperative)
            )
        rule = (structure.r_c, structure.r_d, structure.cost, cooperative, 1.0 / self.params.K)
        if layout is not None and self._range is not None:
            assert self._wraps is not None
            table = self._fermi_table(layout[1].size, structure)
            low, high = self._range
            lattice_args = (strategies, self._counts, layout[0], *self._wraps, table, cooperative)
            adopted: int = lattice.lattice_mcs_seeded(*lattice_args, low, high, draw_seed(self.rng))
            return adopted
        picks = self._picks()
        uniforms = self.rng.random(picks.size)
        if layout is not None:
            assert self._wraps is not None
            table = self._fermi_table(layout[1].size, structure)
            adopted = lattice.lattice_mcs(
                strategies,
                self._counts,
                layout[0],
                *self._wraps,
                table,
                cooperative,
                picks,
                uniforms,
            )
        else:
            assert self._inverse_size is not None
            adopted = csr.random_sequential_step(
                strategies,
                self._counts,
                self._inverse_size,
                topology.indptr,
                topology.indices,
                *rule,
                picks,
                uniforms,
            )
        return adopted

    def _payoffs(self, transition: Transition) -> FloatArray:
        """Population payoffs of the round just played (own members: shaped rewards)."""
        rewards = np.asarray(transition.rewards, dtype=np.float64)
        if transition.population_rewards is None or self.n_agents == self._population.size:
            if self.n_agents != self._population.size:
                raise ConfigError(
                    "transition.population_rewards",
                    None,
                    "needed when the group is a sub-population",
                )
            return rewards
        payoffs = np.array(transition.population_rewards, dtype=np.float64)
        payoffs[self._members] = rewards
        return payoffs

    def _synchronous(self, transition: Transition) -> int:
        """Apply one synchronous round of comparisons in place; return the changes."""
        from incentive_lab.learners.imitation import _kernels_fermi as csr
        from incentive_lab.learners.imitation import _kernels_fermi_lattice as lattice
        from incentive_lab.learners.imitation._kernels_random import draw_seed

        payoffs = self._payoffs(transition)
        members, population = self._members, self._population
        topology, inverse_k = self.context.topology, 1.0 / self.params.K
        if topology is not None:
            layout = self._layout_for(topology)
            if layout is not None and self._range == (0, population.size):
                changed: int = lattice.lattice_synchronous_seeded(
                    population, payoffs, *layout, inverse_k, draw_seed(self.rng)
                )
                return changed
        uniforms = self.rng.random(members.size)
        if topology is not None:
            chosen = csr.synchronous_step(
                population, payoffs, members, topology.indptr, topology.indices, inverse_k, uniforms
            )
        elif population.size < 2:
            return 0
        else:  # well mixed: a uniformly random other member of the population
            models = self.rng.integers(0, population.size - 1, members.size)
            models += models >= members
            z = np.clip((payoffs[members] - payoffs[models]) * inverse_k, -700.0, 700.0)
            adopt = uniforms < 1.0 / (1.0 + np.exp(z))
            chosen = np.where(adopt, population[models], population[members])
        changed = int(np.count_nonzero(chosen != population[members]))
        population[members] = chosen
        return changed
