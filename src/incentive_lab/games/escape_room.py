"""Escape room ER(N, M) (``escape_room``): a team must pay for someone to pull the lever.

Rules (Yang et al., 2020, "Learning to Incentivize Other Learning Agents", §5.1, following
their reference implementation ``room_symmetric.py``)
    ``N = n_agents`` agents stand at one of three positions: ``0 = lever``, ``1 = start``,
    ``2 = door``; every agent starts at ``start``. Each step every agent chooses the
    position it moves to (the action *is* the target position). The door is open in a step
    when at least ``M = m_required`` agents choose the lever in that step. Rewards::

        r_i = +10   if the door is open and a_i = door
              0     else if a_i = current position of i   (staying is free)
              −1    otherwise                             (a move)

    The episode terminates when the door is open and some agent reached it, and is
    truncated after ``max_steps`` (default 5) steps.

    Pulling the lever costs the puller and only pays the others: an agent-wise selfish
    learner never goes to the lever, so independent learners earn about 0 while the team
    optimum is reached in one step, ``M`` agents to the lever and ``N − M`` to the door:
    best team return ``10·(N − M) − M`` — ER(2, 1) = 9, ER(3, 2) = 8.

Observations
    ``Discrete(3^N)``: every agent observes all positions, encoded as
    ``Σ_j pos_j · 3^(N−1−j)`` (agent 0 most significant). The start state is
    ``Σ_j 3^(N−1−j)`` (everyone at 1).

Counterfactuals
    ``rewards_for(actions)`` evaluates a joint action from the positions in which the last
    step was played (the initial positions before the first step).

Functional core: :func:`escape_rewards` computes a step's rewards and termination from
positions and actions; the class only keeps the positions and the clock.
"""

from __future__ import annotations

import numpy as np
from gymnasium import spaces
from pydantic import Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from incentive_lab.core.capabilities import Capabilities, Capability
from incentive_lab.core.game import Game, GameMetadata, StepResult
from incentive_lab.core.params import Params
from incentive_lab.core.registry import register
from incentive_lab.core.tabular_model import MAX_TABLE, TabularModel
from incentive_lab.core.types import Actions, IntArray, Obs, Rewards

LEVER, START, DOOR = 0, 1, 2
"""Positions (and actions: the position moved to)."""
DOOR_REWARD = 10.0
MOVE_COST = 1.0


class EscapeRoomParams(Params):
    """Parameters of ``escape_room``."""

    n_agents: int = Field(2, ge=2, le=10)
    """Number of agents ``N``."""
    m_required: int = Field(1, ge=1)
    """Agents needed at the lever to open the door, ``1 ≤ M < N``."""
    max_steps: int = Field(5, ge=1)
    """Steps per episode before truncation."""

    @field_validator("m_required")
    @classmethod
    def _m_below_n(cls, value: int, info: ValidationInfo) -> int:
        n_agents = info.data.get("n_agents")
        if n_agents is not None and value >= n_agents:
            allowed = f"fewer than n_agents={n_agents} (someone must be free to reach the door)"
            raise PydanticCustomError("config", "{allowed}", {"allowed": allowed})
        return value


def escape_rewards(positions: IntArray, actions: Actions, m_required: int) -> tuple[Rewards, bool]:
    """Rewards ``float64[N]`` of ``actions`` from ``positions`` and whether the episode ends."""
    positions = np.asarray(positions, dtype=np.int64)
    actions = np.asarray(actions, dtype=np.int64)
    door_open = bool(np.count_nonzero(actions == LEVER) >= m_required)
    escaped = door_open & (actions == DOOR)
    moved = actions != positions
    rewards = np.where(escaped, DOOR_REWARD, np.where(moved, -MOVE_COST, 0.0))
    return rewards.astype(np.float64), bool(escaped.any())


def best_team_return(n_agents: int, m_required: int) -> float:
    """The optimal team return ``10·(N − M) − M`` (one step: M to the lever, the rest out)."""
    return DOOR_REWARD * (n_agents - m_required) - MOVE_COST * m_required


@register(
    "game",
    "escape_room",
    params=EscapeRoomParams,
    description="Escape room ER(N, M): M agents must pull a lever so the others can escape",
    cooperative_action=LEVER,
    stochastic=False,
)
class EscapeRoom(Game[EscapeRoomParams]):
    """ER(N, M) with positions lever / start / door (see the module docstring)."""

    capabilities = frozenset({Capability.TABULAR_MODEL})
    capability_conditions = {Capability.TABULAR_MODEL: "n_agents <= 4 (tables of 3^(3N) cells)"}

    n_actions = 3

    def __init__(self, params: EscapeRoomParams) -> None:
        super().__init__(params)
        self.n_agents = params.n_agents
        self.max_steps = params.max_steps
        self.observation_space = spaces.Discrete(3**self.n_agents)
        self._weights = 3 ** np.arange(self.n_agents - 1, -1, -1, dtype=np.int64)
        self._positions = np.full(self.n_agents, START, dtype=np.int64)
        self._context = self._positions.copy()
        self._t = 0
        self._rules_changed()

    def _rules_changed(self) -> None:
        best = best_team_return(self.n_agents, self.params.m_required)
        self.max_steps = self.params.max_steps
        self.metadata = GameMetadata(
            cooperative_action=LEVER,
            action_names=("lever", "start", "door"),
            social_optimum=best / self.n_agents,
            nash_value=0.0,
            stochastic=False,
        )

    @property
    def positions(self) -> IntArray:
        """``int64[N]``: current positions (a copy)."""
        return self._positions.copy()

    def encode(self, positions: IntArray) -> int:
        """The observation code of ``positions``."""
        return int(np.asarray(positions, dtype=np.int64) @ self._weights)

    def _obs(self) -> Obs:
        return np.full(self.n_agents, self.encode(self._positions), dtype=np.int64)

    def reset(self, rng: np.random.Generator) -> Obs:
        """Everyone back at the start; the game has no randomness of its own."""
        self._positions = np.full(self.n_agents, START, dtype=np.int64)
        self._context = self._positions.copy()
        self._t = 0
        return self._obs()

    def step(self, actions: Actions) -> StepResult:
        """Move everyone to its chosen position; pay the door and the moves."""
        actions = self.check_actions(actions)
        self._context = self._positions.copy()
        rewards, escaped = escape_rewards(self._positions, actions, self.params.m_required)
        self._positions = actions.copy()
        self._t += 1
        truncated = not escaped and self._t >= self.params.max_steps
        door_open = float(np.count_nonzero(actions == LEVER) >= self.params.m_required)
        return StepResult(
            obs=self._obs(),
            rewards=rewards,
            terminated=escaped,
            truncated=truncated,
            info={"metrics": {"door_open": door_open, "escaped": float(escaped)}},
        )

    def offers(self) -> Capabilities:
        """The tables only while they fit (``3^N`` states cubed at most ``MAX_TABLE``)."""
        if (3**self.n_agents) ** 3 > MAX_TABLE:
            return self.capabilities - {Capability.TABULAR_MODEL}
        return self.capabilities

    @property
    def tabular_model(self) -> TabularModel | None:
        """The whole game as tables (``core.tabular_model``), or ``None`` when too large.

        States are the observation codes (``3^N``); the next state of joint action ``j`` is
        ``j`` itself (everyone moves to the chosen position), so the tables are exact.
        """
        n, m_required = self.n_agents, self.params.m_required
        size = 3**n
        if size**3 > MAX_TABLE:
            return None
        key = (n, m_required, self.params.max_steps)
        cached = getattr(self, "_model", None)
        if cached is not None and cached[0] == key:
            model: TabularModel = cached[1]
            return model
        codes = np.arange(size, dtype=np.int64)
        decoded = (codes[:, None] // self._weights) % 3  # [3^N, N]: positions or actions
        door_open = np.count_nonzero(decoded == LEVER, axis=1) >= m_required  # [J]
        escaped = door_open[:, None] & (decoded == DOOR)  # [J, N]
        moved = decoded[None, :, :] != decoded[:, None, :]  # [S, J, N]
        rewards = np.where(escaped[None], DOOR_REWARD, np.where(moved, -MOVE_COST, 0.0))
        transition = np.broadcast_to(np.eye(size), (size, size, size))
        model = TabularModel(
            transition=transition,
            rewards=rewards,
            terminal=np.broadcast_to(escaped.any(axis=1), (size, size)),
            observations=np.repeat(codes[:, None], n, axis=1),
            n_actions=3,
            start=self.encode(np.full(n, START)),
            horizon=self.params.max_steps,
        )
        self._model = (key, model)
        return model

    def rewards_for(self, actions: Actions) -> Rewards:
        """Rewards of ``actions`` played from the last step's starting positions."""
        return escape_rewards(self._context, actions, self.params.m_required)[0]

    def describe(self) -> str:
        """The rules in plain text."""
        n, m = self.n_agents, self.params.m_required
        return (
            f"Escape room with {n} agents. Positions: 0 = lever, 1 = start, 2 = door; "
            "everyone starts at 1. Each step every agent chooses the position it moves to. "
            f"The door is open in a step when at least {m} agent(s) choose the lever. An agent "
            "choosing the door while it is open gets +10 and the episode ends; any other move "
            "costs 1, staying is free. At most "
            f"{self.params.max_steps} steps per episode."
        )
