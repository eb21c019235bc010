"""Scripted bots (`scripted`): agents that play one of the game's named bots and never learn.

A game that offers the capability ``scripted_policy`` (``core.scripted``) knows reference
behaviours that need its full state — Cleanup's cleaner and harvester, Harvest's sustainable
and greedy harvesters, the Coin Game's own-colour and any-colour collectors. This learner
plays the bot ``policy`` for every agent of its group: each step it asks the game what that
bot does now for the group's agents (``context.scripted.actions``). The observation is not
used; ``update`` does nothing. Random tie-breaks come from the learner's own generator.

Parameters: ``policy`` — a name the game accepts (``cooperator``, ``defector`` or the game's
own names of those bots; see ``incentive-lab list game <id>``). Resolution refuses a game
without the capability before anything runs.

Typical use: a Schelling diagram (``evaluation.schelling``), or a population of committed
cooperators or defectors beside learning agents.
"""

from __future__ import annotations

import numpy as np

from incentive_lab.core.capabilities import Capability
from incentive_lab.core.errors import ConfigError
from incentive_lab.core.learner import Learner, LearnerContext, Transition
from incentive_lab.core.params import Params
from incentive_lab.core.registry import register
from incentive_lab.core.scripted import COOPERATOR
from incentive_lab.core.types import Actions, Obs


class ScriptedParams(Params):
    """Parameters of ``scripted``."""

    policy: str = COOPERATOR
    """The game's bot to play: ``cooperator``, ``defector`` or a game-specific name."""


@register(
    "learner",
    "scripted",
    params=ScriptedParams,
    description="Play one of the game's scripted bots (cooperator, defector, ...); never learns",
    requires={Capability.SCRIPTED_POLICY},
    tabular=False,
    stochastic=True,
    has_policy=False,
)
class Scripted(Learner[ScriptedParams]):
    """A group of agents all playing the game's bot ``policy``."""

    fresh_actions = True

    def __init__(
        self, params: ScriptedParams, context: LearnerContext, rng: np.random.Generator
    ) -> None:
        super().__init__(params, context, rng)
        bots = context.scripted
        if bots is None:
            raise ConfigError(
                "learner.id",
                "scripted",
                "a game offering scripted_policy (coins, harvest, cleanup)",
            )
        if params.policy not in bots.policies:
            raise ConfigError(
                "learner.params.policy", params.policy, f"allowed: {', '.join(bots.policies)}"
            )
        self.bots = bots

    def act(self, obs: Obs) -> Actions:
        """``int64[m]``: the bot's actions for the group's agents in the game's current state."""
        return self.bots.actions(self.params.policy, self.context.agents, self.rng)

    def update(self, transition: Transition) -> dict[str, float]:
        """Nothing to learn."""
        return {}
