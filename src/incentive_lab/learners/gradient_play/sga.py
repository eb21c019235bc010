"""Symplectic gradient adjustment (``sga``) with the sign-alignment rule.

Balduzzi, Racanière, Martens, Foerster, Tuyls & Graepel (2018), "The Mechanics of n-Player
Differentiable Games", ICML, Algorithm 1. Decompose the game Hessian ``H = ∇ξ`` into a
symmetric part ``S`` and an antisymmetric part ``A = (H − Hᵀ)/2`` and descend::

    direction = ξ + λ Aᵀξ,      Aᵀξ = (Hᵀξ − Hξ)/2

The sign of ``λ`` is aligned each step (``align``): with ``∇𝓗 = Hᵀξ`` the gradient of the
Hamiltonian ``𝓗 = ½‖ξ‖²`` and ``D`` the number of parameters::

    λ ← |λ| · sign( (1/D)·⟨ξ, ∇𝓗⟩·⟨Aᵀξ, ∇𝓗⟩ + ε )

so the adjustment points towards stable fixed points and away from unstable ones
(``ε = align_eps``, the paper uses 0.1). Two Hessian-vector products (``Hξ`` forward-over-
reverse, ``Hᵀξ`` reverse-over-reverse) per step. With several copies (``core.game``)
the alignment is decided in each copy (``D`` = parameters per copy).
"""

from __future__ import annotations

from typing import Any

from incentive_lab.learners.gradient_play.hvp import GameDerivatives


def sga_direction(
    derivatives: GameDerivatives, lam: float, align: bool = True, eps: float = 0.1
) -> tuple[Any, dict[str, float]]:
    """``ξ + λ Aᵀξ`` with the aligned sign of ``λ``."""
    xi = derivatives.xi().detach()
    ht_xi = derivatives.game_hvp_transposed(xi)
    h_xi = derivatives.game_hvp(xi)
    at_xi = 0.5 * (ht_xi - h_xi)
    per_copy = derivatives.per_copy
    size = per_copy(xi.new_ones(xi.shape[0]))  # parameters per copy
    score = per_copy(xi * ht_xi) * per_copy(at_xi * ht_xi) / size + eps
    flip = (score < 0.0).to(xi.dtype) if align else xi.new_zeros(score.shape[0])
    signed = abs(lam) * (1.0 - 2.0 * flip)
    return xi + derivatives.expand(signed) * at_xi, {"lam": float(signed.mean())}
