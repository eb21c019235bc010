"""``lio_torch``: Learning to Incentivize Others with a sampled meta-gradient in torch.

Yang, Li, Farajtabar, Sunehag, Hughes & Zha (2020), "Learning to Incentivize Other Learning
Agents", NeurIPS, Algorithm 1, for tabular-logit policies ``π_i = softmax(θ_i[o])`` and
incentive functions ``r_{j→i} = r_max · σ(η_j[o_i, a_i])`` held as torch tensors (the
recipient's observation and action, as in ``lio``). Works on any game with discrete
observations; needs the ``torch`` extra (imported when the learner is built).

Per segment (an episode, or ``horizon`` steps), with ``τ`` the previous segment (played by
``θ``) and ``τ̂`` the segment just played (by ``θ̂``, the policies updated on ``τ``):

1. **Differentiable recipients' step.** ``θ̂(η) = θ + β ∇_θ Σ_{t,i} log π_i(a^i_t|o^i_t)
   (Ĝ^i_t(η) − b^i_t)`` on ``τ``, with ``Ĝ`` the discounted returns of env reward plus the
   incentives received — built with ``torch.autograd.grad(create_graph=True)``. Each giver
   ``j`` gets its own copy of the step in which only its own ``η_j`` is live (the others'
   payments are constants), so its meta-gradient is exactly ``∂J_j/∂η_j``.
2. **Giver's meta-gradient.** ``η_j ← η_j + lr_incentive · ∇_{η_j} [Σ_{u, i≠j} Â^j_u
   log π̂_i(â^i_u|ô^i_u) − cost · Σ_{t, i≠j} r_{j→i,t}]`` — the score-function estimate of
   giver ``j``'s *environment* return on ``τ̂`` through ``θ̂(η)``, minus the cost of what it
   paid on ``τ``. Advantages use running-mean baselines per state (``baseline_rate``).
3. **Policy step** on ``τ̂`` (env reward + received incentives), which becomes ``τ``.

Incentives are transfers inside the group (recorded as in ``lio``: ``incentive_given``,
``incentive_received_max``, ``segment_return``). The meta-gradient equals the numpy formula
:func:`~.lio_gradients.incentive_gradient` (tested). Parameters as ``lio`` (without the
``gradient`` choice).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from incentive_lab.core.differentiable import require_torch
from incentive_lab.core.learner import Learner, LearnerContext, Transition
from incentive_lab.core.registry import register
from incentive_lab.core.types import Actions, FloatArray, IntArray, Obs, Probs
from incentive_lab.learners.exploration import sample, softmax
from incentive_lab.learners.lio.lio import LioParams
from incentive_lab.learners.lio.lio_gradients import returns_to_go
from incentive_lab.learners.tables import discrete_states, rows, states


class LioTorchParams(LioParams):
    """Parameters of ``lio_torch`` (those of ``lio``; ``gradient`` is always sampled)."""

    gradient: Literal["sampled"] = "sampled"  # type: ignore[assignment]
    """Always ``sampled``: the meta-gradient is taken by autograd on a sampled segment."""


@dataclass(frozen=True)
class Played:
    """One segment: observations, actions, env rewards ``[T, m]``, the θ that played it."""

    s: IntArray
    a: IntArray
    env: FloatArray
    theta: Any


@register(
    "learner",
    "lio_torch",
    params=LioTorchParams,
    description="LIO with the giver's meta-gradient by torch autograd (sampled, tabular logits)",
    tabular=True,
    stochastic=True,
    has_policy=True,
)
class LioTorch(Learner[LioTorchParams]):
    """A group of LIO agents whose incentive step is a torch meta-gradient."""

    learner_id = "lio_torch"

    def __init__(
        self, params: LioTorchParams, context: LearnerContext, rng: np.random.Generator
    ) -> None:
        super().__init__(params, context, rng)
        torch = require_torch("learner", self.learner_id)
        self.n_states = discrete_states(context, self.learner_id)
        shape = (context.n_agents, self.n_states, context.n_actions)
        self.theta = torch.zeros(shape, dtype=torch.float64)
        self.eta = torch.full(shape, params.incentive_init, dtype=torch.float64)
        self.baseline = np.zeros(shape[:2])
        self.env_baseline = np.zeros(shape[:2])
        self._buffer: list[tuple[IntArray, Actions, FloatArray]] = []
        self._previous: Played | None = None

    def policy(self, obs: Obs) -> Probs:
        """``float64[m, A]``: ``softmax(θ[s])`` per agent."""
        return softmax(rows(self.theta.numpy(), obs))

    def act(self, obs: Obs) -> Actions:
        """``int64[m]``: sample from ``(1 − ε)·π + ε/A``."""
        eps = self.params.epsilon
        return sample((1.0 - eps) * self.policy(obs) + eps / self.context.n_actions, self.rng)

    def incentives(self, obs: Obs, actions: Actions) -> FloatArray:
        """``[m, m]``: what each member (row) pays each other member (column) for this step."""
        s, a = states(obs), np.asarray(actions, dtype=np.int64)
        eta = self.eta.numpy()[:, s, a]
        amounts: FloatArray = self.params.r_max * 0.5 * (1.0 + np.tanh(0.5 * eta))
        np.fill_diagonal(amounts, 0.0)
        return amounts

    def update(self, transition: Transition) -> dict[str, float]:
        """Pay this step's incentives; learn at the end of a segment."""
        s = states(transition.obs)
        a = np.asarray(transition.actions, dtype=np.int64)
        paid = self.incentives(s, a)
        self._buffer.append((s, a, np.asarray(transition.rewards, dtype=np.float64)))
        stats = {
            "incentive_given": float(paid.sum()),
            "incentive_received_max": float(paid.sum(axis=0).max()),
        }
        if (
            transition.terminated
            or transition.truncated
            or len(self._buffer) >= self.params.horizon
        ):
            stats["segment_return"] = self._learn()
        return stats

    def _paid(self, eta: Any, s: IntArray, a: IntArray) -> Any:
        """``[j, T, i]`` torch: ``r_max σ(η_j[s^i_t, a^i_t])``, zero when ``i = j``."""
        torch = require_torch("learner", self.learner_id)
        m = self.n_agents
        amounts = self.params.r_max * torch.sigmoid(eta[:, torch.as_tensor(s), torch.as_tensor(a)])
        return amounts * (1.0 - torch.eye(m, dtype=amounts.dtype))[:, None, :]

    def _step(self, theta: Any, s: IntArray, a: IntArray, returns: Any, create_graph: bool) -> Any:
        """``θ + β ∇_θ Σ log π(a|s)·returns`` (``returns`` ``[..., T, m]``)."""
        torch = require_torch("learner", self.learner_id)
        logp = torch.log_softmax(theta, dim=-1)
        agents = torch.arange(self.n_agents)
        chosen = logp[..., agents, torch.as_tensor(s), torch.as_tensor(a)]  # [..., T, m]
        (grad,) = torch.autograd.grad((chosen * returns).sum(), theta, create_graph=create_graph)
        return theta + self.params.lr * grad

    def _discounted(self, rewards: Any) -> Any:
        """Torch ``[..., T, m]`` returns-to-go with discount ``gamma`` (differentiable)."""
        torch = require_torch("learner", self.learner_id)
        n_steps = rewards.shape[-2]
        lag = torch.arange(n_steps)[None, :] - torch.arange(n_steps)[:, None]  # [t, t']
        decay = torch.where(lag >= 0, self.params.gamma ** lag.clamp(min=0).double(), 0.0)
        return torch.einsum("tp,...pm->...tm", decay, rewards)

    def _learn(self) -> float:
        torch = require_torch("learner", self.learner_id)
        p, m = self.params, self.n_agents
        s = np.stack([step[0] for step in self._buffer])
        a = np.stack([step[1] for step in self._buffer])
        env = np.stack([step[2] for step in self._buffer])
        self._buffer = []
        agents = np.broadcast_to(np.arange(m), s.shape)
        env_adv = returns_to_go(env, p.gamma) - self.env_baseline[agents, s]
        if self._previous is not None:
            self._meta_step(self._previous, s, a, env_adv)
        # 3. policy step on τ̂ with env reward + received incentives (no graph)
        with torch.no_grad():
            received = self._paid(self.eta, s, a).sum(dim=0).numpy()
        advantage = returns_to_go(env + received, p.gamma) - self.baseline[agents, s]
        theta = self.theta.clone().requires_grad_(True)
        new = self._step(theta, s, a, torch.as_tensor(advantage), create_graph=False).detach()
        self._previous = Played(s=s, a=a, env=env, theta=self.theta)
        self.theta = new
        np.add.at(self.baseline, (agents, s), p.baseline_rate * advantage / s.shape[0])
        np.add.at(self.env_baseline, (agents, s), p.baseline_rate * env_adv / s.shape[0])
        return float(env.sum(axis=0).mean())

    def _meta_step(self, prev: Played, s: IntArray, a: IntArray, env_adv: FloatArray) -> None:
        """Steps 1–2: ascend each giver's return on ``τ̂`` through ``θ̂(η)`` minus its cost."""
        torch = require_torch("learner", self.learner_id)
        p, m = self.params, self.n_agents
        eta = self.eta.clone().requires_grad_(True)
        paid = self._paid(eta, prev.s, prev.a)  # [j, T, i]
        total = paid.sum(dim=0)
        live = paid + (total - paid).detach()[None]  # giver j's copy: only η_j is live
        prev_agents = np.broadcast_to(np.arange(m), prev.s.shape)
        env_prev = torch.as_tensor(prev.env)
        baseline = torch.as_tensor(self.baseline[prev_agents, prev.s])
        returns = self._discounted(env_prev[None] + live) - baseline[None]  # [j, T, i]
        theta = prev.theta.detach()[None].repeat(m, 1, 1, 1).requires_grad_(True)
        theta_hat = self._step(theta, prev.s, prev.a, returns, create_graph=True)  # [j, i, S, A]
        logp = torch.log_softmax(theta_hat, dim=-1)
        idx = torch.arange(m)
        chosen = logp[:, idx, torch.as_tensor(s), torch.as_tensor(a)]  # [j, U, i]
        others = 1.0 - torch.eye(m, dtype=chosen.dtype)  # [j, i]
        adv = torch.as_tensor(env_adv).T[:, :, None]  # [j, U, 1]
        objective = (adv * chosen * others[:, None, :]).sum() - p.cost * paid.sum()
        (grad,) = torch.autograd.grad(objective, eta)
        self.eta = (self.eta + p.lr_incentive * grad).detach()
