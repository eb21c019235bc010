"""Altruistic gradient adjustment (``aga``): align individual and collective objectives.

Li, Zhang, Qian, Xu, Shao, Cheng & Ong (2024), "Aligning Individual and Collective
Objectives in Multi-Agent Cooperation", arXiv 2402.12416 (NeurIPS 2024); SPEC §2.
With ``ξ`` the simultaneous gradient, ``ξ_c = ∇ Σ_i ℓ_i`` the collective gradient and
``H_c = ∇² Σ_i ℓ_i`` the collective Hessian (``learners.gradient_play.hvp``)::

    ξ̃ = ξ_c + λ (ξ + H_cᵀ ξ_c)

The sign of ``λ`` is chosen every step so that::

    λ · ⟨ξ_c, H_cᵀξ_c⟩ · (⟨ξ, H_cᵀξ_c⟩ + ‖H_cᵀξ_c‖²) ≥ 0

(``H_cᵀξ_c`` is the gradient of the collective Hamiltonian ``½‖ξ_c‖²``): near a stable
collective optimum the adjustment pulls the players' own gradients towards it, near an
unstable point it pushes them away. The user gives ``|λ|``; ``sign(0) = +1``. One
forward-over-reverse Hessian-vector product per step, so a step costs a small constant
times a gradient step. ``update`` reports the signed ``λ`` and the rule's product
(``lam``, mean over copies, and ``sign_product`` ≥ 0, the minimum over copies) as
diagnostics. With several copies (``core.game``) the rule is applied in each copy.
"""

from __future__ import annotations

from typing import Any

from incentive_lab.learners.gradient_play.hvp import GameDerivatives


def aga_direction(derivatives: GameDerivatives, lam: float) -> tuple[Any, dict[str, float]]:
    """``ξ_c + λ(ξ + H_cᵀξ_c)`` with the sign of ``λ`` from the alignment rule."""
    xi = derivatives.xi().detach()
    xi_c = derivatives.collective().detach()
    h = derivatives.collective_hvp(xi_c).detach()
    per_copy = derivatives.per_copy
    product = per_copy(xi_c * h) * (per_copy(xi * h) + per_copy(h * h))  # one per copy
    signed = abs(lam) * (1.0 - 2.0 * (product < 0.0).to(product.dtype))
    direction = xi_c + derivatives.expand(signed) * (xi + h)
    stats = {"lam": float(signed.mean()), "sign_product": float((signed * product).min())}
    return direction, stats
