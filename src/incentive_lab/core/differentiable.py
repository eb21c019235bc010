"""The ``DifferentiableGame`` protocol: players own parameter vectors, losses are torch functions.

A differentiable game (Balduzzi et al. 2018) has ``n`` players; player ``i`` owns the
parameters ``θ_i ∈ R^{d_i}`` and minimises ``ℓ_i(θ)``, a differentiable function of *all*
players' parameters. The library stores the joint parameters as one flat vector
``θ ∈ R^D`` (``D = Σ d_i``; ``player_of[k]`` is the player owning entry ``k``), because the
gradient-based optimisers of ``learners.gradient_play`` (simultaneous gradient, collective
gradient, consensus, SGA, LOLA, AgA) all act on the joint vector.

Protocol (what a game offers through its ``differentiable`` attribute)
    ``n_players`` (per copy), ``n_actions``, ``dims`` (parameters per agent),
    ``player_of`` (``int64[D]``: the agent owning each parameter), ``copies`` and ``roles``
    (``int64[n]``: independent copies of the ``N``-player game played at once, and each
    agent's player position in its copy, as in ``games.matrix``), ``theta`` (the current
    joint parameters, ``float64[D]``, a copy),
    ``set_theta(theta)`` (replace them; non-finite values raise :class:`ConfigError`),
    ``losses(theta) -> Tensor[n]`` (pure torch function of a flat ``float64[D]`` tensor,
    composable with ``torch.func`` transforms), ``action_probs(theta) -> Tensor[n, A]``
    (each player's distribution over the discrete actions of the ``Game`` contract, also
    differentiable).

Mechanisms on differentiable games (:class:`LossShaping`)
    A stateless reward-shaping mechanism may offer ``shape_losses(losses, probs, copies)``:
    the same formula as its ``adjust``, written on torch tensors (base losses ``[n]`` =
    minus base rewards, action probabilities ``[n, A]``) so that gradients flow through the
    shaping. The rollout hands it to the learners as ``Transition.loss_shaping``. Helpers
    below give the copy structure as dense matrices (games of this kind have few players),
    so mechanisms need no torch import: ``matrix @ losses`` with ``losses.new_tensor(matrix)``.

torch is an optional extra: nothing here imports it at module level; :func:`require_torch`
imports it on demand and turns its absence into a :class:`ConfigError`.
"""

from __future__ import annotations

import importlib
from typing import Any, Protocol, runtime_checkable

import numpy as np

from incentive_lab.core.errors import ConfigError
from incentive_lab.core.extras import install_hint
from incentive_lab.core.types import FloatArray, IntArray

TORCH_HINT = f"the torch extra: {install_hint('torch')}"
"""What to install when torch is missing."""


def require_torch(field: str, value: Any) -> Any:
    """Import and return ``torch``; if it is missing raise ``ConfigError(field, value, ...)``."""
    try:
        return importlib.import_module("torch")
    except ImportError:
        raise ConfigError(field, value, f"needs {TORCH_HINT}") from None


@runtime_checkable
class DifferentiableGame(Protocol):
    """A game whose players own parameter vectors and minimise torch losses (see module)."""

    n_players: int
    n_actions: int
    dims: tuple[int, ...]

    @property
    def player_of(self) -> IntArray:
        """``int64[D]``: the player owning each entry of the joint parameter vector."""

    @property
    def theta(self) -> FloatArray:
        """``float64[D]``: a copy of the current joint parameters."""

    @property
    def copies(self) -> IntArray:
        """``int64[n]``: the independent copy each agent belongs to."""

    @property
    def roles(self) -> IntArray:
        """``int64[n]``: the player position of each agent within its copy."""

    def set_theta(self, theta: FloatArray) -> None:
        """Replace the joint parameters (non-finite values raise ``ConfigError``)."""

    def losses(self, theta: Any) -> Any:
        """``Tensor[n]``: every player's loss at the flat ``float64[D]`` tensor ``theta``."""

    def action_probs(self, theta: Any) -> Any:
        """``Tensor[n, A]``: every player's distribution over the discrete actions."""


class LossShaping(Protocol):
    """A mechanism's reward shaping on torch losses (``Mechanism.shape_losses``)."""

    def __call__(self, losses: Any, probs: Any, copies: IntArray) -> Any:
        """Shaped losses ``Tensor[n]`` from base losses ``[n]`` and probabilities ``[n, A]``."""


def same_copy_matrix(copies: IntArray) -> FloatArray:
    """``float64[n, n]``: ``M[i, j] = 1`` iff agents ``i`` and ``j`` share a copy."""
    copies = np.asarray(copies)
    return (copies[:, None] == copies[None, :]).astype(np.float64)


def others_mean_matrix(copies: IntArray) -> FloatArray:
    """``float64[n, n]``: ``(M @ x)_i`` = mean of ``x_j`` over the others in ``i``'s copy.

    A row of an agent alone in its copy is zero.
    """
    others = same_copy_matrix(copies)
    np.fill_diagonal(others, 0.0)
    counts = others.sum(axis=1, keepdims=True)
    return np.divide(others, counts, out=np.zeros_like(others), where=counts > 0)


def copy_mean_matrix(copies: IntArray) -> FloatArray:
    """``float64[n, n]``: ``(M @ x)_i`` = mean of ``x`` over ``i``'s copy."""
    same = same_copy_matrix(copies)
    result: FloatArray = same / same.sum(axis=1, keepdims=True)
    return result
