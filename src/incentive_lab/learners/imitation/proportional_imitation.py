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

Reference: K. Schlag (1998), *Why imitate, and if so, how?*, J. Econ. Theory 78;
D. Helbing (1992), *Interrelations between stochastic equations for systems with pair
interactions*, Physica A 181.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

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


class ProportionalImitationParams(Params):
    """Parameters of ``proportional_imitation``."""

    delta_max: float | None = Field(None, gt=0.0, allow_inf_nan=False)
    """Payoff scale Δmax of the switching probability (default: the step's payoff range)."""
    role_model: RoleModel = "auto"
    """Who is imitated: ``population`` (random member), ``neighbour`` (random neighbour in
    the topology) or ``auto`` (``neighbour`` when there is a topology)."""
    initial: list[float] | None = None
    """Distribution of the initial actions (default uniform); must sum to one."""


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
        self.strategies = strategies
        return {"switch_rate": float(switch.mean()) if switch.size else 0.0}
