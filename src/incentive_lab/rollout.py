"""The one interaction loop.

Each step, top to bottom::

    obs ─► learner groups act ─► game.step ─► base rewards
        ─► mechanism.adjust ─► shaped rewards, transfers, cost
        ─► learner groups update (on shaped rewards) ─► mechanism.update
        ─► recorder.record(base, shaped, transfers, cost, actions)

A :class:`Simulation` owns the game, the learner groups and the mechanism and advances them
for as many steps as asked, so a caller can run in phases (change rules or mechanism between
calls) without resetting the learners. No I/O happens here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from incentive_lab.core.capabilities import Capability, provided
from incentive_lab.core.errors import ConfigError
from incentive_lab.core.game import Game
from incentive_lab.core.learner import Learner, Transition
from incentive_lab.core.mechanism import Adjustment, Mechanism
from incentive_lab.core.types import Actions, FloatArray, Obs, Rewards


@dataclass(frozen=True)
class LearnerGroup:
    """A learner driving the contiguous agents ``start <= i < stop``."""

    start: int
    stop: int
    learner: Learner[Any]

    @property
    def agents(self) -> slice:
        """The group's slice of the population arrays."""
        return slice(self.start, self.stop)


@dataclass(frozen=True)
class StepRecord:
    """Everything the recorder may keep about one step (arrays over all ``n`` agents)."""

    step: int
    actions: Actions
    base_rewards: Rewards
    shaped_rewards: Rewards
    transfers: FloatArray
    cost: float
    episode_end: bool
    info: dict[str, Any] = field(default_factory=dict)
    diagnostics: dict[str, float] = field(default_factory=dict)


class Recorder(Protocol):
    """Receives every step; decides itself what to keep."""

    def record(self, record: StepRecord) -> None:
        """Take one step's record."""


def check_groups(groups: Sequence[LearnerGroup], n_agents: int) -> None:
    """Groups must cover ``0..n_agents-1`` exactly once, in order."""
    position = 0
    for k, group in enumerate(groups):
        if group.start != position or group.stop <= group.start:
            raise ConfigError(
                f"learners.{k}.agents",
                f"{group.start}:{group.stop}",
                f"contiguous non-empty ranges covering 0:{n_agents} in order (next start "
                f"is {position})",
            )
        position = group.stop
    if position != n_agents:
        raise ConfigError(
            "learners", f"covers 0:{position}", f"learner groups must cover all {n_agents} agents"
        )


class Simulation:
    """Game + learner groups + mechanism, advanced step by step."""

    def __init__(
        self,
        game: Game[Any],
        groups: Sequence[LearnerGroup],
        mechanism: Mechanism[Any],
        rng: np.random.Generator,
    ) -> None:
        check_groups(groups, game.n_agents)
        self.game = game
        self.groups = list(groups)
        self.mechanism = mechanism
        self.rng = rng
        self.step_count = 0
        self.episodes = 0
        self.obs: Obs = game.reset(rng)

    def act(self, obs: Obs) -> Actions:
        """The joint action of all groups for ``obs``.

        A single group whose learner declares ``fresh_actions = True`` (its ``act`` returns a
        new ``int64[n]`` array that it never writes into afterwards) hands that array over
        without a copy; otherwise the groups' actions are copied into a new array.
        """
        n = self.game.n_agents
        if len(self.groups) == 1 and self.groups[0].learner.fresh_actions:
            chosen = np.asarray(self.groups[0].learner.act(obs), dtype=np.int64)
            if chosen.shape == (n,):
                return chosen
            actions = np.empty(n, dtype=np.int64)
            actions[:] = chosen
            return actions
        actions = np.empty(n, dtype=np.int64)
        for group in self.groups:
            actions[group.agents] = group.learner.act(obs[group.agents])
        return actions

    def run(self, steps: int, recorder: Recorder | None = None) -> None:
        """Advance ``steps`` steps, resetting the game (never the learners) at episode ends."""
        game, mechanism = self.game, self.mechanism
        # A mechanism's differentiable shaping, for gradient play on differentiable games.
        loss_shaping = provided(mechanism, Capability.LOSS_SHAPING)
        for _ in range(steps):
            # 1. act
            obs = self.obs
            actions = self.act(obs)
            # 2. the game's base rewards
            result = game.step(actions)
            # 3. the mechanism's adjustment
            adjustment: Adjustment = mechanism.adjust(game, actions, result.rewards, result.info)
            shaped = adjustment.shaped_rewards
            # 4. learning, on shaped rewards only
            diagnostics: dict[str, float] = {}
            for k, group in enumerate(self.groups):
                sl = group.agents
                stats = group.learner.update(
                    Transition(
                        obs=obs[sl],
                        actions=actions[sl],
                        rewards=shaped[sl],
                        next_obs=result.obs[sl],
                        terminated=result.terminated,
                        truncated=result.truncated,
                        population_actions=actions,
                        population_rewards=result.rewards,
                        loss_shaping=loss_shaping,
                    )
                )
                for name, value in stats.items():
                    diagnostics[f"learner{k}/{name}"] = value
            for name, value in mechanism.update(game, actions, result.rewards, adjustment).items():
                diagnostics[f"mechanism/{name}"] = value
            # 5. record
            episode_end = bool(result.terminated or result.truncated)
            if recorder is not None:
                recorder.record(
                    StepRecord(
                        step=self.step_count,
                        actions=actions,
                        base_rewards=result.rewards,
                        shaped_rewards=shaped,
                        transfers=adjustment.transfers,
                        cost=adjustment.cost,
                        episode_end=episode_end,
                        info=result.info,
                        diagnostics=diagnostics,
                    )
                )
            self.step_count += 1
            if episode_end:
                self.episodes += 1
                self.obs = game.reset(self.rng)
            else:
                self.obs = result.obs
