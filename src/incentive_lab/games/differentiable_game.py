"""Shared plumbing of the differentiable games: parameters as state, rewards = −losses(θ).

A differentiable game is also an ordinary ``core.game.Game`` whose agents are its players,
so it runs through the normal experiment path (registry, rollout, recorder, store, report).

State
    The joint parameter vector ``θ ∈ R^D`` (``float64[D]``, see ``core.differentiable``).
    ``reset(rng)`` draws a fresh start ``θ ~ Uniform(−init_scale, init_scale)^D`` (each seed is
    a seeded start; ``init`` fixes the start instead). A gradient learner (one group over
    all players, ``learners.gradient_play``) reads ``θ`` through its context's
    ``differentiable`` field and writes ``θ ← θ − lr·direction`` with :meth:`set_theta`
    after each step: one rollout step is one simultaneous gradient step.

Rewards and actions
    Base rewards are ``−ℓ(θ)`` at the parameters in force during the step (the expected
    payoffs of the mixed strategies, for the games that have them), so welfare and
    equality metrics are measured on the quantity the optimisers optimise. The discrete
    action of the ``Game`` contract is a *realisation* of each player's strategy, drawn by
    the learner from ``action_probs(θ)`` (a sampled pure action of the mixed strategy): it
    is recorded and seen by action-based mechanisms (``action_tax``), but it does not change
    the rewards — the parameters are the move. Counterfactual queries therefore return the
    same rewards for every joint action. Observations are ``Discrete(1)`` (always 0).

Copies
    ``n_copies`` independent copies of the ``N``-player game run at once (agent ``i`` is
    player ``i % N`` of copy ``i // N``), each from its own random start: a batch of seeded
    starts in one run. The optimisers treat copies exactly as separate games (every inner
    product of their sign rules is taken per copy).

Metrics (``info["metrics"]``)
    ``distance_to_optimum`` (the game's own definition, where the social optimum is known;
    mean over copies) and ``strategy_<i>`` (a scalar summary of player ``i``'s strategy,
    mean over copies, for phase portraits; for up to :data:`MAX_PORTRAIT_PLAYERS` players).

torch is imported on construction only; without it the game ids raise ``ConfigError``.
"""

from __future__ import annotations

from typing import Any, TypeVar

import numpy as np
from gymnasium import spaces
from pydantic import Field

from incentive_lab.core.capabilities import Capability
from incentive_lab.core.differentiable import require_torch
from incentive_lab.core.errors import ConfigError
from incentive_lab.core.game import Game, StepResult
from incentive_lab.core.params import Params
from incentive_lab.core.types import Actions, FloatArray, IntArray, Obs, Rewards

MAX_PORTRAIT_PLAYERS = 4
"""Games with at most this many players report ``strategy_<i>`` metrics."""


class DifferentiableParams(Params):
    """Parameters shared by the differentiable games."""

    init_scale: float = Field(2.0, ge=0.0, allow_inf_nan=False)
    """Starts are drawn as ``θ ~ Uniform(−init_scale, init_scale)`` per entry."""
    init: list[float] | None = None
    """A fixed start ``θ_0`` (length ``D``) instead of a random one."""
    n_copies: int = Field(1, ge=1, le=100_000)
    """Independent copies played at once, each from its own start (a batch of seeded starts)."""


P = TypeVar("P", bound=DifferentiableParams)


class DifferentiableGameBase(Game[P]):
    """A ``Game`` over a differentiable model; subclasses define the torch functions."""

    capabilities = frozenset({Capability.DIFFERENTIABLE})

    def __init__(self, params: P, dims: tuple[int, ...], n_actions: int) -> None:
        super().__init__(params)
        self.torch = require_torch("game.id", type(self).__name__)
        self.n_players = len(dims)
        self.n_agents = self.n_players * params.n_copies
        self.n_actions = n_actions
        self.dims = dims * params.n_copies
        self.observation_space = spaces.Discrete(1)
        agents = np.arange(self.n_agents, dtype=np.int64)
        self._player_of = np.repeat(agents, self.dims)
        self._roles = agents % self.n_players
        self._copies = agents // self.n_players
        for array in (self._player_of, self._roles, self._copies):
            array.flags.writeable = False
        if params.init is not None and len(params.init) != self.n_parameters:
            raise ConfigError(
                "game.params.init", params.init, f"{self.n_parameters} numbers (one per parameter)"
            )
        self._theta = np.zeros(self.n_parameters)
        self._rewards = np.zeros(self.n_agents)
        self.set_theta(self._theta)

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state.pop("torch")
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.torch = require_torch("game.id", type(self).__name__)

    # -- the differentiable model -------------------------------------------------------
    @property
    def differentiable(self) -> DifferentiableGameBase[P]:
        """The game itself implements ``core.differentiable.DifferentiableGame``."""
        return self

    @property
    def n_parameters(self) -> int:
        """``D``, the length of the joint parameter vector."""
        return int(sum(self.dims))

    @property
    def player_of(self) -> IntArray:
        """``int64[D]``: the owner of each parameter."""
        return self._player_of

    @property
    def roles(self) -> IntArray:
        """``int64[n]``: ``roles[i] = i % N``, the player position of agent ``i`` in its copy."""
        return self._roles

    @property
    def copies(self) -> IntArray:
        """``int64[n]``: ``copies[i] = i // N``."""
        return self._copies

    @property
    def theta(self) -> FloatArray:
        """``float64[D]``: a copy of the current parameters."""
        return self._theta.copy()

    def set_theta(self, theta: FloatArray) -> None:
        """Replace the parameters and recompute the rewards ``−ℓ(θ)``."""
        theta = np.asarray(theta, dtype=np.float64)
        if theta.shape != (self.n_parameters,):
            raise ConfigError("theta", f"shape {theta.shape}", f"shape ({self.n_parameters},)")
        if not np.all(np.isfinite(theta)):
            bad = int(np.flatnonzero(~np.isfinite(theta))[0])
            raise ConfigError(
                "theta",
                f"{theta[bad]} at index {bad}",
                "finite parameters (a diverging optimiser: lower learner.params.lr or lam)",
            )
        self._theta = theta.copy()
        with self.torch.no_grad():
            losses = self.losses(self.torch.from_numpy(self._theta))
        rewards = -losses.numpy().astype(np.float64)
        if not np.all(np.isfinite(rewards)):
            raise ConfigError(
                "theta",
                "parameters with non-finite losses",
                "finite losses (a diverging optimiser: lower learner.params.lr or lam)",
            )
        self._rewards = rewards

    def current_action_probs(self) -> FloatArray:
        """``float64[n, A]``: ``action_probs(θ)`` at the current parameters."""
        with self.torch.no_grad():
            probs = self.action_probs(self.torch.from_numpy(self._theta)).numpy()
        result: FloatArray = np.asarray(probs, dtype=np.float64)
        return result

    def losses(self, theta: Any) -> Any:
        """``Tensor[n]``: the players' losses (subclasses)."""
        raise NotImplementedError

    def action_probs(self, theta: Any) -> Any:
        """``Tensor[n, A]``: the players' action distributions (subclasses)."""
        raise NotImplementedError

    def strategy_summary(self, theta: FloatArray) -> FloatArray:
        """``float64[n]``: one number per agent for phase portraits (subclasses)."""
        raise NotImplementedError

    def distance_to_optimum(self, theta: FloatArray) -> FloatArray | None:
        """``float64[n_copies]``: each copy's distance to the social optimum (``None``: unknown)."""
        return None

    # -- the Game contract ----------------------------------------------------------------
    def reset(self, rng: np.random.Generator) -> Obs:
        """Draw a seeded start (or use ``init``)."""
        if self.params.init is not None:
            start = np.asarray(self.params.init, dtype=np.float64)
        else:
            scale = self.params.init_scale
            start = rng.uniform(-scale, scale, self.n_parameters)
        self.set_theta(start)
        return np.zeros(self.n_agents, dtype=np.int64)

    def step(self, actions: Actions) -> StepResult:
        """Report ``−ℓ(θ)`` and the metrics at the current parameters."""
        actions = self.check_actions(actions)
        metrics: dict[str, float] = {}
        distance = self.distance_to_optimum(self._theta)
        if distance is not None:
            metrics["distance_to_optimum"] = float(np.mean(distance))
        if self.n_players <= MAX_PORTRAIT_PLAYERS:
            summary = self.strategy_summary(self._theta).reshape(-1, self.n_players).mean(axis=0)
            metrics.update({f"strategy_{i}": float(v) for i, v in enumerate(summary)})
        return StepResult(
            obs=np.zeros(self.n_agents, dtype=np.int64),
            rewards=self._rewards.copy(),
            info={"metrics": metrics},
        )

    def rewards_for(self, actions: Actions) -> Rewards:
        """``−ℓ(θ)``: the realised actions do not change the rewards (see module)."""
        return self._rewards.copy()
