"""Advantage actor-critic (``actor_critic``) with neural networks, vectorised over the group.

Every agent ``i`` of the group owns an actor ``π_i(·|o) = softmax(f_i(o))`` and a critic
``V_i(o)`` — two small ``tanh`` MLPs with per-agent parameters evaluated for all ``m``
agents by batched matmuls (``learners.neural.torch_nets.AgentMLP``; no parameter sharing, so the
agents are independent learners). Observations: ``Discrete`` one-hot, ``Box`` flattened and
scaled to ``[−1, 1]`` (``learners.neural.torch_nets.ObsEncoder``); actions: the game's discrete
actions.

Update: one-step TD(0) advantage, online, once per rollout step (each agent contributes
its own transition ``(o, a, r, o')``)::

    δ_i = r_i + γ·(1 − terminated)·V_i(o'_i) − V_i(o_i)          (V_i(o') not differentiated)
    L   = Σ_i [ ½ δ_i²  −  δ_i·ln π_i(a_i|o_i)  −  c_H·H(π_i(·|o_i)) ]

(the actor term uses ``δ`` as a constant: the advantage with the learned state-value
baseline). ``truncated`` episodes still bootstrap (a time limit is not a terminal state).
One Adam step on ``L``; since ``L`` is a sum over agents and Adam is elementwise, every
agent's step uses only its own data. With ``γ = 0`` it is a contextual bandit learner
(``V`` is the expected reward baseline).

Parameters: ``lr`` (Adam step size of both networks), ``gamma``, ``entropy`` (``c_H``),
``hidden`` (width), ``layers`` (hidden layers), ``threads`` (``torch.set_num_threads``,
process-wide; ``None`` leaves it alone). ``act`` samples from ``π`` with the learner's NumPy
generator; ``policy`` returns ``π`` in ``float64``. Needs the ``torch`` extra.

Reference: Mnih et al. (2016), *Asynchronous methods for deep reinforcement learning*
(advantage actor-critic); Sutton & Barto (2018) §13.5 (one-step actor-critic).
"""

from __future__ import annotations

import numpy as np
from pydantic import Field

from incentive_lab.core.learner import LearnerContext, Transition
from incentive_lab.core.params import Params
from incentive_lab.core.registry import register
from incentive_lab.learners.neural.torch_nets import (
    ActorLearner,
    AgentMLP,
    ObsEncoder,
    optimizer_step,
    setup_torch,
    torch_module,
)


class ActorCriticParams(Params):
    """Parameters of ``actor_critic``."""

    lr: float = Field(0.01, gt=0.0, le=10.0, allow_inf_nan=False)
    """Adam step size of the actor and the critic."""
    gamma: float = Field(0.9, ge=0.0, lt=1.0)
    """Discount ``γ`` of the TD(0) target ``r + γ V(o')`` (0: contextual bandit)."""
    entropy: float = Field(0.01, ge=0.0, le=10.0)
    """Entropy bonus weight ``c_H`` (keeps the policy exploring)."""
    hidden: int = Field(32, ge=1, le=1024)
    """Width of each hidden layer."""
    layers: int = Field(1, ge=0, le=4)
    """Number of hidden layers (0: linear actor and critic)."""
    threads: int | None = Field(1, ge=1, le=256)
    """``torch.set_num_threads`` at construction (process-wide); ``None``: leave as is."""


@register(
    "learner",
    "actor_critic",
    params=ActorCriticParams,
    description="Neural advantage actor-critic (TD(0), entropy bonus), per-agent MLPs in torch",
    stochastic=True,
    has_policy=True,
    requires_extra="torch",
)
class ActorCritic(ActorLearner[ActorCriticParams]):
    """A group of independent neural advantage actor-critic agents (module docstring)."""

    learner_id = "actor_critic"

    def __init__(
        self, params: ActorCriticParams, context: LearnerContext, rng: np.random.Generator
    ) -> None:
        super().__init__(params, context, rng)
        self.encode = ObsEncoder(context, self.learner_id)
        torch, generator = setup_torch(self.learner_id, params.threads, rng)
        self.actor = self.build_actor(torch, generator)
        sizes = [self.encode.dim, *self.hidden_sizes(), 1]
        self.critic = AgentMLP(torch, generator, context.n_agents, sizes)
        self.optimizer = torch.optim.Adam(
            [*self.actor.parameters(), *self.critic.parameters()], lr=params.lr
        )
        self._rows = np.arange(context.n_agents)

    def update(self, transition: Transition) -> dict[str, float]:
        """One TD(0) actor-critic Adam step on the group's transition."""
        torch = torch_module()
        p = self.params
        x, x_next = self.encoded(transition.obs), self.encoded(transition.next_obs)
        actions = torch.from_numpy(np.asarray(transition.actions, dtype=np.int64))
        rewards = torch.from_numpy(np.asarray(transition.rewards, dtype=np.float32))
        value = self.critic(x)[0, :, 0]
        with torch.no_grad():
            bootstrap = 0.0 if transition.terminated else p.gamma
            target = rewards + bootstrap * self.critic(x_next)[0, :, 0]
        delta = target - value
        log_pi = torch.log_softmax(self.actor(x)[0], dim=-1)
        chosen = log_pi.gather(1, actions[:, None])[:, 0]
        entropy = -(log_pi.exp() * log_pi).sum(dim=-1)
        loss = (0.5 * delta**2 - delta.detach() * chosen - p.entropy * entropy).sum()
        optimizer_step(self.optimizer, loss)
        return {
            "td_error": float(delta.detach().abs().mean()),
            "entropy": float(entropy.detach().mean()),
        }
