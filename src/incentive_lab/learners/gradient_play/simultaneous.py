"""Simultaneous gradient play: each player its own gradient (Simul-Ind) or the collective one.

On a differentiable game with losses ``ℓ_i(θ)`` (``learners.gradient_play.hvp`` for the notation):

* ``simul_ind`` — every player descends its own loss in its own parameters,
  ``θ ← θ − lr·ξ``, ``ξ_k = ∂ℓ_{p(k)}/∂θ_k`` (naive independent learners; converges to
  Nash equilibria where it converges, e.g. no contribution in a public goods game);
* ``simul_co`` — every player descends the *collective* loss ``Σ_i ℓ_i``,
  ``θ ← θ − lr·ξ_c``, ``ξ_c = ∇ Σ_i ℓ_i`` (a fully cooperative team; maximises welfare,
  with no regard for how it is split).

These are the ``Simul-Ind`` and ``Simul-Co`` baselines of Li et al. (2024), AgA
(arXiv 2402.12416), §5.
"""

from __future__ import annotations

from typing import Any

from incentive_lab.learners.gradient_play.hvp import GameDerivatives


def individual_direction(derivatives: GameDerivatives) -> tuple[Any, dict[str, float]]:
    """``ξ``."""
    return derivatives.xi().detach(), {}


def collective_direction(derivatives: GameDerivatives) -> tuple[Any, dict[str, float]]:
    """``ξ_c``."""
    return derivatives.collective(create_graph=False).detach(), {}
