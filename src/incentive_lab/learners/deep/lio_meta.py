"""LIO's meta-gradient for network policies and incentive functions (torch, functional).

The functional core of ``lio_deep`` (:mod:`.lio`), after Yang, Li, Farajtabar, Sunehag,
Hughes & Zha (2020), "Learning to Incentivize Other Learning Agents", NeurIPS, Algorithm 1.

Copies (:class:`CopyLayout`)
    The group's ``m`` rows are agents of equal-sized copies of ``k`` players (the game's
    ``copies``; no copies, or every agent alone in its own copy as in a game that couples
    nobody: the whole group is one copy, as in tabular ``lio``). ``player[i]`` is row ``i``'s rank
    in its copy, ``members[c, q]`` the row of player ``q`` of copy ``c``. Agents pay only
    members of their own copy.

Incentive function
    Giver ``j`` sees its observation ``o_j`` and the one-hot actions of the other ``k − 1``
    players of its copy (in player order) and outputs ``k`` logits ``z_j``; it pays player
    ``q ≠ player[j]`` of its copy ``r_{j→q} = r_max · σ(z_j[q])`` (its own entry is masked).
    :func:`received` sums what each row receives.

Recipients' step (:func:`policy_step`), differentiable with ``create_graph``::

    θ̂ = θ + β ∇_θ [ Σ_{t,i} log π_i(a^i_t | o^i_t) · (G^i_t − b^i_t) + c_H Σ_{t,i} H(π_i(·|o^i_t)) ]

with ``G`` the discounted returns of env reward plus incentives received on the segment
``τ`` the policies ``θ`` played (plain gradient ascent, as the reference implementation's
``GradientDescentOptimizer(lr_actor)``).

Giver's meta-gradient (:func:`incentive_gradient`)
    Giver ``j`` ascends ``Σ_{u, i≠j in copy} Â^j_u log π̂_i(â^i_u | ô^i_u) − cost · Σ_{t,q}
    r_{j→q,t}`` — the score-function estimate of its own *env* return on the segment ``τ̂``
    played by the updated policies ``θ̂(η)``, minus the cost of what it paid on ``τ``.
    Only ``η_j`` may move giver ``j``'s term: pass ``d = 1 … k−1`` builds ``θ̂`` with only
    the payment of giver ``(player[i] + d) mod k`` to each recipient ``i`` live (the other
    payments are constants of the same value), so summing the passes gives every giver
    exactly ``∂J_j/∂η_j`` (for ``k = 2`` one pass). On a one-state game with one-hot inputs
    and linear layers without bias this is the tabular formula
    ``learners.lio.lio_gradients.incentive_gradient`` (tested).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from incentive_lab.core.errors import ConfigError
from incentive_lab.core.types import IntArray
from incentive_lab.learners.deep.encoders import player_index


@dataclass(frozen=True)
class CopyLayout:
    """Rows ``[m]`` as copies of ``k`` players: ``player[m]``, ``copy[m]``, ``members[C, k]``."""

    player: IntArray
    copy: IntArray
    members: IntArray

    @property
    def k(self) -> int:
        """Players per copy."""
        return int(self.members.shape[1])

    def others(self) -> IntArray:
        """``[m, k − 1]``: the rows of the other players of each row's copy, in player order."""
        k = self.k
        offsets = np.array([[q for q in range(k) if q != p] for p in range(k)], dtype=np.int64)
        out: IntArray = self.members[self.copy[:, None], offsets[self.player]]
        return out

    def giver(self, d: int) -> IntArray:
        """``[m]``: the row of player ``(player[i] + d) mod k`` of row ``i``'s copy."""
        out: IntArray = self.members[self.copy, (self.player + d) % self.k]
        return out


def copy_layout(copies: IntArray | None, agents: IntArray, field: str, value: Any) -> CopyLayout:
    """The :class:`CopyLayout` of a group (``ConfigError`` unless copies are equal, ``k ≥ 2``)."""
    m = int(agents.shape[0])
    if copies is not None and np.unique(np.asarray(copies)[agents]).shape[0] == m:
        copies = None  # every agent alone in its copy: no structure, one copy (as ``lio``)
    if copies is None:
        player, k = np.arange(m, dtype=np.int64), m
        copy = np.zeros(m, dtype=np.int64)
    else:
        player, k = player_index(copies, agents)
        _, copy = np.unique(np.asarray(copies)[agents], return_inverse=True)
        copy = copy.astype(np.int64)
    counts = np.bincount(copy)
    if k < 2 or np.any(counts != k):
        raise ConfigError(
            field, value, "a group with at least 2 agents in every copy, all copies equal-sized"
        )
    members = np.empty((counts.shape[0], k), dtype=np.int64)
    members[copy, player] = np.arange(m)
    return CopyLayout(player=player, copy=copy, members=members)


def actions_of_others(layout: CopyLayout, actions: Any, n_actions: int) -> np.ndarray[Any, Any]:
    """``float32[..., m, (k − 1)·A]``: one-hot actions of each row's co-players (``[..., m]``)."""
    actions = np.asarray(actions, dtype=np.int64)
    other = actions[..., layout.others()]  # [..., m, k-1]
    onehot = np.eye(n_actions, dtype=np.float32)[other]
    return onehot.reshape(*other.shape[:-1], -1)


def amounts(logits: Any, layout: CopyLayout, r_max: float) -> Any:
    """``[..., m, k]``: ``r_max·σ(z)`` with each giver's own entry zeroed."""
    import torch

    own = torch.zeros(logits.shape[-2:], dtype=logits.dtype, device=logits.device)
    own[torch.arange(own.shape[0]), torch.as_tensor(layout.player)] = 1.0
    return r_max * torch.sigmoid(logits) * (1.0 - own)


def received(paid: Any, layout: CopyLayout, giver: IntArray | None = None) -> Any:
    """``[..., m]``: what each row receives from ``paid [..., m, k]`` (one ``giver`` if given)."""
    import torch

    player = torch.as_tensor(layout.player, device=paid.device)
    if giver is not None:
        return paid[..., torch.as_tensor(giver, device=paid.device), player]
    rows = torch.as_tensor(layout.members[layout.copy], device=paid.device)  # [m, k]
    return paid[..., rows, player[:, None]].sum(dim=-1)


def discounted(rewards: Any, gamma: float) -> Any:
    """``[T, m]`` returns-to-go ``G_t = Σ_{t'≥t} γ^{t'−t} r_{t'}`` (differentiable)."""
    import torch

    steps = rewards.shape[0]
    lag = torch.arange(steps)[None, :] - torch.arange(steps)[:, None]
    decay = torch.where(
        lag >= 0, gamma ** lag.clamp(min=0).to(rewards.dtype), torch.zeros((), dtype=rewards.dtype)
    )
    return decay @ rewards


def log_probs(net: Any, params: dict[str, Any], x: Any, actions: Any) -> tuple[Any, Any]:
    """``(log π(a|o) [G, R], entropy [G, R])`` of the policy ``net`` with ``params``."""
    import torch
    from torch.func import functional_call

    logits, _ = functional_call(net, params, (x,))
    logp = torch.log_softmax(logits, dim=-1)
    chosen = logp.gather(-1, actions[..., None])[..., 0]
    return chosen, -(logp.exp() * logp).sum(dim=-1)


def policy_step(
    net: Any,
    params: dict[str, Any],
    x: Any,
    actions: Any,
    advantages: Any,
    lr: float,
    ent_coef: float,
    create_graph: bool,
) -> dict[str, Any]:
    """``θ̂``: one gradient-ascent step of REINFORCE + entropy (module docstring).

    ``x``, ``actions``, ``advantages``: ``[G, R, ...]`` in the networks' layout. Parameters
    that do not require a gradient are kept as they are.
    """
    import torch

    chosen, entropy = log_probs(net, params, x, actions)
    objective = (chosen * advantages).sum() + ent_coef * entropy.sum()
    live = [name for name, p in params.items() if p.requires_grad]
    grads = torch.autograd.grad(
        objective, [params[n] for n in live], create_graph=create_graph, allow_unused=True
    )
    new = dict(params)
    for name, grad in zip(live, grads, strict=True):
        if grad is not None:
            new[name] = params[name] + lr * grad
    return new


@dataclass(frozen=True)
class MetaInputs:
    """Everything the giver's step needs, tensors in the networks' ``[G, R, ...]`` layout.

    ``x``, ``ids``, ``actions``, ``env``, ``baseline``: the segment ``τ`` (``env`` and
    ``baseline`` are ``[T, m]``; ``ids`` the one-hot co-player actions ``[G, R, (k−1)A]``);
    ``theta``: the policy parameters that played ``τ``; ``x_new``, ``actions_new``,
    ``advantages_new`` (``[U, m]``, each row's env advantage): the segment ``τ̂``.
    """

    x: Any
    ids: Any
    actions: Any
    env: Any
    baseline: Any
    theta: dict[str, Any]
    x_new: Any
    actions_new: Any
    advantages_new: Any


def incentive_gradient(
    policy: Any,
    incentive: Any,
    eta: dict[str, Any],
    data: MetaInputs,
    layout: CopyLayout,
    lay: Any,
    unlay: Any,
    *,
    r_max: float,
    lr: float,
    ent_coef: float,
    gamma: float,
    cost: float,
) -> list[Any]:
    """``∂/∂η`` of every giver's objective (ascent direction, one tensor per ``eta`` entry).

    ``lay`` maps ``[T, m]`` to the ``[G, R]`` layout, ``unlay`` maps ``[G, R, k]`` back to
    ``[T, m, k]``.
    """
    import torch
    from torch.func import functional_call

    eta = {name: p.detach().clone().requires_grad_(True) for name, p in eta.items()}
    logits, _ = functional_call(incentive, eta, (data.x, data.ids))
    paid = amounts(unlay(logits), layout, r_max)  # [T, m, k]
    total = received(paid, layout)
    objective = -cost * paid.sum()
    for d in range(1, layout.k):
        giver = layout.giver(d)
        live = received(paid, layout, giver)
        income = live + (total - live).detach()
        advantages = discounted(data.env + income, gamma) - data.baseline
        theta = {n: p.detach().requires_grad_(p.requires_grad) for n, p in data.theta.items()}
        theta_hat = policy_step(
            policy, theta, data.x, data.actions, lay(advantages), lr, ent_coef, True
        )
        chosen, _ = log_probs(policy, theta_hat, data.x_new, data.actions_new)
        weights = lay(data.advantages_new[:, torch.as_tensor(giver)])
        objective = objective + (weights * chosen).sum()
    return list(torch.autograd.grad(objective, list(eta.values()), allow_unused=False))
