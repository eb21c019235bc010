"""A fixed policy (`fixed`): agents that never learn.

Every agent of the group plays the same stationary strategy whatever it observes: either the
pure action ``action`` or the mixed strategy ``probs`` (a probability vector over the game's
actions). Useful as a baseline opponent, a population of committed cooperators/defectors, or
to hold part of the population still while the rest learns. ``update`` does nothing.

Parameters: at most one of ``action`` (an action index < ``n_actions``), ``probs`` (a list
of ``n_actions`` non-negative numbers summing to 1) and ``policy`` (a named slate strategy of
a recommender game — ``random``, ``popular``, ``oracle``, … of
``core.recommendation.SLATE_STRATEGIES`` — played as that strategy's action index; only for
games whose actions are those strategies). Works with any observation space.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field, model_validator

from incentive_lab.core.errors import ConfigError
from incentive_lab.core.learner import Learner, LearnerContext, Transition
from incentive_lab.core.params import Params
from incentive_lab.core.recommendation import SLATE_STRATEGIES, strategy_index
from incentive_lab.core.registry import register
from incentive_lab.core.types import Actions, Obs, Probs
from incentive_lab.learners.exploration import sample


class FixedParams(Params):
    """Parameters of ``fixed`` (give ``action`` or ``probs``; default: action 0)."""

    action: int | None = Field(None, ge=0)
    """The pure action every agent plays."""
    probs: list[float] | None = None
    """A mixed strategy: one probability per action, summing to 1."""
    policy: Literal["random", "popular", "oracle", "diverse", "fresh", "similar"] | None = None
    """A recommender game's slate strategy by name (its action index is played)."""

    @model_validator(mode="after")
    def _one_of(self) -> FixedParams:
        given = [self.action is not None, self.probs is not None, self.policy is not None]
        if sum(given) > 1:
            raise ValueError("give at most one of action, probs and policy")
        return self


PROB_TOLERANCE = 1e-9


@register(
    "learner",
    "fixed",
    params=FixedParams,
    description="A fixed pure or mixed strategy that never learns",
    tabular=False,
    stochastic=True,
    has_policy=True,
)
class Fixed(Learner[FixedParams]):
    """A group of agents all playing one fixed (pure or mixed) strategy."""

    learner_id = "fixed"

    def __init__(
        self, params: FixedParams, context: LearnerContext, rng: np.random.Generator
    ) -> None:
        super().__init__(params, context, rng)
        n_actions = context.n_actions
        strategy = np.zeros(n_actions)
        if params.probs is not None:
            probs = np.asarray(params.probs, dtype=np.float64)
            if (
                probs.shape != (n_actions,)
                or not np.all(np.isfinite(probs))
                or (probs < 0).any()
                or abs(probs.sum() - 1.0) > PROB_TOLERANCE
            ):
                raise ConfigError(
                    "learner.params.probs",
                    params.probs,
                    f"a probability vector of length {n_actions} (non-negative, summing to 1)",
                )
            strategy = probs / probs.sum()
        elif params.policy is not None:
            if n_actions != len(SLATE_STRATEGIES):
                raise ConfigError(
                    "learner.params.policy",
                    params.policy,
                    f"a recommender game whose {len(SLATE_STRATEGIES)} actions are the slate "
                    f"strategies (this game has {n_actions} actions)",
                )
            strategy[strategy_index(params.policy)] = 1.0
        else:
            action = 0 if params.action is None else params.action
            if action >= n_actions:
                raise ConfigError(
                    "learner.params.action", action, f"an action index in 0..{n_actions - 1}"
                )
            strategy[action] = 1.0
        self.strategy = strategy
        self._pure = int(np.argmax(strategy)) if strategy.max() == 1.0 else None

    def policy(self, obs: Obs) -> Probs:
        """``float64[m, A]``: the fixed strategy for every agent."""
        return np.tile(self.strategy, (np.asarray(obs).shape[0], 1))

    def act(self, obs: Obs) -> Actions:
        """``int64[m]``: the pure action, or a sample from the mixed strategy."""
        m = np.asarray(obs).shape[0]
        if self._pure is not None:
            return np.full(m, self._pure, dtype=np.int64)
        return sample(self.policy(obs), self.rng)

    def update(self, transition: Transition) -> dict[str, float]:
        """Nothing to learn."""
        return {}
