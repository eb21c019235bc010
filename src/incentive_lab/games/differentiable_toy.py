"""``differentiable_toy``: the two-player toy game of the AgA paper, a mixed-motive game.

Rules (Li et al. 2024, "Aligning Individual and Collective Objectives in Multi-Agent
Cooperation", arXiv 2402.12416, §5.1; SPEC §1.5)
    Each player owns one real parameter ``a_i = θ_i`` (unbounded) and minimises::

        ℓ_1 = −sin(a_1 a_2 + a_2²)
        ℓ_2 = −cos(1 + a_1 − (1 + a_2)² + a_1 a_2²)

    Rewards ``r_i = −ℓ_i ∈ [−1, 1]``; the welfare ``r_1 + r_2 ≤ 2`` is reached on a curve
    family, so the game has no single social optimum (``distance_to_optimum`` is not
    reported). The collective gradient climbs the welfare but may end where one player gets
    much more than the other; AgA's adjustment keeps the individual gradients in play
    (the paper's Fig. 2).

Actions (a realisation, see ``games.differentiable_game``)
    A *soft sign*: player ``i`` plays action 1 with probability ``σ(a_i)`` and 0 otherwise.
    The game has no cooperative action.

Metrics: ``strategy_<i> = a_i`` (the phase portrait is the ``(a_1, a_2)`` plane).
Parameters: ``n_copies``, ``init_scale``, ``init``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from incentive_lab.core.game import GameMetadata
from incentive_lab.core.registry import register
from incentive_lab.core.types import FloatArray
from incentive_lab.games.differentiable_game import DifferentiableGameBase, DifferentiableParams


class DifferentiableToyParams(DifferentiableParams):
    """Parameters of ``differentiable_toy`` (only the start)."""


def toy_losses_numpy(a: FloatArray) -> FloatArray:
    """``float64[2]``: the two losses at ``a = (a_1, a_2)`` (reference for tests)."""
    a1, a2 = float(a[0]), float(a[1])
    return np.array([-np.sin(a1 * a2 + a2**2), -np.cos(1.0 + a1 - (1.0 + a2) ** 2 + a1 * a2**2)])


@register(
    "game",
    "differentiable_toy",
    params=DifferentiableToyParams,
    description="AgA's two-player toy game ℓ1=−sin(a1a2+a2²), ℓ2=−cos(1+a1−(1+a2)²+a1a2²)",
    cooperative_action=None,
    stochastic=False,
)
class DifferentiableToy(DifferentiableGameBase[DifferentiableToyParams]):
    """Two players, one parameter each (see module)."""

    def __init__(self, params: DifferentiableToyParams) -> None:
        self.metadata = GameMetadata(action_names=("negative", "positive"), stochastic=False)
        super().__init__(params, (1, 1), 2)

    def losses(self, theta: Any) -> Any:
        """``(−sin(a_1 a_2 + a_2²), −cos(1 + a_1 − (1 + a_2)² + a_1 a_2²))``."""
        pairs = theta.reshape(-1, 2)
        a1, a2 = pairs[:, 0], pairs[:, 1]
        torch = self.torch
        return torch.stack(
            (
                -torch.sin(a1 * a2 + a2**2),
                -torch.cos(1.0 + a1 - (1.0 + a2) ** 2 + a1 * a2**2),
            ),
            dim=1,
        ).reshape(-1)

    def action_probs(self, theta: Any) -> Any:
        """Soft sign: ``[1 − σ(a_i), σ(a_i)]``."""
        positive = self.torch.sigmoid(theta)
        return self.torch.stack((1.0 - positive, positive), dim=1)

    def strategy_summary(self, theta: FloatArray) -> FloatArray:
        """``a_i`` itself."""
        return np.asarray(theta, dtype=np.float64).copy()

    def describe(self) -> str:
        """The rules in plain text."""
        return (
            "A two-player differentiable game: player 1 maximises sin(a1·a2 + a2²), player 2 "
            "maximises cos(1 + a1 − (1 + a2)² + a1·a2²); each controls its own real a_i."
        )
