"""Proximal policy optimisation (``ppo``): IPPO with shared parameters, or MAPPO.

Every agent of the group acts from a categorical policy ``π(·|o_i) = softmax(actor(o_i))``
and is trained by PPO (Schulman et al. 2017) on its own trajectory and its own *shaped*
rewards — independent PPO (IPPO; de Witt et al. 2020). With ``share: true`` (the default)
one actor and one critic serve every agent of the group (parameter sharing; with
``agent_id`` the input carries the agent's player index in its copy); with ``share: false``
each agent has its own networks (``learners.deep.encoders``), trained on its data alone.

Critic (``critic``)
    ``local``: ``V(o_i)`` on the agent's own observation. ``centralised`` (MAPPO; Yu et al.
    2022): ``V(s_c, e_i)`` on the global state ``s_c`` of the agent's copy (the game's
    ``global_state()``, capability ``global_state``) and the one-hot player index ``e_i``
    (the agent-specific value of Yu et al.'s §4); the actor still sees only ``o_i``
    (centralised training, decentralised execution). Resolution refuses ``centralised`` on
    a game that does not offer the capability.

Training (once every ``n_steps`` steps of the loop)
    The rollout buffer (``learners.deep.buffers.Rollout``) holds ``n_steps`` steps of all
    ``m`` agents. GAE(λ) advantages and returns (``learners.deep._losses.gae``) — episode
    ends cut the trace; a truncated episode bootstraps from ``V`` of its final observation,
    a terminated one from 0; the last stored step bootstraps from ``V`` of its next
    observation. Then ``epochs`` passes over ``minibatches`` random minibatches of the
    stored time steps (all agents of a step in the same minibatch), each one Adam step
    (``ε_Adam = 10⁻⁵``) on the clipped surrogate + ``vf_coef``·value loss −
    ``ent_coef``·entropy (``learners.deep._losses.ppo_loss``), advantages normalised per
    minibatch, gradients clipped to norm ``max_grad_norm`` (per agent with separate
    networks). Implementation details follow Huang et al. (2022): orthogonal initialisation
    (2), Adam ε (3), GAE (5), minibatch epochs (6), advantage normalisation (7), clipped
    objective (8), value clipping (9), entropy bonus (10), gradient clipping (11). The
    learning rate is constant (no annealing, detail 4: a lifelong learner has no horizon).

Recurrent policies (``gru: true``)
    Actor and critic each end in a GRU cell whose hidden state is carried from step to step
    and zeroed at every episode start. Training replays contiguous chunks of the rollout
    (``n_steps / minibatches`` steps, in random order) from the hidden states recorded
    while acting, zeroing them at the recorded episode starts (truncated back-propagation
    through time).

Defaults are the published ones: ``lr = 2.5·10⁻⁴``, ``γ = 0.99``, ``λ = 0.95``, ``ε = 0.2``,
``epochs = 4``, ``minibatches = 4``, ``n_steps = 128``, ``vf_coef = 0.5``,
``ent_coef = 0.01``, ``max_grad_norm = 0.5`` (Schulman et al. 2017, Atari; Huang et al.
2022). Acting samples from ``π`` with the learner's NumPy generator. Needs the ``torch``
extra.

References: Schulman et al. (2017), *Proximal policy optimization algorithms*,
arXiv:1707.06347; Schulman et al. (2016), *High-dimensional continuous control using
generalized advantage estimation*, ICLR; Huang et al. (2022), *The 37 implementation
details of proximal policy optimization*, ICLR blog track; de Witt et al. (2020), *Is
independent learning all you need in the StarCraft multi-agent challenge?*,
arXiv:2011.09533; Yu et al. (2022), *The surprising effectiveness of PPO in cooperative
multi-agent games*, NeurIPS Datasets and Benchmarks.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from pydantic import Field

from incentive_lab.core.capabilities import Capability
from incentive_lab.core.errors import ConfigError
from incentive_lab.core.learner import LearnerContext, Transition
from incentive_lab.core.registry import register
from incentive_lab.core.types import Actions, Obs, Probs
from incentive_lab.learners.deep._losses import clip_grouped, gae, normalise, ppo_loss
from incentive_lab.learners.deep.base import DeepLearner, DeepParams
from incentive_lab.learners.deep.buffers import Rollout, compact
from incentive_lab.learners.exploration import sample, softmax
from incentive_lab.learners.neural.torch_nets import torch_module


class PPOParams(DeepParams):
    """Parameters of ``ppo``."""

    lr: float = Field(2.5e-4, gt=0.0, le=1.0, allow_inf_nan=False)
    """Adam step size of the actor and the critic."""
    gamma: float = Field(0.99, ge=0.0, le=1.0)
    """Discount ``γ``."""
    gae_lambda: float = Field(0.95, ge=0.0, le=1.0)
    """GAE's ``λ`` (1: Monte Carlo returns, 0: one-step TD advantages)."""
    clip: float = Field(0.2, gt=0.0, le=10.0)
    """Clip range ``ε`` of the probability ratio (and of the value change when clipped)."""
    clip_value: bool = True
    """Clip the value loss around the rollout's values (Huang et al. 2022, detail 9)."""
    vf_coef: float = Field(0.5, ge=0.0, le=100.0)
    """Weight ``c_V`` of the value loss."""
    ent_coef: float = Field(0.01, ge=0.0, le=10.0)
    """Weight ``c_H`` of the entropy bonus."""
    max_grad_norm: float | None = Field(0.5, gt=0.0, le=1e6)
    """Largest gradient norm (per agent with separate networks); ``None``: no clipping."""
    n_steps: int = Field(128, ge=1, le=1_000_000)
    """Loop steps stored per update (each holds one transition of every agent)."""
    epochs: int = Field(4, ge=1, le=1000)
    """Passes over the rollout per update."""
    minibatches: int = Field(4, ge=1, le=100_000)
    """Minibatches per pass (split over time steps; at most ``n_steps``)."""
    normalise_advantages: bool = True
    """Normalise advantages per minibatch to mean 0, std 1 (Huang et al. 2022, detail 7)."""
    critic: Literal["local", "centralised"] = "local"
    """``local``: ``V(o_i)``; ``centralised``: ``V(global state, player index)`` (MAPPO)."""
    gru: bool = False
    """End actor and critic in a GRU cell (recurrent policy, hidden state per agent)."""


def _needs(params: PPOParams) -> set[Capability]:
    return {Capability.GLOBAL_STATE} if params.critic == "centralised" else set()


@register(
    "learner",
    "ppo",
    params=PPOParams,
    description="PPO (clipped, GAE): IPPO with shared or separate nets, MAPPO critic (torch)",
    requires=_needs,
    stochastic=True,
    has_policy=True,
    requires_extra="torch",
)
class PPO(DeepLearner[PPOParams]):
    """A group of PPO agents (see the module docstring)."""

    learner_id = "ppo"
    fresh_actions = True

    def __init__(self, params: PPOParams, context: LearnerContext, rng: np.random.Generator):
        super().__init__(params, context, rng)
        if params.minibatches > params.n_steps:
            raise ConfigError(
                "learner.params.minibatches",
                params.minibatches,
                f"at most n_steps={params.n_steps}",
            )
        self.setup(params, context, rng)
        torch = torch_module()
        ids = self.copy_size if params.agent_id else 0
        self.actor = self.net(self.spec(self.prep.shape, context.n_actions, ids, 0.01, params.gru))
        self.critic_ids = self.ids
        self.state_rows: Any = None
        critic_shape, critic_id_size = self.prep.shape, ids
        if params.critic == "centralised":
            if context.global_state is None:
                raise ConfigError(
                    "learner.params.critic", "centralised", "a game offering global_state, or local"
                )
            assert context.copies is not None
            # the group's copies once each; ``state_inverse`` maps its agents onto them, so
            # the rollout stores one state per copy, not one per agent (N× less memory)
            rows = np.asarray(context.copies)[context.agents]
            self.state_rows, self.state_inverse = np.unique(rows, return_inverse=True)
            self.state_index = self.tensor(self.state_inverse.astype(np.int64))
            critic_shape = self._state().shape[1:]
            critic_id_size = self.copy_size
            self.critic_ids = self.tensor(np.eye(self.copy_size, dtype=np.float32)[self.player])
        self.critic = self.net(self.spec(critic_shape, 1, critic_id_size, 1.0, params.gru))
        self.optimizer = torch.optim.Adam(
            [*self.actor.parameters(), *self.critic.parameters()], lr=params.lr, eps=1e-5
        )
        self.buffer = Rollout(params.n_steps)
        self.bootstrap = np.zeros((params.n_steps, self.m))
        self.h = self._zero_hidden()
        self.starting = True
        self.pending: tuple[Any, ...] | None = None

    # -- inputs ---------------------------------------------------------------------------
    def _state(self) -> np.ndarray[Any, Any]:
        """``float32[c, ...]``: the global state of each of the group's ``c`` copies."""
        assert self.context.global_state is not None
        state = np.asarray(self.context.global_state(), dtype=np.float32)[self.state_rows]
        return state if state.ndim == 4 else state.reshape(len(self.state_rows), -1)

    def _zero_hidden(self) -> tuple[Any, Any] | None:
        if not self.params.gru:
            return None
        torch, rows = torch_module(), max(self.m, 1) // self.groups
        return tuple(  # type: ignore[return-value]
            torch.zeros(self.groups, rows, net.width, device=self.device)
            for net in (self.actor, self.critic)
        )

    def _ids(self, ids: Any) -> Any:
        return None if ids is None else self.rows(ids)

    def _forward(self, obs: Any, state: Any, h: Any) -> tuple[Any, Any, Any]:
        """``(logits, values, h')`` of the group at one step (no gradient)."""
        torch = torch_module()
        with torch.no_grad():
            x = self.rows(self.tensor(self.prep(obs, 1)))
            logits, h_a = self.actor(x, self._ids(self.ids), None if h is None else h[0])
            xc = x if state is None else self.rows(self.tensor(state[self.state_inverse]))
            v, h_c = self.critic(xc, self._ids(self.critic_ids), None if h is None else h[1])
        return logits, v, None if h is None else (h_a, h_c)

    def _value(self, next_obs: Obs) -> np.ndarray[Any, Any]:
        """``V`` of the group's next observation with the current hidden state."""
        state = self._state() if self.state_rows is not None else None
        return self.numpy(self._forward(next_obs, state, self.h)[1])[:, 0]

    # -- acting ---------------------------------------------------------------------------
    def policy(self, obs: Obs) -> Probs:
        """``float64[m, A]``: ``π(·|o_i)`` (with the current hidden state when recurrent)."""
        torch = torch_module()
        with torch.no_grad():
            x = self.rows(self.tensor(self.prep(obs, 1)))
            logits, _ = self.actor(x, self._ids(self.ids), None if self.h is None else self.h[0])
        return softmax(self.numpy(logits))

    def act(self, obs: Obs) -> Actions:
        """``int64[m]``: one action per agent sampled from ``π`` (kept for ``update``)."""
        self.pending = self._evaluate(obs)
        return sample(softmax(self.pending[2]), self.rng)

    def _evaluate(self, obs: Obs) -> tuple[Any, ...]:
        state = self._state() if self.state_rows is not None else None
        h_before = self.h
        logits, v, self.h = self._forward(obs, state, h_before)
        logits_np = self.numpy(logits)
        log_probs = logits_np - logits_np.max(axis=1, keepdims=True)
        log_probs -= np.log(np.exp(log_probs).sum(axis=1, keepdims=True))
        values = self.numpy(v)[:, 0]
        return (np.array(obs, copy=True), state, logits_np, log_probs, values, h_before)

    # -- learning -------------------------------------------------------------------------
    def update(self, transition: Transition) -> dict[str, float]:
        """Store the step; after ``n_steps`` steps, compute GAE and train (module docstring)."""
        pending, self.pending = self.pending, None
        if pending is None or not np.array_equal(pending[0], transition.obs):
            pending = self._evaluate(transition.obs)
        obs, state, _, log_probs, values, h_before = pending
        actions = np.asarray(transition.actions, dtype=np.int64)
        end = bool(transition.terminated or transition.truncated)
        fields: dict[str, Any] = {
            "obs": compact(obs),
            "actions": actions,
            "logp": log_probs[np.arange(self.m), actions],
            "values": values,
            "rewards": np.asarray(transition.rewards, dtype=np.float64),
            "starts": float(self.starting),
            "ends": end,
        }
        if state is not None:
            fields["state"] = state
        if h_before is not None:
            fields["h_actor"] = h_before[0].reshape(self.m, -1).cpu().numpy()
            fields["h_critic"] = h_before[1].reshape(self.m, -1).cpu().numpy()
        t = self.buffer.t
        self.buffer.add(**fields)
        self.bootstrap[t] = 0.0
        if end:
            if not transition.terminated:
                self.bootstrap[t] = self._value(transition.next_obs)
            self.h = self._zero_hidden()
        elif self.buffer.full:
            self.bootstrap[t] = self._value(transition.next_obs)
        self.starting = end
        if not self.buffer.full:
            return {}
        stats = self._train()
        self.buffer.clear()
        return stats

    def _train(self) -> dict[str, float]:
        p = self.params
        arrays = self.buffer.arrays
        advantages, returns = gae(
            arrays["rewards"],
            arrays["values"],
            self.buffer.next_values(self.bootstrap),
            arrays["ends"],
            p.gamma,
            p.gae_lambda,
        )
        data = {
            "obs": self.tensor(self.prep(arrays["obs"], 2)),
            "actions": self.tensor(arrays["actions"]),
            "logp": self.tensor(arrays["logp"].astype(np.float32)),
            "values": self.tensor(arrays["values"].astype(np.float32)),
            "advantages": self.tensor(advantages.astype(np.float32)),
            "returns": self.tensor(returns.astype(np.float32)),
        }
        if "state" in arrays:
            data["state"] = self.tensor(arrays["state"])
        parameters = [*self.actor.parameters(), *self.critic.parameters()]
        stats: dict[str, Any] = {}
        for _ in range(p.epochs):
            for index in self._minibatches():
                loss, stats = self._loss(data, index)
                self.optimizer.zero_grad()
                loss.backward()
                if p.max_grad_norm is not None:
                    clip_grouped(parameters, self.groups, p.max_grad_norm)
                self.optimizer.step()
        return {name: float(value) for name, value in stats.items()}

    def _minibatches(self) -> list[np.ndarray[Any, Any]]:
        steps, parts = self.params.n_steps, self.params.minibatches
        if not self.params.gru:
            return np.array_split(self.rng.permutation(steps), parts)
        chunks = np.array_split(np.arange(steps), parts)
        return [chunks[k] for k in self.rng.permutation(parts)]

    def _lay(self, x: Any) -> Any:
        """``[L, m, ...]`` → ``[G, R, ...]`` in the layout the networks produce."""
        if not self.params.gru:
            return self.batch(x)
        seq = self.sequence(x)
        return seq.transpose(0, 1).reshape(self.groups, -1, *seq.shape[3:])

    def _outputs(self, data: dict[str, Any], index: np.ndarray[Any, Any]) -> tuple[Any, Any]:
        """``(logits[G, R, A], values[G, R])`` of the networks on minibatch ``index``."""
        x = data["obs"][index]
        # per-copy states [L, c, ...] → per-agent [L, m, ...], for this minibatch only
        xc = data["state"][index][:, self.state_index] if "state" in data else x
        length = len(index)
        if not self.params.gru:
            logits, _ = self.actor(self.batch(x), self.batch_ids(self.ids, length))
            values, _ = self.critic(self.batch(xc), self.batch_ids(self.critic_ids, length))
            return logits, values[..., 0]
        arrays, first = self.buffer.arrays, int(index[0])
        starts = np.repeat(arrays["starts"][index, None], self.m, 1).astype(np.float32)
        starts_t = self.sequence(self.tensor(starts))
        out = []
        for net, ids, name, inp in (
            (self.actor, self.ids, "h_actor", x),
            (self.critic, self.critic_ids, "h_critic", xc),
        ):
            h0 = self.rows(self.tensor(arrays[name][first]))
            seq_ids = None if ids is None else self.sequence(ids[None].expand(length, *ids.shape))
            y = net.unroll(self.sequence(inp), seq_ids, h0, starts_t)
            out.append(y.transpose(0, 1).reshape(self.groups, -1, y.shape[-1]))
        return out[0], out[1][..., 0]

    def _loss(self, data: dict[str, Any], index: np.ndarray[Any, Any]) -> tuple[Any, Any]:
        torch, p = torch_module(), self.params
        logits, values = self._outputs(data, index)
        log_pi = torch.log_softmax(logits, dim=-1)
        actions = self._lay(data["actions"][index])
        logp = log_pi.gather(-1, actions[..., None])[..., 0]
        entropy = -(log_pi.exp() * log_pi).sum(dim=-1)
        advantages = self._lay(data["advantages"][index])
        if p.normalise_advantages:
            advantages = normalise(advantages)
        return ppo_loss(
            logp,
            self._lay(data["logp"][index]),
            advantages,
            entropy,
            values,
            self._lay(data["values"][index]),
            self._lay(data["returns"][index]),
            clip=p.clip,
            vf_coef=p.vf_coef,
            ent_coef=p.ent_coef,
            clip_value=p.clip_value,
        )
