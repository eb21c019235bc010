"""``adaptive_planner``: a planner that learns payments from the players' next learning step.

Baumann, Graepel & Shawe-Taylor (2020), "Adaptive mechanism design: learning to promote
cooperation" (IJCNN). A planner pays each player an extra reward in ``[−r_max, r_max]``
that depends on the joint action of the player's copy, and learns that payment function by
gradient ascent on the social welfare the players will reach *after their next learning
step*, minus a cost on payments.

Game protocol (duck-typed, read with ``getattr``)
    The game must expose ``payoff_tensor`` (shape ``(A,)*N + (N,)``; ``games.matrix`` does)
    and arrange its agents as ``matrix`` does: agent ``i`` is player ``i % N`` of copy
    ``i // N``. Any other game is a :class:`~incentive_lab.core.errors.ConfigError` at
    construction.

What the planner knows and learns
    It never sees the learners' parameters (mechanisms never import learners). It keeps an
    estimate ``x̂[k]`` of the mixed strategy of each role ``k``: an exponential moving
    average, at rate ``tracking``, of the frequency of each action among role ``k``'s
    agents across copies (clipped to ``[min_prob, 1]`` and renormalised). It models the
    players as naive softmax policy-gradient learners with step ``player_lr`` and ascends
    ``L(θ) = W(x̂') − cost · E_x̂[Σ_k |P̃_k|]`` with step ``lr`` using the exact gradient of
    ``mechanisms.planner_gradients`` (chain rule written out for the tabular case).

Payments
    ``P = r_max · tanh(θ)`` per joint action and player, starting at 0; with
    ``budget_balanced`` each joint action's payments are recentred to sum to zero
    (``P̃_k = P_k − mean_j P_j``, money only moves inside a copy). They are real transfers
    (``Adjustment.payments``): learners see ``R_i + P̃_i``, the recorded cost is
    ``Σ_i |P̃_i|``.

Switch-off
    After ``off_after`` steps (``None``: never) the planner pays nothing and stops
    learning; diagnostics report ``paying = 0``.

Diagnostics from ``update``: ``welfare_model`` (``W(x̂')``), ``mean_abs_payment`` (mean of
``|P̃|`` over the table), ``on_path_payment`` (expected ``Σ_k |P̃_k|`` under ``x̂``),
``paying``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import Field

from incentive_lab.core.errors import ConfigError
from incentive_lab.core.game import Game
from incentive_lab.core.mechanism import Adjustment, Mechanism
from incentive_lab.core.params import Params
from incentive_lab.core.registry import register
from incentive_lab.core.types import Actions, FloatArray, IntArray, Rewards
from incentive_lab.mechanisms.planner_gradients import outer, planner_gradient, planner_payments


class AdaptivePlannerParams(Params):
    """Parameters of ``adaptive_planner``."""

    r_max: float = Field(3.0, gt=0.0)
    """Largest payment (or charge) per player and step: payments lie in ``[−r_max, r_max]``."""
    cost: float = Field(0.01, ge=0.0)
    """Weight of the expected payment volume ``Σ_k |P̃_k|`` in the planner's objective."""
    lr: float = Field(1.0, gt=0.0)
    """Step size of the planner's gradient ascent on its parameters ``θ``."""
    budget_balanced: bool = False
    """Recentre each joint action's payments to sum to zero within the copy."""
    off_after: int | None = Field(None, ge=0)
    """Stop paying (and learning) after this many steps (``None``: never)."""
    player_lr: float = Field(1.0, gt=0.0)
    """Step size the planner assumes for the players' policy-gradient step."""
    tracking: float = Field(0.05, gt=0.0, le=1.0)
    """Rate of the moving average that estimates each role's mixed strategy."""
    min_prob: float = Field(1e-3, gt=0.0, lt=0.5)
    """Floor of the estimated action probabilities (keeps ``log x̂`` finite)."""


@register(
    "mechanism",
    "adaptive_planner",
    params=AdaptivePlannerParams,
    description="Planner learning payments from the players' next gradient step (Baumann 2020)",
    stateless=False,
    pays=True,
    shaping=False,
    adaptive=True,
)
class AdaptivePlanner(Mechanism[AdaptivePlannerParams]):
    """Learned joint-action payments on a normal-form game (see the module docstring)."""

    def __init__(
        self, params: AdaptivePlannerParams, game: Game[Any], rng: np.random.Generator
    ) -> None:
        super().__init__(params, game, rng)
        tensor = getattr(game, "payoff_tensor", None)
        if tensor is None:
            raise ConfigError(
                "mechanism.id",
                "adaptive_planner",
                f"a normal-form game exposing payoff_tensor (e.g. matrix); "
                f"got {type(game).__name__}",
            )
        self.payoffs: FloatArray = np.array(tensor, dtype=np.float64)
        self.n_players = int(self.payoffs.shape[-1])
        self.n_actions = int(self.payoffs.shape[0])
        if game.n_agents % self.n_players:
            raise ConfigError(
                "game.n_agents",
                game.n_agents,
                f"a multiple of the {self.n_players} players of the payoff tensor",
            )
        self.theta: FloatArray = np.zeros_like(self.payoffs)
        self.estimate: FloatArray = np.full((self.n_players, self.n_actions), 1.0 / self.n_actions)
        self.steps = 0
        self._weights: IntArray = self.n_actions ** np.arange(
            self.n_players - 1, -1, -1, dtype=np.int64
        )

    @property
    def paying(self) -> bool:
        """Whether the planner still pays (``off_after`` not reached)."""
        off = self.params.off_after
        return off is None or self.steps < off

    def payment_table(self) -> FloatArray:
        """``(A,)*N + (N,)``: the current payments ``P̃`` (zero once switched off)."""
        if not self.paying:
            return np.zeros_like(self.theta)
        return planner_payments(self.theta, self.params.r_max, self.params.budget_balanced)

    def adjust(
        self, game: Game[Any], actions: Actions, rewards: Rewards, info: dict[str, Any]
    ) -> Adjustment:
        """Pay each agent ``P̃_role(joint action of its copy)``."""
        rewards = np.asarray(rewards, dtype=np.float64)
        grid = np.asarray(actions, dtype=np.int64).reshape(-1, self.n_players)
        flat = self.payment_table().reshape(-1, self.n_players)
        transfers = flat[grid @ self._weights].reshape(-1)
        return Adjustment.payments(rewards, transfers)

    def update(
        self, game: Game[Any], actions: Actions, rewards: Rewards, adjustment: Adjustment
    ) -> dict[str, float]:
        """Track the players' strategies and take one planner gradient step."""
        if not self.paying:
            self.steps += 1
            return {"paying": 0.0}
        params = self.params
        grid = np.asarray(actions, dtype=np.int64).reshape(-1, self.n_players)
        freq = (grid.T[:, :, None] == np.arange(self.n_actions)).mean(axis=1)
        estimate = (1 - params.tracking) * self.estimate + params.tracking * freq
        estimate = np.clip(estimate, params.min_prob, 1.0)
        self.estimate = estimate / estimate.sum(axis=1, keepdims=True)
        grad, welfare = planner_gradient(
            self.payoffs,
            self.theta,
            self.estimate,
            player_lr=params.player_lr,
            r_max=params.r_max,
            cost=params.cost,
            budget_balanced=params.budget_balanced,
        )
        self.theta += params.lr * grad
        self.steps += 1
        table = planner_payments(self.theta, params.r_max, params.budget_balanced)
        on_path = float((outer(self.estimate) * np.abs(table).sum(axis=-1)).sum())
        return {
            "welfare_model": welfare,
            "mean_abs_payment": float(np.abs(table).mean()),
            "on_path_payment": on_path,
            "paying": 1.0,
        }
