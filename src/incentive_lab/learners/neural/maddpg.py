"""MADDPG for discrete actions (``maddpg``): decentralised actors, centralised critics.

Every agent ``i`` of the group owns an actor ``π_i(·|o_i) = softmax(f_i(o_i))`` that sees
only its own observation, and a critic ``Q_i(o_i, a_i, others)`` trained on what the other
agents observed and did (centralised training, decentralised execution). All networks are
per-agent ``tanh`` MLPs evaluated for the ``m`` agents at once by batched matmuls
(``learners.neural.torch_nets``); each has a target copy updated by Polyak averaging
``θ' ← τθ + (1 − τ)θ'``.

What the critic sees (``critic``)
    Write ``z_j = (x_j, e_{a_j})`` for agent ``j``'s encoded observation and one-hot action.
    ``Q_i`` takes ``z_i`` and the others through one of:

    * ``joint`` — the exact MADDPG critic ``Q_i(o_1..o_k, a_1..a_k)``: the concatenation of
      the other ``k − 1`` agents' ``z_j`` of ``i``'s *block* in cyclic order ``i+1, …, i−1``.
      Blocks are consecutive runs of ``block`` agents (default: the whole group), e.g.
      ``block: 2`` for the pairs of a 2-player matrix game with ``n_copies`` copies;
    * ``neighbours`` — the mean of ``z_j`` over ``i``'s neighbours in the game's topology
      that belong to the group (zeros if none);
    * ``mean`` — the mean of ``z_j`` over all other agents of the group (a mean-field
      critic, for large groups);
    * ``auto`` (default) — ``joint`` over each copy when the group is made of equal,
      contiguous copies of 2–64 agents (``game.copies``: e.g. PD pairs), else
      ``neighbours`` if the game has a topology, else ``joint`` over the whole group when
      ``m ≤ 16``, else ``mean``.

    Agents outside the group are part of the environment.

Training (once per rollout step, after ``batch_size`` steps are stored)
    A batch of ``B`` group steps is drawn from the replay buffer (``learners.neural.replay``).
    Critic: ``y_i = r_i + γ(1 − terminated)·Q'_i(z'_i, others')`` with every agent's next
    action ``a'_j`` drawn from its *target* actor, loss ``½ Σ_i mean_b (Q_i − y_i)²``.
    Actor: ``a_i`` is replaced by a straight-through Gumbel-softmax sample
    ``ỹ = onehot(argmax(f + g)) − sg(s) + s`` with ``s = softmax((f + g)/T)``,
    ``g ~ Gumbel(0, 1)`` and temperature ``T`` (forward: a hard one-hot; backward: the
    relaxed gradient); the others' actions stay as stored; loss
    ``−Σ_i mean_b Q_i + 10⁻³·mean f²`` (the logit regulariser of Lowe et al.'s code).
    Separate Adam optimisers for actors and critics. Acting samples ``a_i ~ π_i(·|o_i)``
    (the same law as the hard Gumbel sample). ``truncated`` episodes still bootstrap.

Parameters: ``lr_actor``, ``lr_critic``, ``gamma``, ``tau``, ``batch_size``,
``buffer_size``, ``gumbel_temperature``, ``hidden``, ``layers``, ``critic``, ``block``,
``threads`` (``torch.set_num_threads``, process-wide). Gumbel noise, replay sampling and
actions use the learner's NumPy generator. Needs the ``torch`` extra.

Reference: Lowe et al. (2017), *Multi-agent actor-critic for mixed cooperative-competitive
environments*, NeurIPS; Jang, Gu & Poole (2017), *Categorical reparameterization with
Gumbel-softmax*, ICLR.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from pydantic import Field

from incentive_lab.core.errors import ConfigError
from incentive_lab.core.learner import LearnerContext, Transition
from incentive_lab.core.params import Params
from incentive_lab.core.registry import register
from incentive_lab.learners.neural.maddpg_critic import CriticInput, critic_input
from incentive_lab.learners.neural.replay import ReplayBuffer
from incentive_lab.learners.neural.torch_nets import (
    ActorLearner,
    AgentMLP,
    ObsEncoder,
    gumbel_softmax_st,
    optimizer_step,
    setup_torch,
    torch_module,
)


class MADDPGParams(Params):
    """Parameters of ``maddpg``."""

    lr_actor: float = Field(0.01, gt=0.0, le=10.0, allow_inf_nan=False)
    """Adam step size of the actors."""
    lr_critic: float = Field(0.01, gt=0.0, le=10.0, allow_inf_nan=False)
    """Adam step size of the critics."""
    gamma: float = Field(0.9, ge=0.0, lt=1.0)
    """Discount ``γ`` of the critic target."""
    tau: float = Field(0.01, gt=0.0, le=1.0)
    """Polyak rate of the target networks (1: copy every step)."""
    batch_size: int = Field(32, ge=1, le=100_000)
    """Stored group steps per gradient step (training starts once this many are stored)."""
    buffer_size: int = Field(10_000, ge=1, le=10_000_000)
    """Replay buffer capacity in group steps (memory ∝ buffer_size · m)."""
    gumbel_temperature: float = Field(1.0, gt=0.0, le=100.0)
    """Temperature ``T`` of the straight-through Gumbel-softmax in the actor update."""
    hidden: int = Field(32, ge=1, le=1024)
    """Width of each hidden layer (actors and critics)."""
    layers: int = Field(1, ge=0, le=4)
    """Number of hidden layers (0: linear networks)."""
    critic: Literal["auto", "joint", "neighbours", "mean"] = "auto"
    """What each centralised critic sees of the other agents (module docstring)."""
    block: int | None = Field(None, ge=1, le=64)
    """With ``critic: joint``: agents per critic block (``None``: the whole group)."""
    threads: int | None = Field(1, ge=1, le=256)
    """``torch.set_num_threads`` at construction (process-wide); ``None``: leave as is."""


@register(
    "learner",
    "maddpg",
    params=MADDPGParams,
    description="MADDPG: Gumbel-softmax actors, centralised critics, target nets, replay (torch)",
    stochastic=True,
    has_policy=True,
    requires_extra="torch",
)
class MADDPG(ActorLearner[MADDPGParams]):
    """A group of MADDPG agents (see the module docstring)."""

    learner_id = "maddpg"

    def __init__(
        self, params: MADDPGParams, context: LearnerContext, rng: np.random.Generator
    ) -> None:
        super().__init__(params, context, rng)
        if params.buffer_size < params.batch_size:
            raise ConfigError(
                "learner.params.buffer_size",
                params.buffer_size,
                f"at least batch_size={params.batch_size}",
            )
        self.encode = ObsEncoder(context, self.learner_id)
        self.others: CriticInput = critic_input(params.critic, params.block, context)
        torch, generator = setup_torch(self.learner_id, params.threads, rng)
        critic_in = (self.encode.dim + context.n_actions) * (1 + self.others.slots)
        self.actor = self.build_actor(torch, generator)
        sizes = [critic_in, *self.hidden_sizes(), 1]
        self.critic = AgentMLP(torch, generator, context.n_agents, sizes)
        self.target_actor = self.actor.copy(torch)
        self.target_critic = self.critic.copy(torch)
        self.actor_opt = torch.optim.Adam(self.actor.parameters(), lr=params.lr_actor)
        self.critic_opt = torch.optim.Adam(self.critic.parameters(), lr=params.lr_critic)
        self.buffer = ReplayBuffer(params.buffer_size)

    def update(self, transition: Transition) -> dict[str, float]:
        """Store the step; once ``batch_size`` steps are stored, one critic and actor step."""
        self.buffer.add(
            transition.obs,
            np.asarray(transition.actions, dtype=np.int64),
            np.asarray(transition.rewards, dtype=np.float32),
            transition.next_obs,
            transition.terminated,
        )
        if self.buffer.size < self.params.batch_size:
            return {}
        return self._train(self.buffer.sample(self.params.batch_size, self.rng))

    def _gumbel(self, shape: tuple[int, ...]) -> Any:
        return torch_module().from_numpy(self.rng.gumbel(size=shape).astype(np.float32))

    def _train(self, batch: dict[str, np.ndarray[Any, Any]]) -> dict[str, float]:
        torch = torch_module()
        p, k = self.params, self.context.n_actions
        x = torch.from_numpy(self.encode(batch["obs"], batched=True))
        x_next = torch.from_numpy(self.encode(batch["next_obs"], batched=True))
        a = torch.nn.functional.one_hot(torch.from_numpy(batch["actions"]), k).float()
        r = torch.from_numpy(batch["rewards"])
        done = torch.from_numpy(batch["done"])[:, None]
        z = torch.cat([x, a], dim=-1)
        with torch.no_grad():
            logits_next = self.target_actor(x_next)
            a_next = torch.nn.functional.one_hot(
                (logits_next + self._gumbel(tuple(logits_next.shape))).argmax(-1), k
            ).float()
            z_next = torch.cat([x_next, a_next], dim=-1)
            q_next = self.target_critic(self.others.join(z_next, z_next))[..., 0]
            y = r + p.gamma * (1.0 - done) * q_next
        q = self.critic(self.others.join(z, z))[..., 0]
        critic_loss = 0.5 * ((q - y) ** 2).mean(dim=0).sum()
        optimizer_step(self.critic_opt, critic_loss)

        logits = self.actor(x)
        gumbel = self._gumbel(tuple(logits.shape))
        relaxed = gumbel_softmax_st(logits, gumbel, p.gumbel_temperature)
        own = torch.cat([x, relaxed], dim=-1)
        q_pi = self.critic(self.others.join(own, z))[..., 0]
        actor_loss = -q_pi.mean(dim=0).sum() + 1e-3 * (logits**2).mean(dim=(0, 2)).sum()
        optimizer_step(self.actor_opt, actor_loss)

        self.target_actor.soft_update(torch, self.actor, p.tau)
        self.target_critic.soft_update(torch, self.critic, p.tau)
        return {"critic_loss": float(critic_loss.detach()), "q": float(q.detach().mean())}
