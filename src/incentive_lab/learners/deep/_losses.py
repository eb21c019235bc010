"""The formulas of ``ppo`` and ``dqn``, as pure functions (hand-checked in the tests).

GAE (Schulman et al. 2016), over a rollout of ``T`` steps of ``m`` agents::

    δ_t = r_t + γ·V̂_{t+1} − V(s_t)
    A_t = δ_t + γλ·(1 − end_t)·A_{t+1},      A_T = 0,      R_t = A_t + V(s_t)

``V̂_{t+1}`` (``next_values``) is the value of the state that follows step ``t``: ``V(s_{t+1})``
inside an episode, ``V`` of the final observation when the episode was *truncated* (a time
limit is not a terminal state), 0 when it was *terminated*; ``end_t`` (either) cuts the trace.

PPO's clipped surrogate (Schulman et al. 2017, eq. 7), value loss and entropy bonus::

    ρ      = exp(log π(a|s) − log π_old(a|s))
    L_clip = −mean( min(ρ·Â, clip(ρ, 1 − ε, 1 + ε)·Â) )
    L_V    = ½·mean( max((V − R)², (V_old + clip(V − V_old, −ε_V, ε_V) − R)²) )   (clipped)
           = ½·mean( (V − R)² )                                                 (unclipped)
    L      = L_clip + c_V·L_V − c_H·mean(H(π(·|s)))

``Â`` is the advantage, normalised per minibatch to mean 0 and (Bessel-corrected) standard
deviation 1 when asked (Huang et al. 2022, detail 7). Value clipping with ``ε_V = ε`` is the
baselines' choice (Huang et al. 2022, detail 9). Every mean is taken over the rows of a
parameter group and the group losses are summed, so with separate networks each agent's
gradient is its own (:func:`grouped_mean`).

DQN targets (Mnih et al. 2015; double DQN: van Hasselt, Guez & Silver 2016)::

    y = r + γ·(1 − terminated)·max_a Q'(s', a)                   (plain)
    y = r + γ·(1 − terminated)·Q'(s', argmax_a Q(s', a))         (double)

with ``Q'`` the target network and ``Q`` the online network; the loss is the Huber loss
(``δ = 1``) of ``Q(s, a) − y`` (Mnih et al.'s error clipping).

Gradient clipping (Huang et al. 2022, detail 11): the gradient of each parameter group is
rescaled to norm at most ``max_norm`` (:func:`clip_grouped`); with shared parameters this is
the usual global-norm clipping.

References: Schulman, Moritz, Levine, Jordan & Abbeel (2016), *High-dimensional continuous
control using generalized advantage estimation*, ICLR; Schulman, Wolski, Dhariwal, Radford &
Klimov (2017), *Proximal policy optimization algorithms*, arXiv:1707.06347; Mnih et al.
(2015), *Human-level control through deep reinforcement learning*, Nature 518; van Hasselt,
Guez & Silver (2016), *Deep reinforcement learning with double Q-learning*, AAAI.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from incentive_lab.core.types import FloatArray


def gae(
    rewards: FloatArray,
    values: FloatArray,
    next_values: FloatArray,
    ends: Any,
    gamma: float,
    lam: float,
) -> tuple[FloatArray, FloatArray]:
    """``(advantages, returns)``, both ``[T, m]`` (module docstring); ``ends``: ``[T(, m)]``."""
    rewards = np.asarray(rewards, dtype=np.float64)
    steps = rewards.shape[0]
    cont = 1.0 - np.asarray(ends, dtype=np.float64)
    if cont.ndim == 1:
        cont = cont[:, None]
    cont = np.broadcast_to(cont, rewards.shape)
    delta = rewards + gamma * np.asarray(next_values) - np.asarray(values)
    advantages = np.zeros_like(rewards)
    running = np.zeros(rewards.shape[1:])
    for t in range(steps - 1, -1, -1):
        running = delta[t] + gamma * lam * cont[t] * running
        advantages[t] = running
    return advantages, advantages + values


def grouped_mean(x: Any) -> Any:
    """``Σ_g mean_r x[g, r]`` of a ``[G, R]`` tensor."""
    return x.mean(dim=1).sum()


def normalise(advantages: Any) -> Any:
    """Advantages ``[G, R]`` normalised per group: ``(A − mean)/(std + 1e-8)``."""
    if advantages.shape[1] < 2:
        return advantages - advantages.mean(dim=1, keepdim=True)
    mean = advantages.mean(dim=1, keepdim=True)
    return (advantages - mean) / (advantages.std(dim=1, keepdim=True) + 1e-8)


def ppo_loss(
    logp: Any,
    old_logp: Any,
    advantages: Any,
    entropy: Any,
    values: Any,
    old_values: Any,
    returns: Any,
    *,
    clip: float,
    vf_coef: float,
    ent_coef: float,
    clip_value: bool,
) -> tuple[Any, dict[str, Any]]:
    """``(L, parts)``: PPO's loss on ``[G, R]`` tensors (module docstring)."""
    torch = _torch()
    ratio = torch.exp(logp - old_logp)
    surrogate = torch.minimum(ratio * advantages, ratio.clamp(1.0 - clip, 1.0 + clip) * advantages)
    policy_loss = -grouped_mean(surrogate)
    error = (values - returns) ** 2
    if clip_value:
        clipped = old_values + (values - old_values).clamp(-clip, clip)
        error = torch.maximum(error, (clipped - returns) ** 2)
    value_loss = 0.5 * grouped_mean(error)
    entropy_mean = grouped_mean(entropy)
    loss = policy_loss + vf_coef * value_loss - ent_coef * entropy_mean
    with torch.no_grad():
        parts = {
            "policy_loss": policy_loss.detach(),
            "value_loss": value_loss.detach(),
            "entropy": entropy_mean.detach(),
            "approx_kl": ((ratio - 1.0) - (logp - old_logp)).mean(),
            "clip_fraction": ((ratio - 1.0).abs() > clip).float().mean(),
        }
    return loss, parts


def dqn_targets(
    rewards: Any,
    terminated: Any,
    gamma: float,
    q_next_target: Any,
    q_next_online: Any | None = None,
) -> Any:
    """``y`` (module docstring); ``q_next_*``: ``[..., A]``; double DQN when online is given."""
    if q_next_online is None:
        bootstrap = q_next_target.max(dim=-1).values
    else:
        best = q_next_online.argmax(dim=-1, keepdim=True)
        bootstrap = q_next_target.gather(-1, best)[..., 0]
    return rewards + gamma * (1.0 - terminated) * bootstrap


def clip_grouped(parameters: list[Any], groups: int, max_norm: float) -> float:
    """Rescale each group's gradient to norm ≤ ``max_norm``; return the largest norm before."""
    torch = _torch()
    grads = [p.grad.reshape(groups, -1) for p in parameters if p.grad is not None]
    if not grads:
        return 0.0
    norms = torch.sqrt(sum((g**2).sum(dim=1) for g in grads))
    scale = (max_norm / (norms + 1e-6)).clamp(max=1.0)
    for p in parameters:
        if p.grad is not None:
            p.grad.view(groups, -1).mul_(scale[:, None])
    return float(norms.max())


def _torch() -> Any:
    import torch

    return torch
