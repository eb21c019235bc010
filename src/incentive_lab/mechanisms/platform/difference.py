"""``platform_difference``: difference rewards for each agent's contribution to platform welfare.

Platform welfare ``W`` is the quality of what users consume per user slot,
``W = Σ_u click_u · q_u / U`` (``games.recommender``), a long-term signal: satisfaction and
retention grow with it. Agent ``i`` is rewarded with its marginal contribution against a
default slate strategy ``c`` (Wolpert & Tumer's clamping, as in ``difference_rewards``)::

    D_i = W(a) − W(a_−i, c)

evaluated by the game replaying the round (``RecommenderRules.platform_welfare_for``; one
replay per agent). Since users choose their agent before the agents act, ``D_i`` equals the
quality agent ``i``'s own users consumed minus what the default strategy would have given
them: aligned with ``W`` and free of the other agents' noise. Pure shaping.

Parameters
----------
default_action
    The strategy index ``c`` agents are clamped to (default 0: ``random``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import Field

from incentive_lab.core.errors import ConfigError
from incentive_lab.core.game import Game
from incentive_lab.core.mechanism import Adjustment
from incentive_lab.core.params import Params
from incentive_lab.core.recommendation import RecommenderRules
from incentive_lab.core.types import Actions, Rewards
from incentive_lab.mechanisms.platform.base import PlatformMechanism, register_platform


class PlatformDifferenceParams(Params):
    """Parameters of ``platform_difference``."""

    default_action: int = Field(0, ge=0)
    """The slate strategy ``c`` of the counterfactual ``W(a_−i, c)``."""


@register_platform(
    "platform_difference",
    params=PlatformDifferenceParams,
    description="Each recommender agent earns W(a) − W(a_−i, c) of platform welfare; shaping",
    stateless=True,
    pays=False,
    shaping=True,
    counterfactual=True,
)
class PlatformDifference(PlatformMechanism[PlatformDifferenceParams]):
    """``D_i = W(a) − W(a_−i, c)`` by replaying the round."""

    def __init__(self, params: PlatformDifferenceParams, game: Game[Any], rng: Any) -> None:
        super().__init__(params, game, rng)
        if params.default_action >= game.n_actions:
            allowed = f"a strategy index 0..{game.n_actions - 1}"
            raise ConfigError("mechanism.params.default_action", params.default_action, allowed)

    def adjust(
        self, game: Game[Any], actions: Actions, rewards: Rewards, info: dict[str, Any]
    ) -> Adjustment:
        """Return each agent's contribution to platform welfare."""
        assert isinstance(game, RecommenderRules)
        actions = np.asarray(actions, dtype=np.int64)
        out = self.outcome(info)
        welfare = float(out.quality.sum() / out.n_users)
        clamped = np.empty(self.n_agents)
        for i in range(self.n_agents):  # one replay per agent (recommender agents are few)
            alternative = actions.copy()
            alternative[i] = self.params.default_action
            clamped[i] = game.platform_welfare_for(alternative)
        return Adjustment.shaping(welfare - clamped)
