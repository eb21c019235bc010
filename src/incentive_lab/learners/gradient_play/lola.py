"""Learning with opponent-learning awareness (``lola``), first-order look-ahead.

Foerster, Chen, Al-Shedivat, Whiteson, Abbeel & Mordatch (2018), "Learning with
Opponent-Learning Awareness", AAMAS: each player ``i`` minimises its loss after the others'
naive gradient step of size ``α`` (``lam``), ``ℓ_i(θ_i, θ_j − α∇_jℓ_j for j ≠ i)``,
expanded to first order in ``α``. Its gradient, in the n-player vector form of Letcher,
Foerster, Balduzzi, Rocktäschel & Whiteson (2019), "Stable Opponent Shaping in
Differentiable Games", ICLR, §3::

    direction = ξ − α H_o ξ − α χ,      χ_i = Σ_{j≠i} H_jiᵀ ∇_j ℓ_i

``H_o`` is the off-diagonal (between-player) part of the game Hessian ``H = ∇ξ``; the
``H_o ξ`` term is the look-ahead, ``χ`` the opponent-shaping term. Both are computed by
batched Hessian-vector products (one per player, ``learners.gradient_play.hvp``), so a step costs
``O(n)`` products for ``n`` players.
"""

from __future__ import annotations

from typing import Any

from incentive_lab.learners.gradient_play.hvp import GameDerivatives


def lola_direction(derivatives: GameDerivatives, lam: float) -> tuple[Any, dict[str, float]]:
    """``ξ − α H_o ξ − α χ`` with ``α = lam``."""
    xi = derivatives.xi().detach()
    if lam == 0.0:
        return xi, {}
    look_ahead = derivatives.off_diagonal_hvp(xi)
    shaping = derivatives.lola_chi()
    return xi - lam * (look_ahead + shaping), {}
