"""Derivatives of a differentiable game by double backward: gradients and Hessian-vector products.

For losses ``ℓ(θ) ∈ R^n`` of a flat joint parameter vector ``θ ∈ R^D`` whose entry ``k``
belongs to player ``p(k)`` (Balduzzi et al. 2018, notation of Letcher et al. 2019):

* Jacobian of the losses ``∇L ∈ R^{n×D}``, row ``i`` = ``∇_θ ℓ_i`` (one reverse pass per
  player, with the graph kept for second-order products);
* simultaneous (individual) gradient ``ξ_k = ∂ℓ_{p(k)}/∂θ_k`` (the diagonal blocks of
  ``∇L``);
* collective gradient ``ξ_c = ∇_θ Σ_i ℓ_i = Σ_i ∇ℓ_i``;
* game Hessian ``H = ∇ξ`` (not symmetric), used only through products: ``Hᵀv = ∇⟨ξ, v⟩``
  (double backward) and ``Hv`` by the double-backward trick (``g(u) = Hᵀu`` is linear in a
  dummy ``u``, and ``∇_u⟨g(u), v⟩ = Hv``);
* collective Hessian ``H_c = ∇² Σ_i ℓ_i`` (symmetric, so ``H_cᵀv = H_cv = ∇⟨ξ_c, v⟩``).

Copies (``core.game``: independent games played at once) are handled exactly: player
``i``'s rows are summed over copies by *role* (``ℓ_r = Σ_copies ℓ_{c,r}``, whose gradient
restricted to copy ``c`` is ``∇ℓ_{c,r}`` because copies share no parameters), so a
batch of copies costs one reverse pass per role, not per agent; inner products that
rules take (sign rules) are per copy (:meth:`GameDerivatives.per_copy`).

No Hessian is ever formed: a product costs a small constant times a gradient. Block-wise
quantities (``H_oξ`` and LOLA's ``χ``) need one product per player. Everything is
``float64``; ``torch`` is imported on use (it is an optional extra).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from incentive_lab.core.differentiable import require_torch
from incentive_lab.core.types import FloatArray, IntArray

LossFn = Callable[[Any], Any]
"""A torch function ``θ: Tensor[D] -> Tensor[n]``."""


class GameDerivatives:
    """Gradients and Hessian-vector products of ``loss_fn`` at one point ``theta``.

    The autograd graph of ``ℓ(θ)`` and of the first derivatives is built once and reused
    by every product at that point.
    """

    def __init__(
        self,
        loss_fn: LossFn,
        player_of: IntArray,
        theta: FloatArray,
        roles: IntArray | None = None,
        copies: IntArray | None = None,
    ) -> None:
        self.torch = torch = require_torch("learner.id", "gradient play")
        owner = np.asarray(player_of, dtype=np.int64)
        n_agents = int(owner.max()) + 1 if owner.size else 0
        agents = np.arange(n_agents, dtype=np.int64)
        roles = agents if roles is None else np.asarray(roles, dtype=np.int64)
        copies = np.zeros(n_agents, np.int64) if copies is None else np.asarray(copies, np.int64)
        self.n_players = int(roles.max()) + 1 if roles.size else 0
        self.n_copies = int(copies.max()) + 1 if copies.size else 0
        param_role = roles[owner]
        self.masks = torch.from_numpy(
            (param_role[None, :] == np.arange(self.n_players)[:, None]).astype(np.float64)
        )
        """``[N, D]``: ``masks[r, k] = 1`` iff parameter ``k`` belongs to a role-``r`` player."""
        self.param_copy = torch.from_numpy(copies[owner].copy())
        self.roles = torch.from_numpy(roles.copy())
        self.theta = torch.tensor(np.asarray(theta, dtype=np.float64), requires_grad=True)
        self.agent_losses = loss_fn(self.theta)
        self.losses = torch.zeros(self.n_players, dtype=self.agent_losses.dtype).index_add(
            0, self.roles, self.agent_losses
        )
        """``Tensor[N]``: each role's loss summed over copies."""
        self._jacobian: Any = None

    def per_copy(self, values: Any) -> Any:
        """``Tensor[copies]``: ``values`` (``Tensor[D]``) summed over each copy's parameters."""
        return self.torch.zeros(self.n_copies, dtype=values.dtype).index_add(
            0, self.param_copy, values
        )

    def expand(self, per_copy: Any) -> Any:
        """``Tensor[D]``: a per-copy value at every parameter of the copy."""
        return per_copy[self.param_copy]

    def grad(self, output: Any, create_graph: bool = False) -> Any:
        """``∇_θ output`` of a scalar (zeros where ``output`` does not depend on ``θ``)."""
        if not output.requires_grad:
            return self.torch.zeros_like(self.theta)
        (result,) = self.torch.autograd.grad(
            output, self.theta, retain_graph=True, create_graph=create_graph, allow_unused=True
        )
        return self.torch.zeros_like(self.theta) if result is None else result

    # -- first order ----------------------------------------------------------------------
    def jacobian(self) -> Any:
        """``∇L``, ``Tensor[N, D]``, one row per role (differentiable: the graph is kept)."""
        if self._jacobian is None:
            rows = [self.grad(self.losses[i], create_graph=True) for i in range(self.n_players)]
            self._jacobian = self.torch.stack(rows)
        return self._jacobian

    def xi(self) -> Any:
        """The simultaneous gradient ``ξ``, ``Tensor[D]`` (differentiable)."""
        return (self.jacobian() * self.masks).sum(dim=0)

    def collective(self, create_graph: bool = True) -> Any:
        """The collective gradient ``ξ_c``, ``Tensor[D]`` (differentiable if asked)."""
        if self._jacobian is not None:
            return self._jacobian.sum(dim=0)
        return self.grad(self.agent_losses.sum(), create_graph=create_graph)

    # -- second order (products only) -------------------------------------------------------
    def collective_hvp(self, vector: Any) -> Any:
        """``H_c v = ∇⟨ξ_c, v⟩``."""
        return self.grad(self.collective() @ vector.detach())

    def game_hvp_transposed(self, vector: Any) -> Any:
        """``Hᵀv = ∇⟨ξ, v⟩``."""
        return self.grad(self.xi() @ vector.detach())

    def game_hvp(self, vector: Any) -> Any:
        """``Hv`` by the double-backward trick."""
        xi = self.xi()
        if not xi.requires_grad:
            return self.torch.zeros_like(self.theta)
        dummy = self.torch.zeros_like(self.theta, requires_grad=True)
        (pulled,) = self.torch.autograd.grad(
            xi, self.theta, grad_outputs=dummy, retain_graph=True, create_graph=True
        )
        (result,) = self.torch.autograd.grad(
            pulled @ vector.detach(), dummy, retain_graph=True, allow_unused=True
        )
        return self.torch.zeros_like(self.theta) if result is None else result

    def off_diagonal_hvp(self, vector: Any) -> Any:
        """``H_o v``: ``(H_o v)_i = Σ_{j≠i} H_ij v_j = [∇²ℓ_i · v_{−i}]_i``."""
        rows = self.jacobian()
        vector = vector.detach()
        out = self.torch.zeros_like(self.theta)
        for i in range(self.n_players):
            mask = self.masks[i]
            out = out + mask * self.grad(rows[i] @ (vector * (1.0 - mask)))
        return out

    def lola_chi(self) -> Any:
        """LOLA's ``χ_i = Σ_{j≠i} H_jiᵀ ∇_j ℓ_i = [∇⟨ξ, (∇ℓ_i)_{−i}⟩]_i``, ``Tensor[D]``."""
        rows = self.jacobian()
        xi = self.xi()
        out = self.torch.zeros_like(self.theta)
        for i in range(self.n_players):
            mask = self.masks[i]
            out = out + mask * self.grad(xi @ (rows[i].detach() * (1.0 - mask)))
        return out
