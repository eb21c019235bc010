"""The ``Learner`` contract: a group of agents that learn the same way, vectorised.

An experiment maps index ranges of the population to learner groups. A learner sees only
its own slice of the arrays (observations, actions, *shaped* rewards): it never knows
whether its rewards were reshaped by a mechanism. Learners are lifelong: nothing resets
them between episodes or phases.

Factories registered under kind ``"learner"`` are called as ``factory(params, context, rng)``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

import numpy as np
from gymnasium import spaces

from incentive_lab.core.capabilities import Capabilities, Capability, provided
from incentive_lab.core.differentiable import DifferentiableGame, LossShaping
from incentive_lab.core.game import Game
from incentive_lab.core.generative import GenerativeModel
from incentive_lab.core.logged_interactions import LoggedInteractions
from incentive_lab.core.params import Params
from incentive_lab.core.population import OverlappingGroups
from incentive_lab.core.scripted import ScriptedPolicy
from incentive_lab.core.slate_choice import SlateChoice
from incentive_lab.core.tabular_model import TabularModel
from incentive_lab.core.topology import Topology
from incentive_lab.core.types import Actions, IntArray, Obs, Probs, Rewards

P = TypeVar("P", bound=Params)


@dataclass(frozen=True)
class LearnerContext:
    """What a learner group may know about its situation.

    ``agents``: global indices of the group's members (``int64[m]``);
    ``n_actions``: actions per agent; ``observation_space``: per-agent observation space
    (``n_states`` is its size when discrete, else ``None``); ``population_size``: ``n`` of
    the whole population; ``topology``: the game's interaction graph, if any (global
    indices); ``rules``: the game's ``describe()`` text; ``cooperative_action``: from the
    game's metadata; ``overlapping_groups``: the game's ``overlapping_groups()`` method,
    if it has one, returning its current local payoff structure (``core.population``), for
    learners that evaluate payoffs themselves between rounds (random-sequential imitation).
    ``generative``: the game's ``generative`` model (``core.generative.GenerativeModel``),
    if it has one, for planning learners that sample transitions from any state.
    ``differentiable``: the game's differentiable model (``core.differentiable``), if it
    has one, for gradient-play learners that optimise its parameters.
    ``tabular_model``: the game's known finite-horizon tables (``core.tabular_model``), if
    it publishes them, for learners that evaluate joint policies exactly (``lio``).
    ``copies``: the game's ``copies`` array (``int64[n]``, global indices): which
    independent copy each agent plays in, for learners that condition on co-players
    (``maddpg``'s critic).
    ``scripted``: the game's named bots (``core.scripted.ScriptedPolicy``), if it offers
    them, for the ``scripted`` learner.
    ``global_state``: the game's ``global_state()`` method (capability ``global_state``),
    if it offers one, returning ``[n_copies, ...]``: the state of every copy now, for
    centralised critics (``ppo`` with ``critic: centralised``).
    ``slate_choice``: the game's slate channel (``core.slate_choice``), if it offers one,
    for recommender learners that choose items for each user they serve.
    ``logged_interactions``: the positives the game's users had before the run
    (``core.logged_interactions``), if it offers them, for learners that warm-start.
    ``offered``: the capabilities the game offers (``core.capabilities``); the models above
    are filled from them, never probed, and a learner's registered ``requires`` was checked
    against them before the run started.
    """

    agents: IntArray
    n_actions: int
    observation_space: spaces.Space[Any]
    population_size: int
    topology: Topology | None = None
    rules: str = ""
    cooperative_action: int | None = None
    overlapping_groups: Callable[[], OverlappingGroups] | None = None
    generative: GenerativeModel | None = None
    differentiable: DifferentiableGame | None = None
    tabular_model: TabularModel | None = None
    copies: IntArray | None = None
    scripted: ScriptedPolicy | None = None
    global_state: Callable[[], Any] | None = None
    slate_choice: SlateChoice | None = None
    logged_interactions: LoggedInteractions | None = None
    offered: Capabilities = frozenset()

    @classmethod
    def for_game(cls, game: Game[Any], start: int = 0, stop: int | None = None) -> LearnerContext:
        """The context of a group driving agents ``start <= i < stop`` of ``game``."""
        stop = game.n_agents if stop is None else stop
        offered = game.offers()
        return cls(
            agents=np.arange(start, stop, dtype=np.int64),
            n_actions=game.n_actions,
            observation_space=game.observation_space,
            population_size=game.n_agents,
            topology=game.topology,
            rules=game.describe(),
            cooperative_action=game.metadata.cooperative_action,
            overlapping_groups=provided(game, Capability.LOCAL_PAYOFFS),
            generative=provided(game, Capability.GENERATIVE_MODEL),
            differentiable=provided(game, Capability.DIFFERENTIABLE),
            tabular_model=provided(game, Capability.TABULAR_MODEL),
            copies=game.copies,
            scripted=provided(game, Capability.SCRIPTED_POLICY),
            slate_choice=provided(game, Capability.SLATE_CHOICE),
            logged_interactions=provided(game, Capability.LOGGED_INTERACTIONS),
            global_state=provided(game, Capability.GLOBAL_STATE),
            offered=offered,
        )

    @property
    def n_agents(self) -> int:
        """Number of agents in the group."""
        return int(self.agents.shape[0])

    @property
    def n_states(self) -> int | None:
        """Discrete observations per agent, or ``None`` for vector observations."""
        space = self.observation_space
        return int(space.n) if isinstance(space, spaces.Discrete) else None


@dataclass(frozen=True)
class Transition:
    """One step from the group's point of view (arrays over the group's ``m`` agents).

    ``rewards`` are the shaped rewards the learner optimises. ``population_actions`` and
    ``population_rewards`` are the whole population's arrays (``[n]``, base rewards), for
    imitation rules that compare payoffs with neighbours outside the group.
    ``loss_shaping``: the mechanism's differentiable shaping (``shape_losses``, see
    ``core.differentiable.LossShaping``), if it has one, for gradient-play learners.
    """

    obs: Obs
    actions: Actions
    rewards: Rewards
    next_obs: Obs
    terminated: bool = False
    truncated: bool = False
    population_actions: Actions | None = None
    population_rewards: Rewards | None = None
    loss_shaping: LossShaping | None = None


class Learner(ABC, Generic[P]):
    """Base class of every learner group.

    Declarations (class attributes, read by the loop and the runner, never probed):
    ``fresh_actions``: ``act`` returns a new ``int64[m]`` array it never writes into
    afterwards, so the loop may hand it on without a copy; ``transcripts``: records a
    learner keeps for the store (``llm``: prompts and raw answers), empty by default.
    """

    fresh_actions: ClassVar[bool] = False
    transcripts: Sequence[dict[str, Any]] = ()

    def __init__(self, params: P, context: LearnerContext, rng: np.random.Generator) -> None:
        self.params = params
        self.context = context
        self.rng = rng

    @property
    def n_agents(self) -> int:
        """Number of agents in the group."""
        return self.context.n_agents

    @abstractmethod
    def act(self, obs: Obs) -> Actions:
        """Choose ``int64[m]`` actions for the group's observations."""

    @abstractmethod
    def update(self, transition: Transition) -> dict[str, float]:
        """Learn from one step; return scalar diagnostics (may be empty)."""

    def policy(self, obs: Obs) -> Probs:
        """``float64[m, n_actions]``: current action probabilities, where meaningful."""
        raise NotImplementedError(f"{type(self).__name__} has no explicit policy")
