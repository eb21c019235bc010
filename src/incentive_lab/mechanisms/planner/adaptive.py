"""``adaptive_planner``: a planner that learns payments from the players' next learning step.

Baumann, Graepel & Shawe-Taylor (2020), "Adaptive mechanism design: learning to promote
cooperation" (IJCNN). A planner pays each player an extra reward in ``[−r_max, r_max]``
that depends on the joint action of the player's copy, and learns that payment function by
gradient ascent on the social welfare the players will reach *after their next learning
step*, minus a cost on payments.

Gradient modes (``gradient``)
    ``exact`` (default): the game must expose ``payoff_tensor`` (shape ``(A,)*N + (N,)``;
    ``games.matrix`` does) and arrange its agents as ``matrix`` does: agent ``i`` is player
    ``i % N`` of copy ``i // N``. Any other game is a
    :class:`~incentive_lab.core.errors.ConfigError` at construction. The gradient is exact
    (``mechanisms.planner.gradients``).
    ``sampled``: any game, through the core protocol only (``copies``, ``deviation`` on the
    step just played). The gradient of the same objective, expanded to first order in
    ``player_lr``, is estimated without bias from the step's samples
    (``mechanisms.planner.sampled``: welfare partials from ``deviation``, score-function
    factor, leave-one-copy-out products). Payments depend on ``payments_on``: ``joint`` —
    the joint action of the agent's copy and its role (rank inside the copy; copies must
    all have ``N`` agents), a table ``(A,)*N + (N,)`` like the exact mode's; ``own`` — the
    agent's own action only (players treated as exchangeable, one role, ``A`` numbers);
    ``auto`` — ``joint`` when copies are equal-sized with ``A^N · N ≤ 64`` (a pair, a
    triple of binary players), else ``own``. The per-copy objective makes ``lr`` comparable
    to the exact mode's; a game with one big copy (e.g. regrouped public goods) needs a
    smaller ``lr``.

What the planner knows and learns
    It never sees the learners' parameters (mechanisms never import learners). It keeps an
    estimate ``x̂[k]`` of the mixed strategy of each role ``k``: an exponential moving
    average, at rate ``tracking``, of the frequency of each action among role ``k``'s
    agents across copies (clipped to ``[min_prob, 1]`` and renormalised). It models the
    players as naive softmax policy-gradient learners with step ``player_lr`` and ascends
    ``L(θ) = W(x̂') − cost · E_x̂[Σ_k |P̃_k|]`` with step ``lr`` using the exact gradient of
    ``mechanisms.planner.gradients`` (chain rule written out for the tabular case) or the
    sampled estimate of its first-order expansion.

Payments
    ``P = r_max · tanh(θ)`` per joint action and player, starting at 0; with
    ``budget_balanced`` each joint action's payments are recentred to sum to zero
    (``P̃_k = P_k − mean_j P_j``, money only moves inside a copy). They are real transfers
    (``Adjustment.payments``): learners see ``R_i + P̃_i``, the recorded cost is
    ``Σ_i |P̃_i|``.

Switch-off
    After ``off_after`` steps (``None``: never) the planner pays nothing and stops
    learning; diagnostics report ``paying = 0``.

Diagnostics from ``update``: ``welfare_model`` (exact: ``W(x̂')``; sampled: the observed
mean copy welfare), ``mean_abs_payment`` (mean of ``|P|`` over the table),
``on_path_payment`` (exact: expected ``Σ_k |P̃_k|`` under ``x̂``; sampled: observed spend per
copy), ``paying``.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from pydantic import Field

from incentive_lab.core.capabilities import Capability
from incentive_lab.core.errors import ConfigError
from incentive_lab.core.game import Game
from incentive_lab.core.mechanism import Adjustment, Mechanism
from incentive_lab.core.params import Params
from incentive_lab.core.registry import register
from incentive_lab.core.types import Actions, FloatArray, IntArray, Rewards
from incentive_lab.mechanisms.copies import copy_mean
from incentive_lab.mechanisms.planner.gradients import outer, planner_gradient, planner_payments
from incentive_lab.mechanisms.planner.sampled import (
    copy_roles,
    joint_features,
    sampled_gradient,
    welfare_by_action,
)

MAX_JOINT_FEATURES = 64
"""``auto`` pays on the joint action when ``A^N · N`` is at most this."""


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
    gradient: Literal["exact", "sampled"] = "exact"
    """``exact``: gradient on the game's payoff tensor; ``sampled``: estimated from play."""
    payments_on: Literal["auto", "joint", "own"] = "auto"
    """Sampled mode: pay on the copy's joint action and role, or on the own action only."""


def _needs(params: AdaptivePlannerParams) -> frozenset[Capability]:
    """The exact first-order gradient reads the payoff tensor; the sampled one any game."""
    return frozenset({Capability.PAYOFF_TENSOR}) if params.gradient == "exact" else frozenset()


@register(
    "mechanism",
    "adaptive_planner",
    params=AdaptivePlannerParams,
    description="Planner learning payments from the players' next gradient step (Baumann 2020)",
    requires=_needs,
    stateless=False,
    pays=True,
    shaping=False,
    adaptive=True,
)
class AdaptivePlanner(Mechanism[AdaptivePlannerParams]):
    """Learned payments, exact on a normal-form game or sampled on any game (module doc)."""

    def __init__(
        self, params: AdaptivePlannerParams, game: Game[Any], rng: np.random.Generator
    ) -> None:
        super().__init__(params, game, rng)
        self.n_actions = int(game.n_actions)
        self.joint = True
        if params.gradient == "exact":
            self._init_exact(game)
        else:
            self._init_sampled(game)
        self.estimate: FloatArray = np.full((self.n_players, self.n_actions), 1.0 / self.n_actions)
        self.steps = 0

    def _init_exact(self, game: Game[Any]) -> None:
        tensor = getattr(game, "payoff_tensor", None)
        if tensor is None:
            raise ConfigError(
                "mechanism.id",
                "adaptive_planner",
                f"a normal-form game exposing payoff_tensor (e.g. matrix), or "
                f"gradient: sampled; got {type(game).__name__}",
            )
        self.payoffs: FloatArray = np.array(tensor, dtype=np.float64)
        self.n_players = int(self.payoffs.shape[-1])
        if game.n_agents % self.n_players:
            raise ConfigError(
                "game.n_agents",
                game.n_agents,
                f"a multiple of the {self.n_players} players of the payoff tensor",
            )
        self.theta: FloatArray = np.zeros_like(self.payoffs)
        self._weights: IntArray = self.n_actions ** np.arange(
            self.n_players - 1, -1, -1, dtype=np.int64
        )

    def _init_sampled(self, game: Game[Any]) -> None:
        sizes = np.bincount(np.asarray(game.copies, dtype=np.int64))
        sizes = sizes[sizes > 0]
        equal = bool(np.all(sizes == sizes[0]))
        size = int(sizes[0])
        choice = self.params.payments_on
        if choice == "joint" and not equal:
            raise ConfigError(
                "mechanism.params.payments_on", choice, "own (the game's copies differ in size)"
            )
        small = equal and size <= 8 and self.n_actions**size * size <= MAX_JOINT_FEATURES
        self.joint = choice == "joint" or (choice == "auto" and small)
        self.n_players = size if self.joint else 1
        shape = (self.n_actions,) * size + (size,) if self.joint else (self.n_actions,)
        self.theta = np.zeros(shape)
        self._welfare_scores: FloatArray = np.zeros((self.n_players, self.n_actions))

    @property
    def paying(self) -> bool:
        """Whether the planner still pays (``off_after`` not reached)."""
        off = self.params.off_after
        return off is None or self.steps < off

    def payment_table(self) -> FloatArray:
        """The current payment table (zero once switched off).

        ``P̃`` per joint action and role (``(A,)*N + (N,)``), or in ``own`` mode ``P`` per
        own action (``[A]``, before the per-copy budget balance).
        """
        if not self.paying:
            return np.zeros_like(self.theta)
        balanced = self.params.budget_balanced and self.joint
        return planner_payments(self.theta, self.params.r_max, balanced)

    def _layout(self, game: Game[Any], actions: Actions) -> tuple[IntArray, IntArray, IntArray]:
        """Sampled mode: ``(copies, roles, features)`` of this step."""
        copies = np.asarray(game.copies, dtype=np.int64)
        if not self.joint:
            zeros = np.zeros_like(copies)
            return copies, zeros, np.asarray(actions, dtype=np.int64)
        roles, sizes = copy_roles(copies)
        if np.any(sizes != self.n_players):
            raise ConfigError(
                "game.copies", "copies of another size", f"copies of {self.n_players} agents"
            )
        return copies, roles, joint_features(actions, copies, roles, self.n_actions)

    def _sampled_transfers(self, game: Game[Any], actions: Actions) -> FloatArray:
        copies, _, features = self._layout(game, actions)
        transfers = self.params.r_max * np.tanh(self.theta.reshape(-1)[features])
        if self.params.budget_balanced:
            transfers = transfers - copy_mean(transfers, copies)
        out: FloatArray = transfers
        return out

    def adjust(
        self, game: Game[Any], actions: Actions, rewards: Rewards, info: dict[str, Any]
    ) -> Adjustment:
        """Pay each agent ``P̃_role(joint action of its copy)`` (or ``P̃(own action)``)."""
        rewards = np.asarray(rewards, dtype=np.float64)
        actions = np.asarray(actions, dtype=np.int64)
        if not self.paying:
            return Adjustment.payments(rewards, np.zeros_like(rewards))
        if self.params.gradient == "sampled":
            return Adjustment.payments(rewards, self._sampled_transfers(game, actions))
        grid = actions.reshape(-1, self.n_players)
        flat = self.payment_table().reshape(-1, self.n_players)
        transfers = flat[grid @ self._weights].reshape(-1)
        return Adjustment.payments(rewards, transfers)

    def _track(self, roles: IntArray, actions: Actions) -> None:
        """Move ``x̂`` towards this step's action frequencies per role."""
        params = self.params
        cells = np.bincount(
            roles * self.n_actions + actions, minlength=self.n_players * self.n_actions
        ).reshape(self.n_players, self.n_actions)
        freq = cells / np.maximum(cells.sum(axis=1, keepdims=True), 1)
        estimate = (1 - params.tracking) * self.estimate + params.tracking * freq
        estimate = np.clip(estimate, params.min_prob, 1.0)
        self.estimate = estimate / estimate.sum(axis=1, keepdims=True)

    def update(
        self, game: Game[Any], actions: Actions, rewards: Rewards, adjustment: Adjustment
    ) -> dict[str, float]:
        """Track the players' strategies and take one planner gradient step."""
        if not self.paying:
            self.steps += 1
            return {"paying": 0.0}
        actions = np.asarray(actions, dtype=np.int64)
        if self.params.gradient == "sampled":
            return self._update_sampled(game, actions, rewards)
        params = self.params
        self._track(np.arange(actions.shape[0], dtype=np.int64) % self.n_players, actions)
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

    def _update_sampled(
        self, game: Game[Any], actions: Actions, rewards: Rewards
    ) -> dict[str, float]:
        params = self.params
        copies, roles, features = self._layout(game, actions)
        spend = float(np.abs(self._sampled_transfers(game, actions)).sum())
        self._track(roles, actions)
        grad, self._welfare_scores = sampled_gradient(
            actions,
            copies,
            roles,
            features,
            welfare_by_action(game, actions, self.n_actions),
            self.estimate,
            self.theta,
            player_lr=params.player_lr,
            r_max=params.r_max,
            cost=params.cost,
            budget_balanced=params.budget_balanced,
            fallback=self._welfare_scores,
        )
        self.theta += params.lr * grad
        self.steps += 1
        n_copies = int(np.count_nonzero(np.bincount(copies)))
        return {
            "welfare_model": float(np.sum(rewards)) / n_copies,
            "mean_abs_payment": float(np.abs(params.r_max * np.tanh(self.theta)).mean()),
            "on_path_payment": spend / n_copies,
            "paying": 1.0,
        }
