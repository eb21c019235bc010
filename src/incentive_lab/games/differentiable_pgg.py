"""``differentiable_pgg``: public goods with sigmoid contributions, as a differentiable game.

Rules (Li et al. 2024, AgA, §5; SPEC §1.5)
    ``n`` players each own ``dim`` parameters ``θ_i ∈ R^dim`` and contribute
    ``a_i = σ(θ_i) ∈ [0, 1]^dim`` to ``dim`` independent public goods (projects). Each
    project multiplies the total contribution by ``p`` and shares it equally::

        r_i = (1/dim) Σ_k [ (p/n) Σ_j a_jk − a_ik ],      ℓ_i = −r_i

    With ``n = 2`` and ``dim = 1`` this is the paper's ``r_i = (p/2)(a_1 + a_2) − a_i``.
    For ``1 < p < n`` it is a social dilemma: contributing costs each player
    ``1 − p/n > 0`` per unit (Nash equilibrium ``a = 0``) while it raises welfare by
    ``p − 1 > 0`` (social optimum ``a = 1``). ``dim > 1`` gives games with many parameters
    (``n·dim``) for benchmarks; the projects are independent copies of the same dilemma.

Actions (a realisation, see ``games.differentiable_game``)
    ``0`` = keep, ``1`` = contribute (cooperative action 1); player ``i`` contributes with
    probability ``ā_i`` (its mean contribution over projects). For ``dim = 1`` this is
    exact: the sigmoid game is the mixed extension of the binary public goods game, whose
    expected payoff is multilinear in the contribution probabilities.

Metrics
    ``distance_to_optimum = ‖a − a*‖₂ / √dim`` (Euclidean over players, root-mean-square
    over projects; for ``dim = 1`` the plain distance of ``(a_1, a_2)`` to ``(1, 1)``), with
    ``a* = 1`` if ``p > 1`` and ``a* = 0`` otherwise; ``strategy_<i> = ā_i``.

Parameters: ``n_players``, ``p``, ``dim``, ``n_copies``, ``init_scale``, ``init``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import Field

from incentive_lab.core.game import GameMetadata
from incentive_lab.core.registry import register
from incentive_lab.core.types import FloatArray
from incentive_lab.games.differentiable_game import DifferentiableGameBase, DifferentiableParams


class DifferentiablePGGParams(DifferentiableParams):
    """Parameters of ``differentiable_pgg``."""

    n_players: int = Field(2, ge=2, le=10_000)
    """Number of players ``n``."""
    p: float = Field(1.5, gt=0.0, allow_inf_nan=False)
    """Multiplier of the public good (a social dilemma for ``1 < p < n``)."""
    dim: int = Field(1, ge=1, le=1_000_000)
    """Parameters per player (independent projects)."""


def sigmoid(theta: FloatArray) -> FloatArray:
    """The logistic function, numerically stable."""
    result: FloatArray = 0.5 * (1.0 + np.tanh(0.5 * theta))
    return result


@register(
    "game",
    "differentiable_pgg",
    params=DifferentiablePGGParams,
    description="Public goods with sigmoid contributions a=σ(θ), multiplier p; a torch game",
    cooperative_action=1,
    stochastic=False,
)
class DifferentiablePGG(DifferentiableGameBase[DifferentiablePGGParams]):
    """``n`` players, ``dim`` projects each, ``r_i = mean_k[(p/n)Σ_j a_jk − a_ik]``."""

    def __init__(self, params: DifferentiablePGGParams) -> None:
        n, dim, p = params.n_players, params.dim, params.p
        self.metadata = GameMetadata(
            cooperative_action=1,
            action_names=("keep", "contribute"),
            social_optimum=max(p - 1.0, 0.0),
            nash_value=0.0 if p < n else None,
            stochastic=False,
        )
        super().__init__(params, (dim,) * n, 2)

    def contributions(self, theta: Any) -> Any:
        """``Tensor[copies, n, dim]``: ``a = σ(θ)``."""
        return self.torch.sigmoid(theta.reshape(-1, self.n_players, self.params.dim))

    def losses(self, theta: Any) -> Any:
        """``ℓ_i = mean_k[a_ik − (p/n) Σ_j a_jk]`` in every copy, ``Tensor[n_agents]``."""
        a = self.contributions(theta)
        share = (self.params.p / self.n_players) * a.sum(dim=1, keepdim=True)
        return (a - share).mean(dim=2).reshape(-1)

    def action_probs(self, theta: Any) -> Any:
        """``[1 − ā_i, ā_i]``: keep or contribute."""
        mean = self.contributions(theta).mean(dim=2).reshape(-1)
        return self.torch.stack((1.0 - mean, mean), dim=1)

    def strategy_summary(self, theta: FloatArray) -> FloatArray:
        """``ā_i``, each player's mean contribution."""
        result: FloatArray = sigmoid(theta).reshape(self.n_agents, -1).mean(axis=1)
        return result

    def distance_to_optimum(self, theta: FloatArray) -> FloatArray | None:
        """``‖a − a*‖₂ / √dim`` per copy."""
        target = 1.0 if self.params.p > 1.0 else 0.0
        gap = (sigmoid(theta) - target).reshape(self.params.n_copies, -1)
        result: FloatArray = np.sqrt((gap * gap).sum(axis=1) / self.params.dim)
        return result

    def describe(self) -> str:
        """The rules in plain text."""
        n, p, dim = self.n_players, self.params.p, self.params.dim  # per copy
        return (
            f"A differentiable public goods game: {n} players each contribute a_i = σ(θ_i) in "
            f"[0, 1] to each of {dim} projects; each project's total is multiplied by {p:g} "
            f"and shared equally; reward r_i = mean over projects of (p/n)·Σ_j a_j − a_i."
        )
