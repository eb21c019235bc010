"""Deep Q-networks (``dqn``): independent DQN with replay, a target network and double DQN.

Every agent of the group acts ε-greedily on ``Q(o_i, ·)`` and learns from its own
transitions and its own *shaped* rewards (independent learners). With ``share: true`` (the
default) one Q-network serves the whole group (parameter sharing; ``agent_id`` adds the
player index); with ``share: false`` each agent has its own, trained on its own data only.
The encoders are those of ``ppo`` (``learners.deep.encoders``: CNN for ``[h, w, c]``
observations, MLP for flat ones), optionally ending in a GRU cell (``gru``: a recurrent
DQN with sequence replay, below).

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

Recurrent DQN (``gru: true``; Kapturowski et al. 2019, R2D2's *stored state* with
*burn-in*). Each agent carries a hidden state from step to step, zeroed at episode starts;
the replay stores, with every transition, the hidden state the online network had before
the step and whether the step began an episode. A batch is ``batch_size`` runs of
``sequence_length`` consecutive stored steps (``buffers.Replay.sequences``; shared
network: a run of one random agent each; separate networks: every agent's own run). Both
networks start a run from its stored hidden state, zero it at recorded episode starts and
unroll over the run; the first ``burn_in`` steps only warm the hidden state (no gradient,
no loss). The target of step ``t`` bootstraps from ``Q'`` of that step's own next
observation with the target network's hidden state after step ``t`` (in an episode the
next observation is the next step's, so this is the unrolled value; after a truncation it
is the value of the final observation), double DQN alike with the online network's. The
loss is the Huber loss over the remaining ``sequence_length − burn_in`` steps. The stored
states are those of older parameters ("representational drift", which R2D2's burn-in
mitigates); sequences are drawn uniformly (R2D2's prioritisation is not implemented).

Defaults: ``lr = 2.5·10⁻⁴``, ``γ = 0.99``, ``batch_size = 32``, ``ε: 1 → 0.05``, Huber loss
(Mnih et al. 2015; Adam instead of RMSProp), target copies every 1,000 steps and gradients
clipped at norm 10 as in common reference implementations. Needs the ``torch`` extra.

References: Mnih et al. (2015), *Human-level control through deep reinforcement learning*,
Nature 518; van Hasselt, Guez & Silver (2016), *Deep reinforcement learning with double
Q-learning*, AAAI; Kapturowski, Ostrovski, Quan, Munos & Dabney (2019), *Recurrent
experience replay in distributed reinforcement learning*, ICLR; Tan (1993), *Multi-agent
reinforcement learning: independent vs. cooperative agents*, ICML (independent learners).
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
from pydantic import Field, SerializerFunctionWrapHandler, model_serializer

from incentive_lab.core.errors import ConfigError
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
    gru: bool = False
    """End the Q-network in a GRU cell (recurrent DQN with sequence replay)."""
    sequence_length: int = Field(8, ge=1, le=10_000)
    """With ``gru``: consecutive steps per replayed run (burn-in included)."""
    burn_in: int = Field(2, ge=0, le=10_000)
    """With ``gru``: first steps of a run that only warm the hidden state (no loss)."""

    @model_serializer(mode="wrap")
    def _omit_unused_recurrence(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """Without ``gru`` the stored form omits the recurrent fields (run ids unchanged)."""
        out: dict[str, Any] = handler(self)
        if not out.get("gru", True):
            for name in ("gru", "sequence_length", "burn_in"):
                out.pop(name, None)
        return out


@register(
    "learner",
    "dqn",
    params=DQNParams,
    description="Independent DQN: replay, target net, ε schedule, double DQN, CNN/MLP/GRU (torch)",
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
        if params.gru and params.burn_in >= params.sequence_length:
            raise ConfigError(
                "learner.params.burn_in",
                params.burn_in,
                f"below sequence_length={params.sequence_length}",
            )
        self.q = self.net(self.spec(self.prep.shape, context.n_actions, ids, 1.0, params.gru))
        self.target = copy.deepcopy(self.q).requires_grad_(False)
        self.optimizer = torch.optim.Adam(self.q.parameters(), lr=params.lr)
        self.replay = Replay(max(1, params.buffer_size // max(self.m, 1)))
        self.steps = 0
        self.h: Any = None
        if params.gru:
            rows = max(self.m, 1) // self.groups
            self.h = torch.zeros(self.groups, rows, self.q.width, device=self.device)
        self.starting = True
        self.pending: tuple[Any, Any, Any] | None = None

    @property
    def epsilon(self) -> float:
        """The current exploration rate (linear schedule)."""
        p = self.params
        frac = min(1.0, self.steps / p.exploration_steps)
        return p.epsilon_start + frac * (p.epsilon_end - p.epsilon_start)

    def _forward(self, obs: Obs) -> tuple[Any, Any]:
        """``(Q[G, R, A], h')`` of the online network at ``obs`` from the current state."""
        torch = torch_module()
        with torch.no_grad():
            x = self.rows(self.tensor(self.prep(obs, 1)))
            return self.q(x, None if self.ids is None else self.rows(self.ids), self.h)  # type: ignore[no-any-return]

    def q_values(self, obs: Obs) -> np.ndarray[Any, Any]:
        """``float64[m, A]``: ``Q(o_i, ·)`` of the online network (current hidden state)."""
        return self.numpy(self._forward(obs)[0])

    def policy(self, obs: Obs) -> Probs:
        """``float64[m, A]``: the ε-greedy law of ``Q`` (ties share the greedy mass)."""
        return epsilon_greedy(self.q_values(obs), self.epsilon)

    def act(self, obs: Obs) -> Actions:
        """``int64[m]``: one ε-greedy action per agent (a recurrent net advances its state)."""
        q, h_next = self._forward(obs)
        if self.params.gru:
            self.pending = (np.array(obs, copy=True), self.h, h_next)
        return sample(epsilon_greedy(self.numpy(q), self.epsilon), self.rng)

    def update(self, transition: Transition) -> dict[str, float]:
        """Store the step; train and move the target network on schedule."""
        p = self.params
        fields: dict[str, Any] = {
            "obs": compact(transition.obs),
            "actions": np.asarray(transition.actions, dtype=np.int64),
            "rewards": np.asarray(transition.rewards, dtype=np.float32),
            "next_obs": compact(transition.next_obs),
            "done": np.float32(transition.terminated),
        }
        if p.gru:
            fields.update(self._advance(transition))
        self.replay.add(**fields)
        self.steps += 1
        stats: dict[str, float] = {}
        ready = self.replay.size >= max(p.learning_starts, p.sequence_length if p.gru else 1)
        if ready and self.steps % p.train_every == 0:
            stats = self._train_sequences() if p.gru else self._train()
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

    # -- recurrent DQN (R2D2-style stored state and burn-in) ---------------------------------
    def _advance(self, transition: Transition) -> dict[str, Any]:
        """The step's stored state and start flag; move the hidden state past the step."""
        pending, self.pending = self.pending, None
        if pending is None or not np.array_equal(pending[0], transition.obs):
            pending = (None, self.h, self._forward(transition.obs)[1])
        h_before = pending[1].reshape(self.m, -1).cpu().numpy()
        fields = {"h": h_before, "starts": np.float32(self.starting)}
        end = bool(transition.terminated or transition.truncated)
        self.h = pending[2] * 0.0 if end else pending[2]
        self.starting = end
        return fields

    def _runs(self) -> tuple[dict[str, Any], Any]:
        """Replayed runs in ``[L, G, R, ...]`` layout (``h0``: ``[G, R, width]``) and ids."""
        p, arrays, rng = self.params, self.replay.arrays, self.rng
        slots = self.replay.sequences(p.batch_size, p.sequence_length, rng)  # [B, L]
        shared = self.groups == 1
        agent = rng.integers(self.m, size=p.batch_size) if shared else None
        out: dict[str, Any] = {}
        for name in ("obs", "actions", "rewards", "next_obs", "h"):
            rows = arrays[name][slots, agent[:, None]] if agent is not None else arrays[name][slots]
            rows = np.swapaxes(rows, 0, 1)  # [L, B(, m), ...]
            if name in ("obs", "next_obs"):
                rows = self.prep(rows, 2 if shared else 3)
            t = self.tensor(rows)
            out[name] = t[:, None] if shared else t.transpose(1, 2)  # [L, G, R, ...]
        out["h0"] = out.pop("h")[0]
        for name in ("done", "starts"):
            flags = self.tensor(arrays[name][slots].T.astype(np.float32))  # [L, B]
            out[name] = flags[:, None].expand(-1, self.groups, -1)
        ids = None
        if self.ids is not None and agent is not None:
            ids = self.ids[self.tensor(agent)][None]
        return out, ids

    def _train_sequences(self) -> dict[str, float]:
        torch, p = torch_module(), self.params
        run, ids = self._runs()
        h_online, h_target = run["h0"], run["h0"]
        chosen, targets = [], []
        for t in range(p.sequence_length):
            keep = (1.0 - run["starts"][t])[..., None]
            learn = t >= p.burn_in
            with torch.set_grad_enabled(learn):
                q, h_online = self.q(run["obs"][t], ids, h_online * keep)
            with torch.no_grad():
                _, h_target = self.target(run["obs"][t], ids, h_target * keep)
                if not learn:
                    h_online = h_online.detach()
                    continue
                q_next_target, _ = self.target(run["next_obs"][t], ids, h_target)
                q_next_online = (
                    self.q(run["next_obs"][t], ids, h_online.detach())[0] if p.double else None
                )
                y = dqn_targets(
                    run["rewards"][t], run["done"][t], p.gamma, q_next_target, q_next_online
                )
            chosen.append(q.gather(-1, run["actions"][t][..., None])[..., 0])
            targets.append(y)
        q_taken, y_all = torch.cat(chosen, dim=1), torch.cat(targets, dim=1)
        loss = grouped_mean(torch.nn.functional.smooth_l1_loss(q_taken, y_all, reduction="none"))
        self.optimizer.zero_grad()
        loss.backward()
        if p.max_grad_norm is not None:
            clip_grouped(list(self.q.parameters()), self.groups, p.max_grad_norm)
        self.optimizer.step()
        return {"loss": float(loss.detach()), "q": float(q_taken.detach().mean())}
