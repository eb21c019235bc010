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

Abandon the worse (``repel`` ≥ 0, default 0: the rule above, bit for bit)
    Seed 004's idea (after Sadekar et al., Phys. Rev. E 110, 014306 (2024)): besides
    copying better-paid role models, a player that meets a *lower*-paid one holding its own
    strategy moves away from that strategy. In an elementary update where ``y`` plays
    ``x``'s strategy, ``x`` switches with probability::

        A(x ↛ y) = min(1, repel·tanh(max(π_x − π_y, 0)/(2K)))

    ``tanh(Δ/2K) = W(y ← x) − W(x ← y)`` is the net preference of a Fermi comparison for
    ``x`` over ``y``: zero at equal payoffs (so rounding never triggers it, and a tie is
    not "worse"), → ``repel`` for a gap ≫ K. The switch goes to another strategy, uniform
    among the other ``A − 1`` (two strategies: the other one). If ``y`` already plays
    another strategy than ``x``, moving away from it is a no-op, so only the ordinary Fermi
    imitation acts. ``repel > 0`` runs the general CSR kernels (also on lattices) with the
    same uniform per update (``_kernels_fermi``).

    Mean field (two strategies C, D; well mixed, ``N → ∞``; ``x`` the share of C; role
    model a uniform other member): the change per synchronous step is::

        E[Δx] = x(1−x)·E[F(π_C − π_D)] − x(1−x)·E[F(π_D − π_C)] + a_D(1−x)² − a_C x²

    with ``F(z) = 1/(1 + exp(−z/K))`` the Fermi adoption of a better-by-``z`` model and
    ``a_s = E[A]`` over two independent ``s``-players' payoffs. Meetings of *different*
    strategies give the replicator-like Fermi term; the repel term comes only from
    meetings of the *same* strategy with *different* payoffs. With deterministic payoffs
    in a well-mixed population every ``s``-player earns the same, ``a_s = 0`` and repel has
    no effect at all (no ``x(1−x)`` term: with two strategies, moving away from a
    different-strategy model is a no-op). It needs either **payoff noise** — with i.i.d.
    noise ``π = f_s(x) + ε`` and ``η = ε − ε'``, ``a_C = a_D = a = E[min(1, max(0,
    repel·tanh(η/2K))]`` and the repel term is ``a·(1 − 2x)``: a symmetric mutation
    towards ``x = 1/2`` of rate ``a`` (≈ repel/2 for noise ≫ K) — or
    **structure** (a lattice or graph), where same-strategy neighbours earn differently
    by their neighbourhoods: a cooperator inside a cluster meeting a boundary cooperator
    defects, an exploiting defector on a cluster's edge meeting an isolated defector
    (payoff 0) cooperates. ``tests/learners/test_abandon_rule.py`` checks the formula at
    ``N = 10⁵`` (one step, noisy payoffs) and ``benchmarks/abandon_rule.py`` measures the
    effect on lattices and graphs.

Config parameters
    ``K`` (> 0, default 0.5), ``update``, ``repel`` (≥ 0, default 0),
    ``initial_cooperation``: each agent starts with the game's cooperative action with this
    probability (default 0.5) and otherwise with a uniformly random other action (all
    actions uniform if the game has no cooperative action). The initial field is drawn from
    the learner's own generator, which also draws every random number of the kernels: runs
    are seeded and reproducible. On a lattice
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
from incentive_lab.core.population import OverlappingGroups
from incentive_lab.core.registry import register
from incentive_lab.core.topology import Topology
from incentive_lab.core.types import Actions, FloatArray, IntArray, Obs, Probs
from incentive_lab.learners.imitation.proportional_imitation import RepelParams


class FermiImitationParams(RepelParams):
    """Parameters of ``fermi_imitation``."""

    K: float = Field(0.5, gt=0.0, allow_inf_nan=False)
    """Noise K of the Fermi rule (> 0)."""
    update: Literal["random_sequential", "synchronous"] = "random_sequential"
    """Random sequential Monte Carlo steps (current payoffs) or synchronous comparisons."""
    initial_cooperation: float = Field(0.5, ge=0.0, le=1.0)
    """Probability that an agent starts with the cooperative action."""
    repel: float = Field(0.0, ge=0.0, allow_inf_nan=False)
    """Abandon-the-worse intensity: a same-strategy, lower-paid model is left with
    probability ``min(1, repel·tanh((π_x − π_y)/(2K)))`` (0: plain Fermi imitation)."""


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
        adopted: int
        if self._counts is None:
            self._counts = (
                lattice.lattice_counts(strategies, *layout, cooperative)
                if layout is not None
                else csr.group_counts(strategies, topology.indptr, topology.indices, cooperative)
            )
        rule = (structure.r_c, structure.r_d, structure.cost, cooperative, 1.0 / self.params.K)
        repel = self.params.repel
        if layout is not None and self._range is not None and repel == 0.0:
            assert self._wraps is not None
            table = self._fermi_table(layout[1].size, structure)
            low, high = self._range
            lattice_args = (strategies, self._counts, layout[0], *self._wraps, table, cooperative)
            adopted = lattice.lattice_mcs_seeded(*lattice_args, low, high, draw_seed(self.rng))
            return adopted
        picks = self._picks()
        uniforms = self.rng.random(picks.size)
        if layout is not None and repel == 0.0:
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
            return adopted
        assert self._inverse_size is not None  # the general kernel (repel > 0: also on lattices)
        adopted = csr.random_sequential_step(
            strategies,
            self._counts,
            self._inverse_size,
            topology.indptr,
            topology.indices,
            *rule,
            repel,
            self.context.n_actions,
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
        from incentive_lab.learners.imitation.proportional_imitation import away_from

        payoffs = self._payoffs(transition)
        members, population = self._members, self._population
        topology, inverse_k = self.context.topology, 1.0 / self.params.K
        repel, n_actions = self.params.repel, self.context.n_actions
        if topology is not None and repel == 0.0:
            layout = self._layout_for(topology)
            if layout is not None and self._range == (0, population.size):
                changed: int = lattice.lattice_synchronous_seeded(
                    population, payoffs, *layout, inverse_k, draw_seed(self.rng)
                )
                return changed
        uniforms = self.rng.random(members.size)
        if topology is not None:
            graph = (members, topology.indptr, topology.indices, inverse_k)
            chosen = csr.synchronous_step(population, payoffs, *graph, repel, n_actions, uniforms)
        elif population.size < 2:
            return 0
        else:  # well mixed: a uniformly random other member of the population
            models = self.rng.integers(0, population.size - 1, members.size)
            models += models >= members
            z = np.clip((payoffs[members] - payoffs[models]) * inverse_k, -700.0, 700.0)
            adopt = uniforms < 1.0 / (1.0 + np.exp(z))
            chosen = np.where(adopt, population[models], population[members])
            if repel > 0.0:
                own = population[members]
                a = np.minimum(1.0, repel * np.tanh(0.5 * np.maximum(z, 0.0)))
                away = (population[models] == own) & (uniforms < a)
                v = uniforms[away] / a[away]
                chosen[away] = away_from(own[away], own[away], v, (n_actions,))
        changed = int(np.count_nonzero(chosen != population[members]))
        population[members] = chosen
        return changed
