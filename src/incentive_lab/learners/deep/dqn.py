"""Deep Q-networks (``dqn``): independent DQN with replay, a target network and double DQN.

Every agent of the group acts ε-greedily on ``Q(o_i, ·)`` and learns from its own
transitions and its own *shaped* rewards (independent learners). With ``share: true`` (the
default) one Q-network serves the whole group (parameter sharing; ``agent_id`` adds the
player index); with ``share: false`` each agent has its own, trained on its own data only.
The encoders are those of ``ppo`` (``learners.deep.encoders``: CNN for ``[h, w, c]``
observations, MLP for flat ones); there is no recurrent option (a recurrent DQN needs
sequence replay, which this learner does not keep).

Each loop step stores the group's transition in the replay memory
(``learners.deep.buffers.Replay``; ``buffer_size`` agent transitions, i.e.
``buffer_size // m`` loop steps). Once ``learning_starts`` loop steps are stored, every
``train_every`` steps one Adam step on the Huber loss of ``Q(s, a) − y`` over a batch
(``learners.deep._losses.dqn_targets``):

* shared network: ``batch_size`` (step, agent) pairs drawn uniformly with replacement;
* separate networks: ``batch_size`` stored steps, each agent learning from its own rows.

``y = r + γ(1 − terminated)·max_a Q'(s', a)``, or with ``double: true``
``y = r + γ(1 − terminated)·Q'(s', argmax_a Q(s', a))`` (van Hasselt et al. 2016); a
truncated episode still bootstraps. The target network ``Q'`` moves every ``target_every``
loop steps by ``θ' ← τ·θ + (1 − τ)·θ'`` (``τ = 1``: Mnih et al.'s hard copy; ``τ < 1``:
Polyak averaging). Exploration ``ε`` falls linearly from ``epsilon_start`` to
``epsilon_end`` over ``exploration_steps`` loop steps; acting draws from the ε-greedy law
(ties among maxima share the greedy mass) with the learner's NumPy generator.

Defaults: ``lr = 2.5·10⁻⁴``, ``γ = 0.99``, ``batch_size = 32``, ``ε: 1 → 0.05``, Huber loss
(Mnih et al. 2015; Adam instead of RMSProp), target copies every 1,000 steps and gradients
clipped at norm 10 as in common reference implementations. Needs the ``torch`` extra.

References: Mnih et al. (2015), *Human-level control through deep reinforcement learning*,
Nature 518; van Hasselt, Guez & Silver (2016), *Deep reinforcement learning with double
Q-learning*, AAAI; Tan (1993), *Multi-agent reinforcement learning: independent vs.
cooperative agents*, ICML (independent learners).
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
from pydantic import Field

from incentive_lab.core.learner import LearnerContext, Transition
from incentive_lab.core.registry import register
from incentive_lab.core.types import Actions, Obs, Probs
from incentive_lab.learners.deep._losses import clip_grouped, dqn_targets, grouped_mean
from incentive_lab.learners.deep.base import DeepLearner, DeepParams
from incentive_lab.learners.deep.buffers import Replay, compact
from incentive_lab.learners.exploration import epsilon_greedy, sample
from incentive_lab.learners.neural.torch_nets import torch_module


class DQNParams(DeepParams):
    """Parameters of ``dqn``."""

    lr: float = Field(2.5e-4, gt=0.0, le=1.0, allow_inf_nan=False)
    """Adam step size of the Q-network."""
    gamma: float = Field(0.99, ge=0.0, le=1.0)
    """Discount ``γ`` of the target."""
    buffer_size: int = Field(100_000, ge=1, le=100_000_000)
    """Replay capacity in agent transitions (``buffer_size // m`` loop steps, at least 1)."""
    batch_size: int = Field(32, ge=1, le=1_000_000)
    """Transitions per gradient step (per agent with separate networks)."""
    learning_starts: int = Field(1000, ge=1, le=100_000_000)
    """Loop steps stored before the first gradient step."""
    train_every: int = Field(1, ge=1, le=100_000)
    """Loop steps between gradient steps."""
    target_every: int = Field(1000, ge=1, le=100_000_000)
    """Loop steps between target-network updates."""
    tau: float = Field(1.0, gt=0.0, le=1.0)
    """Target update ``θ' ← τθ + (1 − τ)θ'`` (1: hard copy)."""
    double: bool = False
    """Double DQN: the online network picks the next action, the target network values it."""
    epsilon_start: float = Field(1.0, ge=0.0, le=1.0)
    """Exploration rate at the first step."""
    epsilon_end: float = Field(0.05, ge=0.0, le=1.0)
    """Exploration rate after ``exploration_steps`` loop steps."""
    exploration_steps: int = Field(10_000, ge=1, le=100_000_000)
    """Loop steps over which ``ε`` falls linearly."""
    max_grad_norm: float | None = Field(10.0, gt=0.0, le=1e6)
    """Largest gradient norm (per agent with separate networks); ``None``: no clipping."""


@register(
    "learner",
    "dqn",
    params=DQNParams,
    description="Independent DQN: replay, target network, ε schedule, double DQN, CNN/MLP (torch)",
    stochastic=True,
    has_policy=True,
    requires_extra="torch",
)
class DQN(DeepLearner[DQNParams]):
    """A group of DQN agents (see the module docstring)."""

    learner_id = "dqn"
    fresh_actions = True

    def __init__(self, params: DQNParams, context: LearnerContext, rng: np.random.Generator):
        super().__init__(params, context, rng)
        self.setup(params, context, rng)
        torch = torch_module()
        ids = self.copy_size if params.agent_id else 0
        self.q = self.net(self.spec(self.prep.shape, context.n_actions, ids, 1.0, False))
        self.target = copy.deepcopy(self.q).requires_grad_(False)
        self.optimizer = torch.optim.Adam(self.q.parameters(), lr=params.lr)
        self.replay = Replay(max(1, params.buffer_size // max(self.m, 1)))
        self.steps = 0

    @property
    def epsilon(self) -> float:
        """The current exploration rate (linear schedule)."""
        p = self.params
        frac = min(1.0, self.steps / p.exploration_steps)
        return p.epsilon_start + frac * (p.epsilon_end - p.epsilon_start)

    def q_values(self, obs: Obs) -> np.ndarray[Any, Any]:
        """``float64[m, A]``: ``Q(o_i, ·)`` of the online network."""
        torch = torch_module()
        with torch.no_grad():
            x = self.rows(self.tensor(self.prep(obs, 1)))
            q, _ = self.q(x, None if self.ids is None else self.rows(self.ids))
        return self.numpy(q)

    def policy(self, obs: Obs) -> Probs:
        """``float64[m, A]``: the ε-greedy law of ``Q`` (ties share the greedy mass)."""
        return epsilon_greedy(self.q_values(obs), self.epsilon)

    def act(self, obs: Obs) -> Actions:
        """``int64[m]``: one ε-greedy action per agent."""
        return sample(self.policy(obs), self.rng)

    def update(self, transition: Transition) -> dict[str, float]:
        """Store the step; train and move the target network on schedule."""
        p = self.params
        self.replay.add(
            obs=compact(transition.obs),
            actions=np.asarray(transition.actions, dtype=np.int64),
            rewards=np.asarray(transition.rewards, dtype=np.float32),
            next_obs=compact(transition.next_obs),
            done=np.float32(transition.terminated),
        )
        self.steps += 1
        stats: dict[str, float] = {}
        if self.replay.size >= p.learning_starts and self.steps % p.train_every == 0:
            stats = self._train()
        if self.steps % p.target_every == 0:
            torch = torch_module()
            with torch.no_grad():
                for mine, theirs in zip(self.target.parameters(), self.q.parameters(), strict=True):
                    mine.mul_(1.0 - p.tau).add_(theirs, alpha=p.tau)
        return stats

    def _batch(self) -> tuple[dict[str, Any], Any]:
        """A replay batch in ``[G, R, ...]`` layout (observations prepared) and its agent ids."""
        p, arrays, rng = self.params, self.replay.arrays, self.rng
        t = rng.integers(self.replay.size, size=p.batch_size)
        shared = self.groups == 1
        i = rng.integers(self.m, size=p.batch_size) if shared else None
        out: dict[str, Any] = {}
        for name in ("obs", "actions", "rewards", "next_obs"):
            rows = arrays[name][t, i] if shared else arrays[name][t]
            if name in ("obs", "next_obs"):
                rows = self.prep(rows, 1 if shared else 2)
            out[name] = self.tensor(rows)[None] if shared else self.batch(self.tensor(rows))
        done = self.tensor(arrays["done"][t])
        out["done"] = done[None].expand(self.groups, -1)
        ids = None if self.ids is None or i is None else self.ids[self.tensor(i)][None]
        return out, ids

    def _train(self) -> dict[str, float]:
        torch, p = torch_module(), self.params
        batch, ids = self._batch()
        x, x_next = batch["obs"], batch["next_obs"]
        q, _ = self.q(x, ids)
        chosen = q.gather(-1, batch["actions"][..., None])[..., 0]
        with torch.no_grad():
            q_next_target, _ = self.target(x_next, ids)
            q_next_online = self.q(x_next, ids)[0] if p.double else None
            y = dqn_targets(batch["rewards"], batch["done"], p.gamma, q_next_target, q_next_online)
        loss = grouped_mean(torch.nn.functional.smooth_l1_loss(chosen, y, reduction="none"))
        self.optimizer.zero_grad()
        loss.backward()
        if p.max_grad_norm is not None:
            clip_grouped(list(self.q.parameters()), self.groups, p.max_grad_norm)
        self.optimizer.step()
        return {"loss": float(loss.detach()), "q": float(chosen.detach().mean())}
