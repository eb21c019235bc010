"""``matrix_mixed``: any normal-form game as a differentiable game over mixed strategies.

Rules
    The payoff tensor ``T`` of shape ``(A,)*N + (N,)`` comes from the ``matrix`` game
    (``games.matrix``: a ``preset`` name or explicit ``payoffs``, with ``greed``/``fear``
    for ``greed_fear``). Player ``i`` owns ``A`` logits ``θ_i`` and plays the mixed strategy
    ``π_i = softmax(θ_i)``; its loss is minus its expected payoff::

        ℓ_i(θ) = −Σ_{a_1..a_N} T[a_1, …, a_N, i] · Π_j π_j(a_j)

    computed by contracting ``T`` with one strategy at a time (``N`` tensor contractions,
    no enumeration of joint actions in Python). Gradient play on logits is the classic
    setting of learning in games: e.g. simultaneous gradients cycle in matching pennies and
    reach mutual defection in the prisoner's dilemma.

Actions (a realisation, see ``games.differentiable_game``)
    A pure action sampled from ``π_i`` (the matrix game's own actions and names; the
    cooperative action and the pure equilibria are the ``matrix`` game's).

Metrics
    ``distance_to_optimum = ‖π − π*‖₂`` (Frobenius over players) where ``π*`` puts each
    player on its action in the welfare-maximising joint action, reported only when that
    joint action is unique; ``strategy_<i> = π_i(cooperative action)`` (action 0 when the
    game has no cooperative action), for phase portraits.

Parameters: ``preset``, ``payoffs``, ``greed``, ``fear``, ``cooperative_action``,
``action_names`` (as in ``matrix``), ``n_copies``, ``init_scale``, ``init``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import Field

from incentive_lab.core.differentiable import require_torch
from incentive_lab.core.params import validate_params
from incentive_lab.core.registry import register
from incentive_lab.core.types import FloatArray
from incentive_lab.games.differentiable_game import DifferentiableGameBase, DifferentiableParams
from incentive_lab.games.matrix import MatrixGame, MatrixParams


class MatrixMixedParams(DifferentiableParams):
    """Parameters of ``matrix_mixed`` (the tensor fields are those of ``matrix``)."""

    preset: str | None = None
    """Name of a preset game (default ``prisoners_dilemma`` when ``payoffs`` is not given)."""
    payoffs: list[Any] | None = None
    """Nested list of shape ``(A,)*N + (N,)``: ``payoffs[a_1]...[a_N][k]`` pays player k."""
    greed: float | None = None
    """Temptation ``T = 3 + greed`` (preset ``greed_fear`` only)."""
    fear: float | None = None
    """Sucker's payoff ``S = 1 − fear`` (preset ``greed_fear`` only)."""
    cooperative_action: int | None = Field(None, ge=0)
    """The action meaning "cooperate" (default: the preset's)."""
    action_names: list[str] | None = None
    """A label per action (default: the preset's, or ``a0, a1, ...``)."""


def softmax_rows(logits: FloatArray) -> FloatArray:
    """Row-wise softmax of ``float64[n, A]``."""
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    result: FloatArray = shifted / shifted.sum(axis=1, keepdims=True)
    return result


@register(
    "game",
    "matrix_mixed",
    params=MatrixMixedParams,
    description="Any normal-form game over mixed strategies softmax(θ_i); a torch game",
    cooperative_action=None,
    stochastic=False,
)
class MatrixMixed(DifferentiableGameBase[MatrixMixedParams]):
    """Expected payoffs of softmax strategies in a ``matrix`` game's tensor."""

    def __init__(self, params: MatrixMixedParams) -> None:
        fields = ("preset", "payoffs", "greed", "fear", "cooperative_action", "action_names")
        raw = {name: getattr(params, name) for name in fields}
        matrix = MatrixGame(validate_params(MatrixParams, raw, "game.params"))
        self.tensor: FloatArray = matrix.payoff_tensor
        self.metadata = matrix.metadata
        n_players, n_actions = matrix.n_players, matrix.n_actions
        welfare = self.tensor.sum(axis=-1)
        best = np.argwhere(welfare >= welfare.max() - 1e-12)
        self.optimum: FloatArray | None = None
        if len(best) == 1:
            self.optimum = np.eye(n_actions)[best[0]]
        cooperative = self.metadata.cooperative_action
        self.portrait_action = 0 if cooperative is None else cooperative
        torch = require_torch("game.id", "matrix_mixed")
        self._tensor_t = torch.from_numpy(np.array(self.tensor))
        super().__init__(params, (n_actions,) * n_players, n_actions)

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        self._tensor_t = self.torch.from_numpy(np.array(self.tensor))

    def __getstate__(self) -> dict[str, Any]:
        state = super().__getstate__()
        state.pop("_tensor_t", None)
        return state

    def action_probs(self, theta: Any) -> Any:
        """``π = softmax(θ_i)`` per agent, ``Tensor[n_agents, A]``."""
        return self.torch.softmax(theta.reshape(self.n_agents, self.n_actions), dim=1)

    def losses(self, theta: Any) -> Any:
        """Minus the expected payoffs: contract ``T`` with ``π_1, …, π_N`` in turn (per copy)."""
        probs = self.action_probs(theta).reshape(-1, self.n_players, self.n_actions)
        expected = self.torch.einsum("ca,a...->c...", probs[:, 0], self._tensor_t)
        for i in range(1, self.n_players):
            expected = self.torch.einsum("ca,ca...->c...", probs[:, i], expected)
        return -expected.reshape(-1)

    def strategy_summary(self, theta: FloatArray) -> FloatArray:
        """``π_i(cooperative action)`` (action 0 without one)."""
        probs = softmax_rows(theta.reshape(self.n_agents, self.n_actions))
        result: FloatArray = probs[:, self.portrait_action]
        return result

    def distance_to_optimum(self, theta: FloatArray) -> FloatArray | None:
        """``‖π − π*‖₂`` per copy when the welfare-best joint action is unique."""
        if self.optimum is None:
            return None
        probs = softmax_rows(theta.reshape(self.n_agents, self.n_actions))
        gap = probs.reshape(-1, self.n_players, self.n_actions) - self.optimum
        result: FloatArray = np.sqrt((gap * gap).sum(axis=(1, 2)))
        return result

    def describe(self) -> str:
        """The payoff table and the mixed-strategy interpretation."""
        names = ", ".join(f"{k} = {name}" for k, name in enumerate(self.metadata.action_names))
        return (
            f"A {self.n_players}-player normal-form game over mixed strategies: each player "
            f"chooses logits θ_i and plays softmax(θ_i) over actions {names}; losses are "
            f"minus expected payoffs of the tensor {self.tensor.tolist()}."
        )
