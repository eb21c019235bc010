"""Cross learning (`cross_learning`), Börgers & Sarin (1997).

Each agent holds a mixed strategy ``x_i[s] ∈ Δ(A)`` per discrete state (uniform at start).
After playing ``a`` in state ``s`` and receiving reward ``r``, normalised to ``[0, 1]``::

    r̃ = (r − reward_min) / (reward_max − reward_min)
    x_i[s] ← x_i[s] + lr · r̃ · (e_a − x_i[s])

Because ``lr ≤ 1`` and ``r̃ ∈ [0, 1]`` the update is a convex combination of ``x`` and the
vertex ``e_a``, so ``x`` stays on the simplex exactly. Taking the expectation over the action
drawn from ``x`` (with expected normalised payoffs ``f``) gives the replicator field::

    E[Δx_i] = lr · x_i (f_i − x·f)

so a large population of Cross learners follows the replicator dynamics (the theory test in
``tests/learners`` checks this by Monte Carlo).

Parameters: ``lr`` (learning rate in (0, 1]), ``reward_min`` < ``reward_max`` (the range the
game's shaped rewards lie in). A reward outside that range raises a
:class:`~incentive_lab.core.errors.ConfigError` naming the range, because silently clipping
would change the dynamics.

Reference: T. Börgers & R. Sarin (1997), *Learning through reinforcement and replicator
dynamics*, Journal of Economic Theory 77; J. Cross (1973).
"""

from __future__ import annotations

import numpy as np
from pydantic import Field, model_validator

from incentive_lab.core.errors import ConfigError
from incentive_lab.core.learner import Learner, LearnerContext, Transition
from incentive_lab.core.params import Params
from incentive_lab.core.registry import register
from incentive_lab.core.types import Actions, FloatArray, IntArray, Obs, Probs
from incentive_lab.learners.exploration import sample
from incentive_lab.learners.tables import discrete_states, new_table, rows, states


class CrossLearningParams(Params):
    """Parameters of ``cross_learning``."""

    lr: float = Field(0.1, gt=0.0, le=1.0)
    """Learning rate in (0, 1]: the step towards the played action's vertex per unit reward."""
    reward_min: float = 0.0
    """Smallest reward the learner can receive (maps to 0)."""
    reward_max: float = 1.0
    """Largest reward the learner can receive (maps to 1); must exceed ``reward_min``."""

    @model_validator(mode="after")
    def _range(self) -> CrossLearningParams:
        if not self.reward_max > self.reward_min:
            raise ValueError(
                f"reward_max ({self.reward_max}) must be greater than reward_min "
                f"({self.reward_min})"
            )
        return self


@register(
    "learner",
    "cross_learning",
    params=CrossLearningParams,
    description="Cross (Börgers–Sarin) reinforcement learning; expected step = replicator field",
    tabular=True,
    stochastic=True,
    has_policy=True,
)
class CrossLearning(Learner[CrossLearningParams]):
    """A group of Cross learners, one mixed strategy per agent and state."""

    learner_id = "cross_learning"

    def __init__(
        self, params: CrossLearningParams, context: LearnerContext, rng: np.random.Generator
    ) -> None:
        super().__init__(params, context, rng)
        self.n_states = discrete_states(context, self.learner_id)
        self.x: FloatArray = new_table(context, self.n_states, 1.0 / context.n_actions)
        self._index: IntArray = np.arange(context.n_agents, dtype=np.int64)

    def policy(self, obs: Obs) -> Probs:
        """``float64[m, A]``: each agent's mixed strategy in its state."""
        return rows(self.x, obs)

    def act(self, obs: Obs) -> Actions:
        """``int64[m]``: sample each agent's action from its mixed strategy."""
        return sample(self.policy(obs), self.rng)

    def normalise(self, rewards: FloatArray) -> FloatArray:
        """Rewards mapped to ``[0, 1]``; a reward outside the declared range is an error."""
        lo, hi = self.params.reward_min, self.params.reward_max
        r = np.asarray(rewards, dtype=np.float64)
        outside = (r < lo) | (r > hi)
        if outside.any():
            raise ConfigError(
                "learner.params.reward_min/reward_max",
                float(r[outside][0]),
                f"cross_learning needs rewards within [reward_min, reward_max] = [{lo}, {hi}]; "
                "widen the range to cover the game's (shaped) rewards",
            )
        normalised: FloatArray = (r - lo) / (hi - lo)
        return normalised

    def update(self, transition: Transition) -> dict[str, float]:
        """Move each agent's strategy towards its action by ``lr · r̃``."""
        s = states(transition.obs)
        a = np.asarray(transition.actions, dtype=np.int64)
        step = self.params.lr * self.normalise(transition.rewards)
        index = self._index
        x = self.x[index, s]
        x *= (1.0 - step)[:, None]
        x[index, a] += step
        self.x[index, s] = x
        return {"step": float(step.mean())}
