"""Proportional imitation (``proportional_imitation``), Schlag (1998) / Helbing (1992).

Model
    Every agent holds a pure strategy (its action; at start drawn i.i.d. from ``initial``,
    default uniform) and plays it every step. After the step, *all* agents of the group
    revise at once (synchronous update): agent ``i`` picks one role model ``j`` and adopts
    ``j``'s action with probability::

        p(i → j) = min(max(π_j − π_i, 0) / Δmax, 1)

    ``Δmax`` is the parameter ``delta_max`` or, when it is not given, the step's payoff
    range ``max π − min π`` over the population (no switch if the range is 0).

Payoffs and role models (global indices; the group's agents are ``context.agents``)
    ``π`` is the step's ``Transition.population_rewards`` (base rewards of the whole
    population) with the group's own entries replaced by the group's *shaped* rewards, so
    a mechanism acts on the group's choices (without a mechanism it is exactly the
    population's payoffs). Role models: ``role_model: population`` — a uniformly random
    *other* member of the whole population; ``neighbour`` — a uniformly random neighbour in
    ``context.topology`` (every group member needs one, else :class:`ConfigError`);
    ``auto`` (default) — ``neighbour`` when the context has a topology, else
    ``population``. Without population arrays (a transition built by hand) the group must
    be the whole population.

Theory
    In a large well-mixed population with payoffs ``π_a`` per action, the expected change of
    the share of ``a`` in one step is ``x_a(π_a − π̄)/Δmax`` — the replicator equation with
    time rescaled by ``1/Δmax`` (one step = ``1/Δmax`` units of replicator time), an Euler
    step of size ``1/Δmax`` in the large-N limit. Tests check this at ``N = 10⁴``.

Abandon the worse (``repel`` ≥ 0, default 0: the rule above, bit for bit)
    Seed 004's idea (after Sadekar et al., Phys. Rev. E 110, 014306 (2024)): an agent whose
    role model earned *less* and shares its strategy moves away from that strategy with
    probability::

        q(i ↛ j) = min(repel·max(π_i − π_j, 0) / Δmax, 1)

    (the same uniform as the imitation test, which needs ``π_j > π_i``: the two events are
    exclusive), to another strategy uniform among the other ``A − 1`` (two strategies: the
    other one); a model playing another strategy is already left, and nothing happens.
    ``action_factors`` (default ``[A]``) reads an action as a mixed-radix tuple (most
    significant first, product ``A``): the move fires when *any* component is shared and
    redraws each shared component uniformly among its other values. ``game_selection``
    (action ``2·game + strategy``) uses ``action_factors: [n_games, 2]``: the player
    abandons the lower-paid player's game type and/or strategy, whichever it shares.

    Mean field (two strategies, well mixed, ``N → ∞``, ``x`` the share of the first,
    ``h(d) = E[min(max(d + η, 0), Δmax)]/Δmax`` with ``η`` the difference of two players'
    payoff noises)::

        E[Δx] = x(1−x)·(h(f_1 − f_2) − h(f_2 − f_1)) + q·((1 − x)² − x²)

    with ``q = E[min(repel·max(η, 0)/Δmax, 1)]``. With deterministic payoffs every player
    of a strategy earns the same, ``q = 0`` and repel does nothing (the first term is the
    replicator ``x(1−x)(f_1 − f_2)/Δmax``); with symmetric payoff noise of scale ``σ``
    the repel term is a symmetric mutation ``q·(1 − 2x)`` towards ``1/2`` with
    ``q ≈ repel·E[η⁺]/Δmax`` (``E[η⁺] = σ/√π`` for Gaussian noise of s.d. ``σ``). On a graph,
    structure gives same-strategy neighbours different payoffs instead. Finite ``N``
    (role model: a uniform *other* member) replaces ``x²`` by ``x(Nx − 1)/(N − 1)``, etc.;
    ``tests/learners/test_abandon_rule.py`` checks the exact finite-``N`` expectation at
    ``N = 10⁵``.

Reference: K. Schlag (1998), *Why imitate, and if so, how?*, J. Econ. Theory 78;
D. Helbing (1992), *Interrelations between stochastic equations for systems with pair
interactions*, Physica A 181.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from pydantic import Field, SerializerFunctionWrapHandler, model_serializer

from incentive_lab.core.errors import ConfigError
from incentive_lab.core.learner import Learner, LearnerContext, Transition
from incentive_lab.core.params import Params
from incentive_lab.core.registry import register
from incentive_lab.core.topology import Topology
from incentive_lab.core.types import Actions, FloatArray, IntArray, Obs, Probs
from incentive_lab.learners.exploration import one_hot
from incentive_lab.learners.imitation.replicator import check_distribution, draw

RoleModel = Literal["auto", "population", "neighbour"]


def resolve_topology(context: LearnerContext, role_model: RoleModel) -> Topology | None:
    """The topology role models come from (``None``: the whole population), checked."""
    if role_model == "population" or (role_model == "auto" and context.topology is None):
        return None
    if context.population_size < 2:
        return None  # a lone agent has nobody to imitate
    topology = context.topology
    if topology is None:
        raise ConfigError(
            "learner.params.role_model", role_model, "'neighbour' needs a game with a topology"
        )
    isolated = context.agents[topology.degrees[context.agents] == 0]
    if isolated.size:
        raise ConfigError(
            "game.graph",
            f"{isolated.size} isolated agents (e.g. agent {int(isolated[0])})",
            "every agent needs a neighbour to imitate; use a graph without isolated nodes",
        )
    return topology


def population_view(transition: Transition, context: LearnerContext) -> tuple[Actions, FloatArray]:
    """``(actions, payoffs)`` over the whole population (group entries: shaped rewards)."""
    agents = context.agents
    if transition.population_actions is None or transition.population_rewards is None:
        if context.n_agents != context.population_size:
            raise ConfigError(
                "transition.population_actions",
                None,
                "imitation needs the population's actions and rewards when the group is "
                "not the whole population",
            )
        actions = np.empty(context.population_size, dtype=np.int64)
        payoffs = np.empty(context.population_size, dtype=np.float64)
    else:
        actions = np.asarray(transition.population_actions, dtype=np.int64).copy()
        payoffs = np.asarray(transition.population_rewards, dtype=np.float64).copy()
    actions[agents] = transition.actions
    payoffs[agents] = transition.rewards
    return actions, payoffs


def role_models(
    agents: IntArray, n: int, topology: Topology | None, rng: np.random.Generator
) -> IntArray:
    """``int64[m]``: one role model per agent — a random neighbour or a random other member."""
    if topology is not None:
        degrees = topology.degrees[agents]
        offset = (rng.random(agents.shape[0]) * degrees).astype(np.int64)
        models: IntArray = topology.indices[topology.indptr[agents] + offset]
        return models
    if n < 2:
        return agents.copy()
    other = rng.integers(0, n - 1, agents.shape[0])
    models = other + (other >= agents)
    return models.astype(np.int64)


def away_from(own: IntArray, other: IntArray, v: FloatArray, factors: tuple[int, ...]) -> IntArray:
    """``int64[m]``: ``own`` with each component shared with ``other`` redrawn elsewhere.

    Components are the digits of the mixed-radix ``factors`` (most significant first);
    a shared digit ``d`` of radix ``r`` becomes ``p + (p >= d)`` with ``p = ⌊v·(r − 1)⌋``,
    and ``v ← frac(v·(r − 1))`` serves the next one (uniform again given ``p``).
    ``v``: uniforms on ``[0, 1)``.
    """
    own, other = np.asarray(own, dtype=np.int64), np.asarray(other, dtype=np.int64)
    v = np.asarray(v, dtype=np.float64).copy()
    result = np.zeros_like(own)
    scale = int(np.prod(factors))
    for radix in factors:
        scale //= radix
        mine, theirs = (own // scale) % radix, (other // scale) % radix
        spread = v * (radix - 1)
        pick = spread.astype(np.int64)
        v = spread - pick
        moved = np.where(mine == theirs, pick + (pick >= theirs), mine)
        result += (moved if radix > 1 else mine) * scale
    return result


class RepelParams(Params):
    """Base of the imitation params with the abandon-the-worse option.

    The stored (hashed) form omits ``repel`` while it is 0 and ``action_factors`` while it
    is unset, so configs written before the option keep their run ids (the golden traces).
    """

    @model_serializer(mode="wrap")
    def _omit_unused_repel(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        out: dict[str, Any] = handler(self)
        if out.get("repel", 1.0) == 0.0:
            del out["repel"]
        if "action_factors" in out and out["action_factors"] is None:
            del out["action_factors"]
        return out


class ProportionalImitationParams(RepelParams):
    """Parameters of ``proportional_imitation``."""

    delta_max: float | None = Field(None, gt=0.0, allow_inf_nan=False)
    """Payoff scale Δmax of the switching probability (default: the step's payoff range)."""
    role_model: RoleModel = "auto"
    """Who is imitated: ``population`` (random member), ``neighbour`` (random neighbour in
    the topology) or ``auto`` (``neighbour`` when there is a topology)."""
    initial: list[float] | None = None
    """Distribution of the initial actions (default uniform); must sum to one."""
    repel: float = Field(0.0, ge=0.0, allow_inf_nan=False)
    """Abandon-the-worse intensity: a lower-paid model sharing the strategy is left with
    probability ``min(repel·(π_i − π_j)/Δmax, 1)`` (0: plain proportional imitation)."""
    action_factors: list[int] | None = None
    """Radices of the action as a mixed-radix tuple for moving away (default ``[A]``;
    ``game_selection``: ``[n_games, 2]``); their product must be the number of actions."""


@register(
    "learner",
    "proportional_imitation",
    params=ProportionalImitationParams,
    description="Synchronous proportional imitation (Schlag): copy a role model w.p. ∝ payoff gain",
    stochastic=True,
    has_policy=True,
    population=True,
)
class ProportionalImitation(Learner[ProportionalImitationParams]):
    """A group of imitators, one pure strategy per agent, all revising every step."""

    def __init__(
        self,
        params: ProportionalImitationParams,
        context: LearnerContext,
        rng: np.random.Generator,
    ) -> None:
        super().__init__(params, context, rng)
        self.topology = resolve_topology(context, params.role_model)
        initial = check_distribution("learner.params.initial", params.initial, context.n_actions)
        self.strategies: Actions = draw(initial, context.n_agents, rng)
        factors = params.action_factors or [context.n_actions]
        if min(factors) < 1 or int(np.prod(factors)) != context.n_actions:
            allowed = f"positive radices whose product is the {context.n_actions} actions"
            raise ConfigError("learner.params.action_factors", factors, allowed)
        self.factors = tuple(factors)

    def policy(self, obs: Obs) -> Probs:
        """``float64[m, A]``: each agent's pure strategy as a one-hot row."""
        return one_hot(self.strategies, self.context.n_actions)

    def act(self, obs: Obs) -> Actions:
        """``int64[m]``: each agent's current strategy."""
        return self.strategies.copy()

    def update(self, transition: Transition) -> dict[str, float]:
        """Every agent imitates its role model with probability ``(π_j − π_i)⁺ / Δmax``."""
        context = self.context
        actions, payoffs = population_view(transition, context)
        agents = context.agents
        models = role_models(agents, context.population_size, self.topology, self.rng)
        scale = self.params.delta_max
        if scale is None:
            scale = float(payoffs.max() - payoffs.min()) if payoffs.size else 0.0
        u = self.rng.random(agents.shape[0])
        if scale <= 0.0:
            return {"switch_rate": 0.0}
        gain = payoffs[models] - payoffs[agents]
        switch = (u * scale < gain) & (actions[models] != actions[agents])
        strategies = actions[agents]
        strategies[switch] = actions[models[switch]]
        stats = {"switch_rate": float(switch.mean()) if switch.size else 0.0}
        if self.params.repel > 0.0:
            own, model = actions[agents], actions[models]
            a = np.asarray(np.minimum(self.params.repel * np.maximum(-gain, 0.0) / scale, 1.0))
            draws: FloatArray = np.asarray(u)
            away = (draws < a) & self._shares(own, model)
            v = draws[away] / a[away]
            strategies[away] = away_from(own[away], model[away], v, self.factors)
            stats["away_rate"] = float(away.mean()) if away.size else 0.0
        self.strategies = strategies
        return stats

    def _shares(self, own: IntArray, model: IntArray) -> npt.NDArray[np.bool_]:
        """Whether each pair shares at least one component of the action."""
        if len(self.factors) == 1:
            same: npt.NDArray[np.bool_] = own == model
            return same
        shared = np.zeros(own.shape[0], dtype=bool)
        scale = self.context.n_actions
        for radix in self.factors:
            scale //= radix
            shared |= (own // scale) % radix == (model // scale) % radix
        return shared
