"""Gradient play on differentiable games: one optimiser over the joint parameters.

Registered learners (each ``θ ← θ − lr · direction`` once per rollout step):

=============  ==========================================  =================================
id             direction                                   module
=============  ==========================================  =================================
``simul_ind``  ``ξ`` (each player its own gradient)          :mod:`.simultaneous`
``simul_co``   ``ξ_c = ∇Σ_iℓ_i`` (collective gradient)       :mod:`.simultaneous`
``cga``        ``ξ + λHᵀξ`` (consensus optimisation)         :mod:`.consensus`
``sga``        ``ξ + λAᵀξ``, aligned sign                    :mod:`.sga`
``lola``       ``ξ − λ(H_oξ + χ)`` (first-order LOLA)        :mod:`.lola`
``aga``        ``ξ_c + λ(ξ + H_cᵀξ_c)``, sign rule           :mod:`.aga`
=============  ==========================================  =================================

How it plugs into the rollout
    The game implements ``core.differentiable.DifferentiableGame`` and holds ``θ`` (see
    ``games.differentiable_game``). One learner group covers all its players and receives
    the model as ``context.differentiable``; ``act`` samples each player's discrete action
    from ``action_probs(θ)``; ``update`` takes one step and writes ``θ`` back with
    ``set_theta`` (non-finite parameters raise ``ConfigError``).

Mechanisms
    The optimiser differentiates the *shaped* losses: ``Transition.loss_shaping`` (the
    mechanism's ``shape_losses``, passed by the rollout) maps ``(ℓ(θ), action_probs(θ),
    copies)`` to shaped losses inside the autograd graph, so gradients flow through team
    rewards, SVO, inequity aversion and (expected) action taxes. A mechanism that reshapes
    rewards without such a method raises ``ConfigError`` at the first update (its shaping
    could not be differentiated).

Parameters: ``lr`` (step size); ``lam`` (adjustment weight ``λ``; for ``lola`` the
look-ahead step ``α``; for ``sga``/``aga`` its magnitude, the sign is chosen by their
rules); ``align_eps`` (``sga`` only). Needs the ``torch`` extra.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from pydantic import Field

from incentive_lab.core.capabilities import Capability
from incentive_lab.core.differentiable import DifferentiableGame, LossShaping, require_torch
from incentive_lab.core.errors import ConfigError
from incentive_lab.core.learner import Learner, LearnerContext, Transition
from incentive_lab.core.params import Params
from incentive_lab.core.registry import register
from incentive_lab.core.types import Actions, Obs, Probs
from incentive_lab.learners.gradient_play.aga import aga_direction
from incentive_lab.learners.gradient_play.consensus import consensus_direction
from incentive_lab.learners.gradient_play.hvp import GameDerivatives
from incentive_lab.learners.gradient_play.lola import lola_direction
from incentive_lab.learners.gradient_play.sga import sga_direction
from incentive_lab.learners.gradient_play.simultaneous import (
    collective_direction,
    individual_direction,
)


class GradientParams(Params):
    """Parameters of ``simul_ind`` and ``simul_co``."""

    lr: float = Field(0.1, gt=0.0, allow_inf_nan=False)
    """Step size of ``θ ← θ − lr · direction``."""


class AdjustedParams(GradientParams):
    """Parameters of the adjusted gradients ``cga``, ``lola``, ``aga``."""

    lam: float = Field(0.1, ge=0.0, allow_inf_nan=False)
    """Adjustment weight ``λ`` (``lola``: look-ahead step ``α``; ``aga``: ``|λ|``)."""


class SGAParams(AdjustedParams):
    """Parameters of ``sga``."""

    align_eps: float | None = Field(0.1, allow_inf_nan=False)
    """``ε`` of the sign-alignment rule (``None``: no alignment, ``λ`` keeps its sign)."""


class ShapedLosses:
    """``θ ↦ shaping(ℓ(θ), action_probs(θ), copies)``, or ``ℓ(θ)`` without shaping."""

    def __init__(self, game: DifferentiableGame, shaping: LossShaping | None) -> None:
        self.game = game
        self.shaping = shaping
        self.copies = np.asarray(game.copies, dtype=np.int64)

    def __call__(self, theta: Any) -> Any:
        """``Tensor[n]``: the shaped losses at ``theta``."""
        losses = self.game.losses(theta)
        if self.shaping is None:
            return losses
        return self.shaping(losses, self.game.action_probs(theta), self.copies)


class GradientPlay(Learner[Any]):
    """A gradient optimiser over the joint parameters of a differentiable game."""

    learner_id: ClassVar[str] = "gradient_play"

    def __init__(self, params: Any, context: LearnerContext, rng: np.random.Generator) -> None:
        super().__init__(params, context, rng)
        game: Any = context.differentiable
        if game is None:
            raise ConfigError(
                "learner.id",
                self.learner_id,
                "a differentiable game (differentiable_pgg, differentiable_toy, matrix_mixed); "
                "this game has no differentiable model",
            )
        require_torch("learner.id", self.learner_id)
        n_agents = len(game.roles)
        if not np.array_equal(context.agents, np.arange(n_agents)):
            raise ConfigError(
                "learners.agents",
                f"{context.agents[0]}:{context.agents[-1] + 1}",
                f"one group covering all {n_agents} agents (a joint optimiser)",
            )
        self.game = game

    def direction(self, derivatives: GameDerivatives) -> tuple[Any, dict[str, float]]:
        """The descent direction at ``theta`` (subclasses)."""
        raise NotImplementedError

    def act(self, obs: Obs) -> Actions:
        """Sample each player's action from ``action_probs(θ)``."""
        probs = self.game.current_action_probs()
        cumulative = np.cumsum(probs, axis=1)
        draws = self.rng.random(probs.shape[0])
        actions = (cumulative < draws[:, None] * cumulative[:, -1:]).sum(axis=1)
        return np.minimum(actions, probs.shape[1] - 1).astype(np.int64)

    def policy(self, obs: Obs) -> Probs:
        """``action_probs(θ)`` (the same for every observation)."""
        result: Probs = self.game.current_action_probs()
        return result

    def update(self, transition: Transition) -> dict[str, float]:
        """One step ``θ ← θ − lr · direction`` on the (shaped) losses."""
        torch = require_torch("learner.id", self.learner_id)
        shaping = transition.loss_shaping
        base = transition.population_rewards
        if shaping is None and base is not None:
            if not np.allclose(transition.rewards, base[self.context.agents], atol=1e-9):
                raise ConfigError(
                    "mechanism.id",
                    "a mechanism without shape_losses",
                    "on a differentiable game a mechanism that changes rewards must offer a "
                    "differentiable shape_losses (none, team_reward, svo, inequity_aversion, "
                    "action_tax)",
                )
        theta = self.game.theta
        game = self.game
        derivatives = GameDerivatives(
            ShapedLosses(game, shaping), game.player_of, theta, game.roles, game.copies
        )
        direction, stats = self.direction(derivatives)
        direction = direction.detach()
        self.game.set_theta(theta - self.params.lr * direction.numpy())
        stats["direction_norm"] = float(torch.linalg.vector_norm(direction))
        return {name: float(value) for name, value in stats.items()}


@register(
    "learner",
    "simul_ind",
    params=GradientParams,
    requires={Capability.DIFFERENTIABLE},
    description="Simultaneous gradient play: each player descends its own loss (ξ)",
)
class SimulInd(GradientPlay):
    """``simul_ind``: ``ξ``."""

    learner_id = "simul_ind"

    def direction(self, derivatives: GameDerivatives) -> tuple[Any, dict[str, float]]:
        """``ξ``."""
        return individual_direction(derivatives)


@register(
    "learner",
    "simul_co",
    params=GradientParams,
    requires={Capability.DIFFERENTIABLE},
    description="Collective gradient play: every player descends Σ_i ℓ_i (ξ_c)",
)
class SimulCo(GradientPlay):
    """``simul_co``: ``ξ_c``."""

    learner_id = "simul_co"

    def direction(self, derivatives: GameDerivatives) -> tuple[Any, dict[str, float]]:
        """``ξ_c``."""
        return collective_direction(derivatives)


@register(
    "learner",
    "cga",
    params=AdjustedParams,
    requires={Capability.DIFFERENTIABLE},
    description="Consensus optimisation ξ + λHᵀξ (Mescheder et al. 2017)",
)
class Consensus(GradientPlay):
    """``cga``: ``ξ + λHᵀξ``."""

    learner_id = "cga"

    def direction(self, derivatives: GameDerivatives) -> tuple[Any, dict[str, float]]:
        """``ξ + λHᵀξ``."""
        return consensus_direction(derivatives, self.params.lam)


@register(
    "learner",
    "lola",
    params=AdjustedParams,
    requires={Capability.DIFFERENTIABLE},
    description="First-order LOLA ξ − λ(H_oξ + χ) (Foerster et al. 2018)",
)
class Lola(GradientPlay):
    """``lola``: ``ξ − λ(H_oξ + χ)``."""

    learner_id = "lola"

    def direction(self, derivatives: GameDerivatives) -> tuple[Any, dict[str, float]]:
        """``ξ − λ(H_oξ + χ)``."""
        return lola_direction(derivatives, self.params.lam)


@register(
    "learner",
    "aga",
    params=AdjustedParams,
    requires={Capability.DIFFERENTIABLE},
    description="Altruistic gradient adjustment ξ_c + λ(ξ + H_cᵀξ_c) with its sign rule",
)
class AltruisticGradient(GradientPlay):
    """``aga``: ``ξ_c + λ(ξ + H_cᵀξ_c)``."""

    learner_id = "aga"

    def direction(self, derivatives: GameDerivatives) -> tuple[Any, dict[str, float]]:
        """``ξ_c + λ(ξ + H_cᵀξ_c)``, sign of ``λ`` by the AgA rule."""
        return aga_direction(derivatives, self.params.lam)


@register(
    "learner",
    "sga",
    params=SGAParams,
    description="Symplectic gradient adjustment ξ + λAᵀξ with sign alignment",
    requires={Capability.DIFFERENTIABLE},
)
class SymplecticGradient(GradientPlay):
    """SGA (Balduzzi et al. 2018) with the alignment rule."""

    learner_id = "sga"

    def direction(self, derivatives: GameDerivatives) -> tuple[Any, dict[str, float]]:
        """``ξ + λAᵀξ`` (sign aligned unless ``align_eps`` is ``None``)."""
        eps = self.params.align_eps
        return sga_direction(derivatives, self.params.lam, align=eps is not None, eps=eps or 0.0)
