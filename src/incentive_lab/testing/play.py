"""One learner group playing every agent of a game, the way ``rollout.Simulation`` drives it.

Each step: ``act`` on the observations, ``game.step``, ``update`` with the base rewards as a
read-only view (what the ``none`` mechanism hands on), and at an episode end the *game* is
reset — never the learner (learners are lifelong). A :class:`Play` pickles as one object, so
a learner whose context refers to its game (a differentiable model, a generative model)
stays attached to its own copy of the game.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from incentive_lab.core.game import Game
from incentive_lab.core.learner import LearnerContext, Transition
from incentive_lab.core.mechanism import read_only
from incentive_lab.core.seeding import spawn_rngs
from incentive_lab.core.types import Actions
from incentive_lab.testing.units import GameSource, Unit


def rngs(seed: int, learner_seed: int | None = None) -> tuple[np.random.Generator, ...]:
    """``(game_rng, learner_rng)`` of ``seed``; the learner's from ``learner_seed`` if given."""
    game_rng, learner_rng = spawn_rngs(seed, 2)
    if learner_seed is not None:
        learner_rng = spawn_rngs(learner_seed, 2)[1]
    return game_rng, learner_rng


class Play:
    """``learner`` driving all agents of ``game``; ``rng`` resets the game."""

    def __init__(self, game: Game[Any], learner: Any, rng: np.random.Generator) -> None:
        self.game, self.learner, self.rng = game, learner, rng
        self.obs: Any = game.reset(rng)
        self.steps = 0
        self.episodes = 0

    @classmethod
    def build(
        cls, source: GameSource, unit: Unit, seed: int, learner_seed: int | None = None
    ) -> Play:
        """A fresh game from ``source`` and a fresh learner of ``unit`` for all its agents."""
        game_rng, learner_rng = rngs(seed, learner_seed)
        game = source.build()
        learner = unit.build(LearnerContext.for_game(game), learner_rng)
        return cls(game, learner, game_rng)

    def act(self) -> Actions:
        """The learner's actions for the current observations (as returned)."""
        actions: Actions = self.learner.act(self.obs)
        return actions

    def step(self, actions: Actions) -> Any:
        """Play ``actions``, let the learner update; return its diagnostics."""
        obs, result = self.obs, self.game.step(actions)
        stats = self.learner.update(
            Transition(
                obs=obs,
                actions=actions,
                rewards=read_only(np.asarray(result.rewards, dtype=np.float64)),
                next_obs=result.obs,
                terminated=result.terminated,
                truncated=result.truncated,
                population_actions=actions,
                population_rewards=result.rewards,
            )
        )
        self.steps += 1
        if result.terminated or result.truncated:
            self.episodes += 1
            self.obs = self.game.reset(self.rng)
        else:
            self.obs = result.obs
        return stats

    def run(self, steps: int) -> np.ndarray:
        """Play ``steps`` steps; return the actions chosen, ``[steps, n_agents]``."""
        history = []
        for _ in range(steps):
            actions = self.act()
            history.append(np.array(actions, copy=True))
            self.step(actions)
        return np.array(history)
