"""N-player normal-form games (``matrix``), repeated, many independent copies at once.

Rules
    A payoff tensor ``payoffs`` of shape ``(A,)*N + (N,)``: ``payoffs[a_1]...[a_N][k]`` is
    the payoff of player ``k`` when player ``j`` plays ``a_j`` (every player has the same
    ``A`` actions). Give either ``payoffs`` or a ``preset`` name (see ``games.presets``;
    default ``prisoners_dilemma``). Each fixed preset is also a game id of its own
    (``prisoners_dilemma``, ``stag_hunt``, ``chicken``, ``harmony``, ``matching_pennies``,
    ``battle_of_sexes``) whose parameters are those below minus ``payoffs``/``preset``.

Population
    ``n_copies`` independent copies are played at once: agent ``i`` is player
    ``i % N`` of copy ``i // N`` (``n_agents = n_copies·N``), and ``copies[i] = i // N``.
    Rewards are pure tensor look-ups (one fancy index for the whole population).

Observations (memory-k repeated play, e.g. the iterated prisoner's dilemma)
    A joint action of one copy is the base-``A`` number ``J = Σ_p a_{o(p)}·A^(N−1−p)``
    where ``o`` lists the players in the observing agent's *perspective*:
    ``own_first`` (default) = the agent itself, then its co-players in cyclic role order
    ``r+1, …, r−1``; ``absolute`` = players ``0..N−1``. The observation is the base-``A^N``
    number whose ``memory`` digits are the last ``memory`` joint actions of the agent's
    copy, oldest most significant: after each round ``obs ← (obs·A^N + J) mod A^(N·k)``.
    So in a 2×2 game with ``memory=1`` the agent sees ``2·own + other``: 0=CC, 1=CD,
    2=DC, 3=DD. Before the first round the history is filled with everyone playing
    ``initial_action`` (default 0, cooperate in the dilemmas). ``memory=0`` is the
    stateless game: ``Discrete(1)``, every observation 0.

Episodes
    ``episode_length=None`` is a continuing game; otherwise the episode is truncated after
    that many rounds (``reset`` restores the initial history).

Metadata (per instance, computed from the tensor)
    ``pure_equilibria`` (pure Nash equilibria of the stage game, enumerated),
    ``social_optimum`` (best mean per-agent payoff over joint actions), ``nash_value``
    (mean per-agent payoff at the welfare-best pure equilibrium; ``None`` if there is none),
    ``cooperative_action`` (0 for the dilemma presets; else the ``cooperative_action``
    parameter). ``payoff_tensor`` exposes the tensor as a read-only array.
"""

from __future__ import annotations

import itertools
from typing import Any, Literal

import numpy as np
from gymnasium import spaces
from pydantic import Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from incentive_lab.core.capabilities import Capability
from incentive_lab.core.errors import ConfigError, unknown_choice
from incentive_lab.core.game import Deviation, Game, GameMetadata, StepResult
from incentive_lab.core.params import Params, field_error, validate_params
from incentive_lab.core.registry import register
from incentive_lab.core.types import Actions, FloatArray, IntArray, Obs, Rewards
from incentive_lab.games.presets import FIXED_PRESETS, PRESETS

MAX_OBSERVATIONS = 2**62
"""Largest observation space ``A^(N·memory)`` (the codes must fit in int64)."""


class RepeatedParams(Params):
    """How a normal-form game is repeated (the parameters of every preset game id)."""

    n_copies: int = Field(1, ge=1)
    """Independent copies played at once (``n_agents = n_copies · N``)."""
    memory: int = Field(0, ge=0, le=16)
    """Past joint actions of its own copy each agent observes (0: stateless)."""
    perspective: Literal["own_first", "absolute"] = "own_first"
    """Order of players inside an observed joint action (own action first, or 0..N−1)."""
    initial_action: int = Field(0, ge=0)
    """Action everyone is taken to have played before the first round (fills the memory)."""
    episode_length: int | None = Field(None, ge=1)
    """Rounds per episode (``None``: a continuing game)."""


class MatrixParams(RepeatedParams):
    """Any N-player normal form: a payoff tensor or a preset."""

    preset: str | None = None
    """Name of a preset game (default ``prisoners_dilemma`` when ``payoffs`` is not given)."""
    payoffs: list[Any] | None = None
    """Nested list of shape ``(A,)*N + (N,)``: ``payoffs[a_1]...[a_N][k]`` pays player k."""
    greed: float | None = None
    """Temptation ``T = 3 + greed`` (preset ``greed_fear`` only; default 1)."""
    fear: float | None = None
    """Sucker's payoff ``S = 1 − fear`` (preset ``greed_fear`` only; default 1)."""
    cooperative_action: int | None = Field(None, ge=0)
    """The action meaning "cooperate" (default: the preset's; ``None`` for a custom tensor)."""
    action_names: list[str] | None = None
    """A label per action (default: the preset's, or ``a0, a1, ...``)."""

    @field_validator("payoffs", mode="before")
    @classmethod
    def _array_to_list(cls, value: Any) -> Any:
        return value.tolist() if isinstance(value, np.ndarray) else value

    @field_validator("preset")
    @classmethod
    def _known_preset(cls, value: str | None) -> str | None:
        if value is not None and value not in PRESETS:
            allowed = unknown_choice("preset", value, PRESETS).allowed
            raise PydanticCustomError("config", "{allowed}", {"allowed": allowed})
        return value

    @field_validator("payoffs")
    @classmethod
    def _valid_tensor(cls, value: list[Any] | None) -> list[Any] | None:
        if value is None:
            return None
        return payoff_array(value).tolist()

    @model_validator(mode="after")
    def _consistent(self) -> MatrixParams:
        name = type(self).__name__
        if self.payoffs is not None and self.preset is not None:
            allowed = "give either payoffs or preset, not both"
            raise field_error(name, "preset", self.preset, allowed)
        if self.preset != "greed_fear":
            for field in ("greed", "fear"):
                value = getattr(self, field)
                if value is not None:
                    raise field_error(name, field, value, "only with preset greed_fear")
        tensor = self.tensor()
        n_actions, n_players = tensor.shape[0], tensor.shape[-1]
        for field in ("initial_action", "cooperative_action"):
            value = getattr(self, field)
            if value is not None and value >= n_actions:
                raise field_error(name, field, value, f"an action in 0..{n_actions - 1}")
        if self.action_names is not None and len(self.action_names) != n_actions:
            raise field_error(name, "action_names", self.action_names, f"{n_actions} names")
        if n_actions ** (n_players * self.memory) > MAX_OBSERVATIONS:
            allowed = f"A^(N·memory) <= 2^62 observations (A={n_actions}, N={n_players})"
            raise field_error(name, "memory", self.memory, allowed)
        return self

    def preset_name(self) -> str | None:
        """The preset in use (``prisoners_dilemma`` when neither field is given)."""
        if self.payoffs is not None:
            return None
        return self.preset or "prisoners_dilemma"

    def tensor(self) -> FloatArray:
        """The payoff tensor these parameters describe."""
        if self.payoffs is not None:
            return np.asarray(self.payoffs, dtype=np.float64)
        preset = PRESETS[self.preset_name() or "prisoners_dilemma"]
        return preset.build(
            1.0 if self.greed is None else self.greed, 1.0 if self.fear is None else self.fear
        )


def payoff_array(value: Any) -> FloatArray:
    """Validate a nested payoff list into a finite ``(A,)*N + (N,)`` array (else ValueError)."""
    try:
        tensor = np.asarray(value, dtype=np.float64)
    except (ValueError, TypeError):
        raise PydanticCustomError(
            "config", "numbers in a nested list of shape (A,)*N + (N,) (ragged or non-numeric)"
        ) from None
    shape = tensor.shape
    n_players = shape[-1] if shape else 0
    if tensor.ndim < 2 or tensor.ndim != n_players + 1 or len(set(shape[:-1])) != 1:
        expected = f"(A,)*N + (N,), e.g. (2, 2, 2) for two players with two actions; got {shape}"
        raise PydanticCustomError("config", "expected shape {expected}", {"expected": expected})
    if not np.all(np.isfinite(tensor)):
        raise PydanticCustomError("config", "finite numbers (no NaN or infinity)")
    return tensor


# -- stage-game analysis (pure functions of the tensor) ------------------------------------
def pure_equilibria(tensor: FloatArray, tol: float = 1e-12) -> tuple[tuple[int, ...], ...]:
    """All pure Nash equilibria of the stage game (joint actions, lexicographic order)."""
    n_players = tensor.shape[-1]
    stable = np.ones(tensor.shape[:-1], dtype=bool)
    for k in range(n_players):
        own = tensor[..., k]
        stable &= own >= own.max(axis=k, keepdims=True) - tol
    return tuple(tuple(int(a) for a in joint) for joint in np.argwhere(stable))


def social_optimum(tensor: FloatArray) -> float:
    """The best mean per-agent payoff over joint actions."""
    return float(tensor.mean(axis=-1).max())


def nash_value(tensor: FloatArray) -> float | None:
    """Mean per-agent payoff at the welfare-best pure equilibrium (``None`` if none)."""
    equilibria = pure_equilibria(tensor)
    if not equilibria:
        return None
    return max(float(tensor[joint].mean()) for joint in equilibria)


class MatrixGame(Game[MatrixParams]):
    """``n_copies`` copies of an N-player normal-form game, repeated with memory-k."""

    capabilities = frozenset({Capability.PAYOFF_TENSOR})

    def __init__(self, params: MatrixParams) -> None:
        super().__init__(params)
        self._tensor = params.tensor()
        self.n_players = int(self._tensor.shape[-1])
        self.n_actions = int(self._tensor.shape[0])
        self.n_agents = params.n_copies * self.n_players
        self.max_steps = params.episode_length
        self._roles = np.tile(np.arange(self.n_players, dtype=np.int64), params.n_copies)
        self._copies = np.arange(self.n_agents, dtype=np.int64) // self.n_players
        self._copies.flags.writeable = False
        self._weights = self.n_actions ** np.arange(self.n_players - 1, -1, -1, dtype=np.int64)
        offsets = np.arange(self.n_players)
        self._order = (offsets[:, None] + offsets[None, :]) % self.n_players  # [role, pos]
        self._n_joint = self.n_actions**self.n_players
        self._n_obs = self._n_joint**params.memory
        self.observation_space = spaces.Discrete(self._n_obs)
        self._rules_changed()
        self._t = 0
        self._obs = self._initial_obs()

    # -- derived rules -------------------------------------------------------------------
    def _rules_changed(self) -> None:
        tensor = self.params.tensor()
        if tensor.shape != self._tensor.shape:
            raise ConfigError(
                "game.params.payoffs", tensor.shape, f"shape {self._tensor.shape} mid-run"
            )
        tensor.setflags(write=False)
        self._tensor = tensor
        self._flat = tensor.reshape(self._n_joint, self.n_players)
        self._flat_total = self._flat.sum(axis=1)
        name = self.params.preset_name()
        preset = PRESETS[name] if name else None
        cooperative = self.params.cooperative_action
        if cooperative is None and preset is not None:
            cooperative = preset.cooperative_action
        names = self.params.action_names or (
            preset.action_names if preset else [f"a{k}" for k in range(self.n_actions)]
        )
        self.metadata = GameMetadata(
            cooperative_action=cooperative,
            action_names=tuple(names),
            social_optimum=social_optimum(tensor),
            nash_value=nash_value(tensor),
            pure_equilibria=pure_equilibria(tensor),
            stochastic=False,
        )

    def reconfigure(self, **changes: Any) -> None:
        """Change payoffs mid-run; population shape and memory stay fixed."""
        for key in ("n_copies", "memory", "perspective"):
            if key in changes and changes[key] != getattr(self.params, key):
                raise ConfigError(f"game.params.{key}", changes[key], "cannot change mid-run")
        previous = self.params
        try:
            super().reconfigure(**changes)
        except ConfigError:
            self.params = previous
            raise

    @property
    def payoff_tensor(self) -> FloatArray:
        """Read-only payoff tensor, shape ``(A,)*N + (N,)``."""
        return self._tensor

    @property
    def copies(self) -> IntArray:
        """``copies[i] = i // N``."""
        return self._copies

    @property
    def roles(self) -> IntArray:
        """``roles[i] = i % N``: the player position of each agent in its copy."""
        return self._roles

    # -- episode -------------------------------------------------------------------------
    def _initial_obs(self) -> IntArray:
        start = np.full(self.n_agents, self.params.initial_action, dtype=np.int64)
        obs = np.zeros(self.n_agents, dtype=np.int64)
        for _ in range(self.params.memory):
            obs = self._remember(obs, start)
        return obs

    def _remember(self, obs: IntArray, actions: Actions) -> IntArray:
        """Append the joint action of each agent's copy (in its perspective) to ``obs``."""
        grid = actions.reshape(self.params.n_copies, self.n_players)
        if self.params.perspective == "own_first":
            codes = grid[:, self._order] @ self._weights  # [copy, role]
        else:
            codes = np.repeat(grid @ self._weights, self.n_players).reshape(grid.shape)
        result: IntArray = (obs * self._n_joint + codes.reshape(-1)) % self._n_obs
        return result

    def reset(self, rng: np.random.Generator) -> Obs:
        """Restore the initial history; the game has no randomness of its own."""
        self._t = 0
        self._obs = self._initial_obs()
        return self._obs.copy()

    def step(self, actions: Actions) -> StepResult:
        """Play one round in every copy."""
        actions = self.check_actions(actions)
        rewards = self.rewards_for(actions)
        self._t += 1
        if self.params.memory:
            self._obs = self._remember(self._obs, actions)
        truncated = self.max_steps is not None and self._t >= self.max_steps
        return StepResult(obs=self._obs.copy(), rewards=rewards, truncated=truncated)

    # -- counterfactuals -----------------------------------------------------------------
    def _joint_codes(self, actions: Actions) -> IntArray:
        grid = np.asarray(actions, dtype=np.int64).reshape(self.params.n_copies, self.n_players)
        codes: IntArray = grid @ self._weights
        return codes

    def rewards_for(self, actions: Actions) -> Rewards:
        """Tensor look-up for every copy (the stage game has no context)."""
        rewards: Rewards = self._flat[self._joint_codes(actions)].reshape(-1)
        return rewards

    def deviation(self, actions: Actions, alternative: Actions) -> Deviation:
        """O(n): shift each agent's digit of its copy's joint code and look up."""
        actions = np.asarray(actions, dtype=np.int64)
        alternative = np.asarray(alternative, dtype=np.int64)
        codes = np.repeat(self._joint_codes(actions), self.n_players)
        codes = codes + (alternative - actions) * self._weights[self._roles]
        return Deviation(
            own=self._flat[codes, self._roles].astype(np.float64),
            copy_welfare=self._flat_total[codes].astype(np.float64),
        )

    # -- rules as text -------------------------------------------------------------------
    def describe(self) -> str:
        """The payoff table in plain text."""
        names = self.metadata.action_names
        lines = [
            f"A {self.n_players}-player simultaneous game, repeated"
            + (f" for {self.max_steps} rounds." if self.max_steps else " indefinitely.")
            + f" Actions: {', '.join(f'{k} = {name}' for k, name in enumerate(names))}.",
            "Payoffs (one per player, in player order) for each joint action:",
        ]
        for joint in itertools.product(range(self.n_actions), repeat=self.n_players):
            labels = ", ".join(names[a] for a in joint)
            values = ", ".join(f"{v:g}" for v in self._tensor[joint])
            lines.append(f"  ({labels}) -> ({values})")
        if self.params.memory:
            lines.append(f"Each player sees the last {self.params.memory} joint action(s).")
        return "\n".join(lines)


register(
    "game",
    "matrix",
    params=MatrixParams,
    description="Any N-player normal-form game (payoff tensor or preset), repeated, many copies",
    cooperative_action=None,
    stochastic=False,
)(MatrixGame)


def _preset_factory(name: str) -> Any:
    def build(params: RepeatedParams) -> MatrixGame:
        raw = {**params.model_dump(), "preset": name}
        return MatrixGame(validate_params(MatrixParams, raw, "game.params"))

    build.__name__ = f"make_{name}"
    build.__doc__ = f"Build the ``{name}`` preset of the ``matrix`` game."
    return build


for _name in FIXED_PRESETS:
    register(
        "game",
        _name,
        params=RepeatedParams,
        description=PRESETS[_name].description,
        offers=MatrixGame.capabilities,
        cooperative_action=PRESETS[_name].cooperative_action,
        stochastic=False,
    )(_preset_factory(_name))
