"""``inequity_aversion``: Fehr–Schmidt utilities within each group.

Agents dislike being behind others (envy, weight ``α``) and being ahead of others (guilt,
weight ``β``). Within agent ``i``'s copy of size ``n_c``::

    U_i = R_i − α/(n_c−1) Σ_{j≠i} max(R_j − R_i, 0) − β/(n_c−1) Σ_{j≠i} max(R_i − R_j, 0)

An agent alone in its copy has no one to compare with: ``U_i = R_i``. Fehr and Schmidt
assume ``β ≤ α`` and ``β < 1``; the library only requires ``α, β ≥ 0`` (``α = β = 0`` is the
identity). Pure shaping: transfers and cost are zero.

Both sums are computed in ``O(n log n)`` by sorting the rewards inside each copy and using
prefix sums: at sorted position ``k`` of a copy ``v_0 ≤ … ≤ v_{m−1}``, the envy sum is
``Σ_{j>k} v_j − (m−1−k)·v_k`` and the guilt sum ``k·v_k − Σ_{j<k} v_j`` (ties contribute
zero either way).

Example (prisoner's dilemma at (C, D), rewards (0, 5), α = 1, β = 0.5):
``U_1 = 0 − 1·5 = −5``, ``U_2 = 5 − 0.5·5 = 2.5``.

Parameters
----------
alpha
    Weight of disadvantageous inequity (envy).
beta
    Weight of advantageous inequity (guilt).
smoothing
    Trace decay ``γλ`` of the smoothed variant (below); ``0`` = the step's rewards.

Temporal smoothing (Hughes et al. 2018)
    In sequential dilemmas rewards are sparse, so Hughes et al. compare *smoothed* rewards
    ``e_j^t = γλ · e_j^{t−1} + R_j^t`` (per agent, ``e^0 = 0``) instead of the step's
    rewards: ``U_i = R_i − α/(n_c−1) Σ_j max(e_j − e_i, 0) − β/(n_c−1) Σ_j max(e_i − e_j, 0)``.
    Parameter ``smoothing`` = ``γλ`` in ``[0, 1)``; ``0`` (default) is the stateless
    Fehr–Schmidt form above. With ``smoothing > 0`` the mechanism keeps the traces (one
    float per agent) for as long as it runs — across episode ends, since the mechanism is
    not told about them — and a ``reconfigure`` keeps them too.

On differentiable games (``core.differentiable``) :meth:`InequityAversion.shape_losses`
applies the stateless form to the players' torch losses (``smoothing`` must be 0).

Reference: Fehr & Schmidt (1999), "A theory of fairness, competition, and cooperation",
QJE 114(3); Hughes et al. (2018), "Inequity aversion improves cooperation in intertemporal
social dilemmas", NeurIPS (smoothed variant, their α = 5, β = 0.05 in the cleanup game).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import Field

from incentive_lab.core.capabilities import Capability
from incentive_lab.core.differentiable import same_copy_matrix
from incentive_lab.core.errors import ConfigError
from incentive_lab.core.game import Game
from incentive_lab.core.mechanism import Adjustment, Mechanism
from incentive_lab.core.params import Params
from incentive_lab.core.registry import register
from incentive_lab.core.types import Actions, FloatArray, IntArray, Rewards
from incentive_lab.mechanisms.copies import copy_sizes, sort_within_copies


class InequityAversionParams(Params):
    """Parameters of ``inequity_aversion``."""

    alpha: float = Field(default=1.0, ge=0.0, allow_inf_nan=False)
    """Envy: weight of the mean amount by which the others are ahead of the agent."""
    beta: float = Field(default=0.5, ge=0.0, allow_inf_nan=False)
    """Guilt: weight of the mean amount by which the agent is ahead of the others."""
    smoothing: float = Field(default=0.0, ge=0.0, lt=1.0)
    """Trace decay ``γλ`` of Hughes et al.'s smoothed rewards (0: compare the step's rewards)."""


def envy_and_guilt(rewards: FloatArray, copies: IntArray) -> tuple[FloatArray, FloatArray]:
    """``(envy, guilt)``, ``float64[n]`` each, in ``O(n log n)``.

    ``envy_i = Σ_{j≠i ∈ copy(i)} max(R_j − R_i, 0)``, ``guilt_i = Σ_{j≠i} max(R_i − R_j, 0)``.
    """
    order, starts, stops = sort_within_copies(rewards, copies)
    values = rewards[order]
    cumulative = np.concatenate(([0.0], np.cumsum(values)))
    position = np.arange(values.shape[0], dtype=np.int64)
    below = position - starts
    above = stops - position - 1
    sum_below = cumulative[position] - cumulative[starts]
    sum_above = cumulative[stops] - cumulative[position + 1]
    envy = np.empty_like(rewards)
    guilt = np.empty_like(rewards)
    envy[order] = np.maximum(sum_above - above * values, 0.0)
    guilt[order] = np.maximum(below * values - sum_below, 0.0)
    return envy, guilt


def fehr_schmidt(
    rewards: FloatArray,
    copies: IntArray,
    alpha: float,
    beta: float,
    compared: FloatArray | None = None,
) -> FloatArray:
    """``float64[n]``: Fehr–Schmidt utilities of ``rewards`` within ``copies``.

    Inequity is measured on ``compared`` (default: ``rewards`` themselves; the smoothed
    rewards in Hughes et al.'s variant).
    """
    if alpha == 0.0 and beta == 0.0:
        return rewards.copy()
    envy, guilt = envy_and_guilt(rewards if compared is None else compared, copies)
    others = copy_sizes(copies) - 1
    weight = np.divide(1.0, others, out=np.zeros(rewards.shape), where=others > 0)
    return rewards - weight * (alpha * envy + beta * guilt)


@register(
    "mechanism",
    "inequity_aversion",
    params=InequityAversionParams,
    description="Fehr–Schmidt inequity aversion (envy α, guilt β) within each group; shaping.",
    stateless=False,
    pays=False,
    shaping=True,
)
class InequityAversion(Mechanism[InequityAversionParams]):
    """Shaped reward = Fehr–Schmidt utility of the agent within its copy.

    ``trace`` holds the smoothed rewards ``e`` (``float64[n]``) once ``smoothing > 0``.
    """

    capabilities = frozenset({Capability.LOSS_SHAPING})

    def __init__(
        self, params: InequityAversionParams, game: Game[Any], rng: np.random.Generator
    ) -> None:
        super().__init__(params, game, rng)
        self.trace: FloatArray | None = None

    def adjust(
        self, game: Game[Any], actions: Actions, rewards: Rewards, info: dict[str, Any]
    ) -> Adjustment:
        """Return the Fehr–Schmidt utilities (no transfers)."""
        rewards = np.asarray(rewards, dtype=np.float64)
        params = self.params
        compared = None
        if params.smoothing > 0.0:
            if self.trace is None or self.trace.shape != rewards.shape:
                self.trace = np.zeros_like(rewards)
            self.trace = params.smoothing * self.trace + rewards
            compared = self.trace
        shaped = fehr_schmidt(rewards, game.copies, params.alpha, params.beta, compared)
        return Adjustment.shaping(shaped)

    def shape_losses(self, losses: Any, probs: Any, copies: IntArray) -> Any:
        """Fehr–Schmidt on torch losses (differentiable games; stateless form only).

        With ``R = −ℓ``: ``ℓ'_i = ℓ_i + α/(n_c−1) Σ_j max(ℓ_i − ℓ_j, 0)
        + β/(n_c−1) Σ_j max(ℓ_j − ℓ_i, 0)``.
        """
        params = self.params
        if params.smoothing > 0.0:
            raise ConfigError(
                "mechanism.params.smoothing", params.smoothing, "0 on differentiable games"
            )
        others = same_copy_matrix(copies)
        np.fill_diagonal(others, 0.0)
        counts = others.sum(axis=1, keepdims=True)
        weights = losses.new_tensor(
            np.divide(others, counts, out=np.zeros_like(others), where=counts > 0)
        )
        behind = (losses[:, None] - losses[None, :]).clamp(min=0.0)  # R_j − R_i when > 0
        envy = (weights * behind).sum(dim=1)
        guilt = (weights * behind.T).sum(dim=1)
        return losses + params.alpha * envy + params.beta * guilt
