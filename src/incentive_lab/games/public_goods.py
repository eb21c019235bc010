"""Public goods game with asymmetric multipliers and a feedback law (``public_goods``).

Model (SPEC §1.2)
    Agent ``i`` plays in its *focal group*: itself and ``d_i`` co-players, ``m_i`` of whom
    cooperate. Action 0 = cooperate (pay ``c``), 1 = defect. Payoffs::

        π_C = c·((m_i + 1)·r_c/(d_i + 1) − 1)        π_D = c·m_i·r_d/(d_i + 1)

    ``r_d`` is fixed; ``r_c`` follows a pluggable feedback law bounded in ``[α, β]``
    (``games.feedback``; default ``constant``). With ``r_c = r_d = r`` the payoff
    difference ``π_C − π_D = c·(r/(d+1) − 1)`` does not depend on ``m``: cooperation
    strictly dominates iff ``r > d + 1``.

Groups
    ``regroup: false`` (default): a fixed partition into ``n/G`` groups of
    ``G = group_size`` consecutive agents (``n`` divisible by ``G``); ``copies`` = group
    index. ``regroup: true``: the partition is redrawn uniformly at random every round
    (one well-mixed population; ``copies`` all zero). ``graph``: agent ``i``'s focal group
    is itself plus its neighbours in a graph (``games.graphs``; ``d_i`` = degree), exposed
    as ``game.topology``; ``copies`` all zero.

Time
    Round ``t`` is played with the groups and ``r_c`` current at ``t``; afterwards the law
    moves its state with the round's cooperation fraction. Counterfactual queries use the
    groups and ``r_c`` of the most recent round (before the first round: the groups drawn
    by ``reset`` and the configured ``r_c``). ``info["metrics"]`` holds ``r_c`` (of the
    round just played) and ``feedback_state``. Observations: ``Discrete(1)``, always 0.

Metadata (at the configured ``r_c``)
    Partitioned groups: a group with ``k`` cooperators is a pure equilibrium iff
    ``Δ(k−1) >= 0`` (if ``k > 0``) and ``Δ(k) <= 0`` (if ``k < G``), with
    ``Δ(m) = π_C(m) − π_D(m)``; equilibria are listed with cooperators first (any
    permutation is one too; with ``regroup`` only all-C/all-D are listed).
    ``social_optimum`` = best mean group payoff over ``k`` (fixed groups; with ``regroup``
    when ``r_c >= r_d``, where welfare is convex in ``k``); ``nash_value`` = mean payoff of
    the welfare-best listed equilibrium. On a graph only all-C/all-D are checked.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from gymnasium import spaces
from pydantic import Field, model_validator

from incentive_lab.core.capabilities import Capability
from incentive_lab.core.errors import ConfigError
from incentive_lab.core.game import Deviation, Game, GameMetadata, StepResult
from incentive_lab.core.outcomes import PublicGoodsOutcome
from incentive_lab.core.params import Params, field_error
from incentive_lab.core.registry import register
from incentive_lab.core.types import Actions, FloatArray, IntArray, Obs, Rewards
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


class PublicGoodsParams(Params):
    """Public goods game with cooperator / defector multipliers ``r_c`` / ``r_d``."""

    n_agents: int = Field(100, ge=2)
    """Population size."""
    group_size: int | None = Field(None, ge=2)
    """G = d + 1 players per group (default 5; not with ``graph``)."""
    r_c: float = Field(4.0, ge=0.0, allow_inf_nan=False)
    """Multiplier of cooperators (initial value when a feedback law moves it)."""
    r_d: float = Field(3.0, ge=0.0, allow_inf_nan=False)
    """Multiplier of defectors (fixed)."""
    cost: float = Field(1.0, gt=0.0, allow_inf_nan=False)
    """Contribution c of a cooperator (scales all payoffs)."""
    regroup: bool = False
    """Redraw the groups uniformly at random every round (well-mixed population)."""
    graph: GraphSpec | None = None
    """Play in the focal group {i} ∪ neighbours(i) of this graph instead of in groups."""
    feedback: Feedback = Field(default_factory=ConstantFeedback)
    """Law moving ``r_c`` with the population state (``constant``, ``linear``, ``weitz``)."""

    @model_validator(mode="after")
    def _consistent(self) -> PublicGoodsParams:
        name = type(self).__name__
        limits = bounds(self.feedback)
        if limits is not None and not limits[0] <= self.r_c <= limits[1]:
            allowed = f"within the feedback bounds [alpha, beta] = [{limits[0]}, {limits[1]}]"
            raise field_error(name, "r_c", self.r_c, allowed)
        if self.graph is not None:
            for field in ("group_size", "regroup"):
                if getattr(self, field) not in (None, False):
                    raise field_error(name, field, getattr(self, field), "not together with graph")
            problem = graph_problem(self.graph, self.n_agents)
            if problem is not None:
                field, allowed = problem
                value = self.graph.degree if field == "graph.degree" else self.n_agents
                raise field_error(name, field, value, allowed)
        elif self.n_agents % self.size:
            allowed = f"a multiple of group_size = {self.size} (groups partition the agents)"
            raise field_error(name, "n_agents", self.n_agents, allowed)
        return self

    @property
    def size(self) -> int:
        """The group size G (5 unless given)."""
        return 5 if self.group_size is None else self.group_size


def payoffs(
    cooperating: FloatArray, m: FloatArray, d: FloatArray | int, r_c: float, r_d: float, c: float
) -> FloatArray:
    """``π_C`` where ``cooperating`` is 1, ``π_D`` where it is 0 (all arrays ``[n]``)."""
    pi_c = c * ((m + 1.0) * r_c / (d + 1.0) - 1.0)
    pi_d = c * m * r_d / (d + 1.0)
    result: FloatArray = np.where(cooperating > 0, pi_c, pi_d)
    return result


def group_equilibria(size: int, r_c: float, r_d: float, c: float) -> list[int]:
    """Cooperator counts ``k`` that are pure equilibria of one group of ``size``."""

    def delta(m: int) -> float:
        return c * ((m + 1) * r_c / size - 1.0 - m * r_d / size)

    tol = 1e-12
    return [
        k
        for k in range(size + 1)
        if (k == 0 or delta(k - 1) >= -tol) and (k == size or delta(k) <= tol)
    ]


def group_welfare(k: int, size: int, r_c: float, r_d: float, c: float) -> float:
    """Mean payoff in a group of ``size`` with ``k`` cooperators."""
    total = k * c * (k * r_c / size - 1.0) + (size - k) * c * k * r_d / size
    return total / size


class PublicGoodsGame(Game[PublicGoodsParams]):
    """The public goods game over groups, regrouped groups or a graph."""

    capabilities = frozenset({Capability.PUBLIC_GOODS_OUTCOME})

    def __init__(self, params: PublicGoodsParams) -> None:
        super().__init__(params)
        n = self.n_agents = params.n_agents
        self.n_actions = 2
        self.observation_space = spaces.Discrete(1)
        self._rng: np.random.Generator | None = None
        if params.graph is not None:
            self.topology = build_topology(params.graph, n)
            self._degree: FloatArray | int = self.topology.degrees.astype(np.float64)
            self._source = np.repeat(np.arange(n, dtype=np.int64), self.topology.degrees)
        else:
            self._degree = params.size - 1
        self._group = np.arange(n, dtype=np.int64) // params.size
        self._copies = (
            self._group.copy()
            if params.graph is None and not params.regroup
            else np.zeros(n, dtype=np.int64)
        )
        self._copies.flags.writeable = False
        self._t = 0
        self._state = initial_state(params.feedback, params.r_c)
        self._r_c = multiplier(params.feedback, self._state)
        self._rules_changed()

    # -- rules ---------------------------------------------------------------------------
    def _rules_changed(self) -> None:
        self.metadata = self._metadata()

    def _metadata(self) -> GameMetadata:
        p = self.params
        equilibria: list[tuple[int, ...]] = []
        values: list[float] = []
        optimum: float | None = None
        if p.graph is None:
            size = p.size
            counts = group_equilibria(size, p.r_c, p.r_d, p.cost)
            if p.regroup:
                counts = [k for k in counts if k in (0, size)]
            equilibria = [(COOPERATE,) * k + (DEFECT,) * (size - k) for k in counts]
            values = [group_welfare(k, size, p.r_c, p.r_d, p.cost) for k in counts]
            welfare = [group_welfare(k, size, p.r_c, p.r_d, p.cost) for k in range(size + 1)]
            if not p.regroup:
                optimum = max(welfare)
            elif p.r_c >= p.r_d:
                optimum = max(welfare[0], welfare[-1])
        else:
            d = np.asarray(self._degree)
            if np.all(p.r_c / (d + 1.0) <= 1.0):
                equilibria.append((DEFECT,) * p.n_agents)
                values.append(0.0)
            if np.all(p.r_c - 1.0 - d * p.r_d / (d + 1.0) >= 0.0):
                equilibria.append((COOPERATE,) * p.n_agents)
                values.append(p.cost * (p.r_c - 1.0))
        return GameMetadata(
            cooperative_action=COOPERATE,
            action_names=("cooperate", "defect"),
            social_optimum=optimum,
            nash_value=max(values) if values else None,
            pure_equilibria=tuple(equilibria),
            stochastic=p.regroup,
        )

    def reconfigure(self, **changes: Any) -> None:
        """Change multipliers, cost or law mid-run; a new ``r_c`` re-seats the law's state."""
        old = self.params
        super().reconfigure(**changes)
        for key in ("group_size", "regroup", "graph"):
            if getattr(self.params, key) != getattr(old, key):
                self.params = old
                self._rules_changed()
                raise ConfigError(f"game.params.{key}", changes[key], "cannot change mid-run")
        if "r_c" in changes or self.params.feedback.law != old.feedback.law:
            self._state = initial_state(self.params.feedback, self.params.r_c)
            self._r_c = multiplier(self.params.feedback, self._state)

    @property
    def copies(self) -> IntArray:
        """Group index with fixed groups, else all zeros (one population)."""
        return self._copies

    @property
    def groups(self) -> IntArray:
        """``int64[n]``: group of each agent in the current round (not with ``graph``)."""
        return self._group

    @property
    def r_c(self) -> float:
        """The cooperators' multiplier of the most recent round."""
        return self._r_c

    @property
    def feedback_state(self) -> float:
        """The feedback law's state for the next round."""
        return self._state

    # -- episode -------------------------------------------------------------------------
    def _draw_groups(self) -> None:
        if self._rng is None:
            raise RuntimeError("public_goods: call reset(rng) before step()")
        order = self._rng.permutation(self.n_agents)
        self._group = np.empty(self.n_agents, dtype=np.int64)
        self._group[order] = np.arange(self.n_agents, dtype=np.int64) // self.params.size

    def reset(self, rng: np.random.Generator) -> Obs:
        """Keep ``rng``, draw the first round's groups, restore the initial ``r_c``."""
        self._rng = rng
        self._t = 0
        self._state = initial_state(self.params.feedback, self.params.r_c)
        self._r_c = multiplier(self.params.feedback, self._state)
        if self.params.regroup:
            self._draw_groups()
        return np.zeros(self.n_agents, dtype=np.int64)

    def step(self, actions: Actions) -> StepResult:
        """Play one round, then let the feedback law react to its cooperation fraction."""
        actions = self.check_actions(actions)
        if self.params.regroup and self._t > 0:
            self._draw_groups()
        self._r_c = multiplier(self.params.feedback, self._state)
        rewards = self.rewards_for(actions)
        cooperation = float(np.mean(actions == COOPERATE))
        self._state = next_state(self.params.feedback, self._state, cooperation)
        self._t += 1
        metrics = {"r_c": self._r_c, "feedback_state": self._state}
        info = {"metrics": metrics, "public_goods": self.outcome(actions)}
        return StepResult(obs=np.zeros(self.n_agents, dtype=np.int64), rewards=rewards, info=info)

    def outcome(self, actions: Actions) -> PublicGoodsOutcome:
        """The round's contributions per focal-group member (see ``core.outcomes``)."""
        cooperating = np.asarray(actions) == COOPERATE
        m = self._co_player_sum(cooperating.astype(np.float64))
        share = self.params.cost * (m + cooperating) / (self._degree + 1.0)
        return PublicGoodsOutcome(cooperating, share, self._r_c, self.params.r_d)

    # -- counterfactuals -----------------------------------------------------------------
    def _co_player_sum(self, values: FloatArray) -> FloatArray:
        """``Σ_{j ∈ group(i), j ≠ i} values_j`` for every ``i`` (graph: over neighbours)."""
        if self.topology is not None:
            totals = np.bincount(
                self._source, weights=values[self.topology.indices], minlength=self.n_agents
            )
            return totals.astype(np.float64, copy=False)
        sums = np.bincount(self._group, weights=values)
        result: FloatArray = sums[self._group] - values
        return result

    def rewards_for(self, actions: Actions) -> Rewards:
        """Payoffs of ``actions`` with the current groups and ``r_c``."""
        p = self.params
        cooperating = (np.asarray(actions) == COOPERATE).astype(np.float64)
        m = self._co_player_sum(cooperating)
        return payoffs(cooperating, m, self._degree, self._r_c, p.r_d, p.cost)

    def deviation(self, actions: Actions, alternative: Actions) -> Deviation:
        """O(n): own payoff with ``m_i`` unchanged; co-players' payoffs move linearly."""
        p = self.params
        cooperating = (np.asarray(actions) == COOPERATE).astype(np.float64)
        switched = (np.asarray(alternative) == COOPERATE).astype(np.float64)
        m = self._co_player_sum(cooperating)
        before = payoffs(cooperating, m, self._degree, self._r_c, p.r_d, p.cost)
        own = payoffs(switched, m, self._degree, self._r_c, p.r_d, p.cost)
        # each co-player j gains c·r(a_j)/(d_j+1) per extra cooperator in its focal group
        marginal = p.cost * np.where(cooperating > 0, self._r_c, p.r_d) / (self._degree + 1.0)
        others = (switched - cooperating) * self._co_player_sum(marginal)
        welfare = self.copy_welfare(before) + (own - before) + others
        return Deviation(own=own, copy_welfare=welfare)

    def describe(self) -> str:
        """The rules in plain text."""
        p = self.params
        where = (
            f"with your {p.graph.kind} graph neighbours"
            if p.graph is not None
            else f"in groups of {p.size}" + (" redrawn every round" if p.regroup else "")
        )
        return (
            f"Public goods game among {p.n_agents} players, played {where}. Actions: "
            f"0 = cooperate (pay {p.cost:g}), 1 = defect. With m cooperating co-players "
            f"among d, a cooperator earns c((m+1)·r_c/(d+1) − 1) and a defector earns "
            f"c·m·r_d/(d+1); r_c = {self._r_c:g}, r_d = {p.r_d:g}, c = {p.cost:g}."
        )


register(
    "game",
    "public_goods",
    params=PublicGoodsParams,
    description="Public goods game with cooperator/defector multipliers and r_c feedback",
    cooperative_action=COOPERATE,
    stochastic=False,
)(PublicGoodsGame)
