"""The ``Game`` contract: immutable rules, separate episode state, counterfactual queries.

A game is a system of ``n_agents`` agents choosing discrete actions simultaneously. Its
rules live in a frozen ``params`` model; the episode state lives in the game object and is
created by :meth:`Game.reset`. Everything is an array over agents (see ``core.types``).

Counterfactual queries (:meth:`Game.rewards_for`, :meth:`Game.welfare`,
:meth:`Game.deviation`) evaluate joint actions *in the context of the most recent step*
(the groups, values or state in which the last actions were played; before the first step,
the initial state). They never change the state. Mechanisms such as difference rewards,
Pigouvian taxes and VCG use them.

Many games run many independent *copies* at once (10,000 prisoner's-dilemma pairs in one
array): ``copies[i]`` is the copy agent ``i`` belongs to, and welfare-based quantities are
per copy.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, TypeVar

import numpy as np
from gymnasium import spaces

from incentive_lab.core.capabilities import Capabilities, Capability
from incentive_lab.core.errors import ConfigError
from incentive_lab.core.params import Params, validate_params
from incentive_lab.core.topology import Topology
from incentive_lab.core.types import Actions, FloatArray, IntArray, Obs, Rewards

P = TypeVar("P", bound=Params)


@dataclass(frozen=True)
class StepResult:
    """What one simultaneous step returns.

    ``obs``: next observations ``[n, ...]``; ``rewards``: base rewards ``float64[n]``;
    ``terminated`` / ``truncated``: the episode ended (all agents at once); ``info``: extra
    data — the key ``"metrics"`` may hold ``dict[str, float]`` of game-specific per-step
    metrics that the recorder averages.
    """

    obs: Obs
    rewards: Rewards
    terminated: bool = False
    truncated: bool = False
    info: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class GameMetadata:
    """Declarative facts about a game instance, read by code and tests.

    ``cooperative_action``: the action that means "cooperate", if any.
    ``action_names``: a label per action. ``social_optimum`` / ``nash_value``: mean
    per-agent reward per step at the welfare optimum / at the (reference) Nash equilibrium,
    where known. ``pure_equilibria``: known pure Nash equilibria as joint actions of one copy.
    ``stochastic``: whether rewards or transitions are random given the actions.
    """

    cooperative_action: int | None = None
    action_names: tuple[str, ...] = ()
    social_optimum: float | None = None
    nash_value: float | None = None
    pure_equilibria: tuple[tuple[int, ...], ...] = ()
    stochastic: bool = False


@dataclass(frozen=True)
class Deviation:
    """Outcome of each agent ``i`` unilaterally switching to an alternative action.

    ``own[i]``: agent ``i``'s reward; ``copy_welfare[i]``: total reward of ``i``'s copy —
    both with ``i`` playing ``alternative[i]`` and everyone else unchanged.
    """

    own: FloatArray
    copy_welfare: FloatArray


class Game(ABC, Generic[P]):
    """Base class of every game. Subclasses set the attributes in ``__init__``."""

    params: P
    n_agents: int
    n_actions: int
    observation_space: spaces.Space[Any]
    metadata: GameMetadata = GameMetadata()
    transcripts: Sequence[dict[str, Any]] = ()
    """Records of language-model calls the game makes itself (simulated users), if any;
    the runner stores them with the run like a learner's (``extra.transcripts.game``)."""
    max_steps: int | None = None
    """Episode length (``None``: a continuing game that never ends by itself)."""
    topology: Topology | None = None
    capabilities: ClassVar[Capabilities] = frozenset()
    """What games of this class may offer (``core.capabilities``); the registry reads it."""
    capability_conditions: ClassVar[Mapping[Capability, str]] = {}
    """For a capability that only some params offer (see :meth:`offers`), the setting that
    offers it, as a user writes it (``agents_choose: items``); error messages quote it."""

    def __init__(self, params: P) -> None:
        self.params = params

    def offers(self) -> Capabilities:
        """What this instance offers: the class's ``capabilities`` by default.

        A subclass whose params withhold some (a model too large to tabulate) returns fewer;
        never more than the class declares.
        """
        return self.capabilities

    # -- spaces ---------------------------------------------------------------------------
    @property
    def action_space(self) -> spaces.Discrete:
        """The discrete action space shared by every agent."""
        return spaces.Discrete(self.n_actions)

    @property
    def n_states(self) -> int | None:
        """Number of discrete observations per agent, or ``None`` for vector observations."""
        space = self.observation_space
        return int(space.n) if isinstance(space, spaces.Discrete) else None

    @property
    def copies(self) -> IntArray:
        """``int64[n]``: the independent copy each agent belongs to (default: one copy)."""
        return np.zeros(self.n_agents, dtype=np.int64)

    # -- episode --------------------------------------------------------------------------
    @abstractmethod
    def reset(self, rng: np.random.Generator) -> Obs:
        """Start an episode; the game keeps ``rng`` for its own randomness."""

    @abstractmethod
    def step(self, actions: Actions) -> StepResult:
        """Play one simultaneous step with ``actions: int64[n]``."""

    # -- counterfactuals ------------------------------------------------------------------
    @abstractmethod
    def rewards_for(self, actions: Actions) -> Rewards:
        """Base rewards ``float64[n]`` of joint action ``actions`` in the last step's context."""

    def welfare(self, actions: Actions) -> float:
        """Total base reward of ``actions`` over all agents."""
        return float(self.rewards_for(actions).sum())

    def copy_welfare(self, rewards: Rewards) -> FloatArray:
        """``float64[n]``: the total of ``rewards`` over each agent's copy."""
        copies = self.copies
        totals: FloatArray = np.bincount(copies, weights=rewards).astype(np.float64)
        return totals[copies]

    def deviation(self, actions: Actions, alternative: Actions) -> Deviation:
        """Each agent's unilateral deviation to ``alternative[i]`` (see :class:`Deviation`).

        The default evaluates ``n`` counterfactual joint actions; games override it with an
        O(n) vectorised version.
        """
        actions = np.asarray(actions, dtype=np.int64)
        own = np.empty(self.n_agents)
        welfare = np.empty(self.n_agents)
        copies = self.copies
        for i in range(self.n_agents):
            changed = actions.copy()
            changed[i] = alternative[i]
            rewards = self.rewards_for(changed)
            own[i] = rewards[i]
            welfare[i] = rewards[copies == copies[i]].sum()
        return Deviation(own=own, copy_welfare=welfare)

    # -- rules ----------------------------------------------------------------------------
    def describe(self) -> str:
        """The rules in plain text (read by LLM agents and shown to users)."""
        return f"{type(self).__name__} with parameters {self.params.model_dump()}"

    def reconfigure(self, **changes: Any) -> None:
        """Replace rule parameters mid-run (a regime shift) while keeping the episode state.

        Only parameters that do not change array shapes may be changed; subclasses that
        cache derived quantities override :meth:`_rules_changed`.
        """
        merged = {**self.params.model_dump(), **changes}
        new = validate_params(type(self.params), merged, "game.params")
        for key in ("n_agents",):
            if key in changes and getattr(new, key) != getattr(self.params, key):
                raise ConfigError(f"game.params.{key}", changes[key], "cannot change mid-run")
        self.params = new
        self._rules_changed()

    def _rules_changed(self) -> None:
        """Hook: recompute anything derived from ``params``."""

    def check_actions(self, actions: Any) -> Actions:
        """Validate a joint action: ``int64[n]`` with values in ``0..n_actions-1``."""
        array = np.asarray(actions)
        if array.dtype.kind not in "iu":
            raise ConfigError("actions", f"dtype {array.dtype}", "integer actions")
        if array.shape != (self.n_agents,):
            raise ConfigError("actions", f"shape {array.shape}", f"shape ({self.n_agents},)")
        if array.size and (array.min() < 0 or array.max() >= self.n_actions):
            raise ConfigError(
                "actions", f"range [{array.min()}, {array.max()}]", f"0..{self.n_actions - 1}"
            )
        return array.astype(np.int64, copy=False)
