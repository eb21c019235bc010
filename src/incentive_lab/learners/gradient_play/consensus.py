"""Consensus optimisation (``cga``): the simultaneous gradient plus a pull towards stationarity.

Mescheder, Nowozin & Geiger (2017), "The Numerics of GANs", NeurIPS: descend
``ξ + λ ∇𝓗`` with the Hamiltonian ``𝓗 = ½‖ξ‖²``, whose gradient is ``∇𝓗 = Hᵀξ``
(``H = ∇ξ`` the game Hessian, ``learners.gradient_play.hvp``)::

    direction = ξ + λ Hᵀ ξ

The extra term drives every player towards points where all gradients vanish, which damps
the rotation of adversarial games (matching pennies) at the price of also being attracted
to unstable fixed points. One reverse-over-reverse product per step.

Naming: the registered id is ``cga`` ("consensus gradient adjustment", as the project's
issue names it). In the AgA paper's tables ``CGA`` stands for *competitive* gradient ascent
(Schäfer & Anandkumar 2019), a different method that this module does not implement.
"""

from __future__ import annotations

from typing import Any

from incentive_lab.learners.gradient_play.hvp import GameDerivatives


def consensus_direction(derivatives: GameDerivatives, lam: float) -> tuple[Any, dict[str, float]]:
    """``ξ + λ Hᵀξ``."""
    xi = derivatives.xi().detach()
    grad_hamiltonian = derivatives.game_hvp_transposed(xi)
    return xi + lam * grad_hamiltonian, {"hamiltonian": float(0.5 * (xi @ xi))}
