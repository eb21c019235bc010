"""``lio_deep``: Learning to Incentivize Others with policy and incentive *networks* (torch).

Yang, Li, Farajtabar, Sunehag, Hughes & Zha (2020), "Learning to Incentivize Other Learning
Agents", NeurIPS, Algorithm 1, for image or flat observations (the gridworlds' views). Every
agent of the group has its own policy network ``π_i(·|o_i)`` and its own incentive network
over its observation and the other players' actions, paying each other player of its copy
``r_max · σ(·)`` per step (:mod:`.lio_meta`). Both use the encoders of ``ppo`` / ``dqn``
(:mod:`.encoders`: CNN for ``[h, w, c]`` views, MLP for flat ones; the co-players' one-hot
actions enter the incentive network after the encoder). Parameters are never shared
(``share: false``): LIO's agents are decentralised.

Learning, once per segment (an episode, or ``horizon`` steps), with ``τ`` the previous
segment (played by ``θ`` and paid by ``η_τ``) and ``τ̂`` the one just played (by ``θ̂``)
    1. **Incentive step** (from the second segment on): the recipients' step from ``θ`` on
       ``τ`` is rebuilt differentiably as a function of ``η_τ`` (``create_graph``; it
       reproduces the step actually taken, value for value); each giver's gradient of its
       own env return on ``τ̂`` through it, minus ``cost`` × what it paid on ``τ``
       (:func:`.lio_meta.incentive_gradient`), moves the *current* incentive networks by
       Adam (the Jacobian belongs to ``η_τ``: a one-segment lag, as tabular ``lio``).
    2. **Policy step** on ``τ̂``: plain gradient ascent ``θ ← θ + β∇(Σ log π·(G − b) +
       c_H·H)`` with ``G`` the discounted env reward plus the incentives received (what
       ``η`` actually paid during ``τ̂``) and ``b`` a running-mean baseline per agent.
Acting samples ``(1 − ε)·π + ε/A`` with ``ε`` falling linearly from ``epsilon_start`` to
``epsilon_end`` over ``epsilon_segments`` segments (the updates treat actions as on-policy).

Accounting (as ``lio``): incentives are transfers inside the group and never change the
game's base rewards; policies learn from env reward + incentives received; ``update``
reports ``incentive_given`` (total paid by the group this step), ``incentive_received_max``
and, at segment ends, ``segment_return`` (mean env return per agent).

Defaults are the reference implementation's Cleanup settings (github.com/011235813/lio,
``lio/alg/config_ssd_lio.py``, 2-player ``cleanup_small_sym``): ``r_max = 2``
(``r_multiplier``), ``cost = 10⁻⁴`` (``reg_coeff``, L1), ``lr = 10⁻⁴`` (``lr_actor``),
``lr_incentive = 10⁻³`` with Adam (``lr_reward``), ``gamma = 0.99``, ``ent_coef = 0.1``,
``ε: 0.5 → 0.05`` over 100 episodes (``epsilon_div``), segments of 50 steps
(``max_steps``), one 3×3 convolution of 6 filters and two hidden layers of 64
(``config.nn``). The published Cleanup runs used LIO's actor-critic variant; this learner
is the policy-gradient one (Algorithm 1), with a mean baseline. The cost is undiscounted,
as in ``lio``. Needs the ``torch`` extra.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import Field

from incentive_lab.core.errors import ConfigError
from incentive_lab.core.learner import LearnerContext, Transition
from incentive_lab.core.registry import register
from incentive_lab.core.types import Actions, FloatArray, Obs, Probs
from incentive_lab.learners.deep.base import DeepLearner, DeepParams
from incentive_lab.learners.deep.buffers import compact
from incentive_lab.learners.deep.lio_meta import (
    MetaInputs,
    actions_of_others,
    amounts,
    copy_layout,
    incentive_gradient,
    policy_step,
    received,
)
from incentive_lab.learners.exploration import sample, softmax
from incentive_lab.learners.lio.lio_gradients import returns_to_go
from incentive_lab.learners.neural.torch_nets import torch_module


class LioDeepParams(DeepParams):
    """Parameters of ``lio_deep`` (defaults: the LIO reference's Cleanup configuration)."""

    share: bool = False
    """Always false: every LIO agent owns its policy and incentive networks."""
    channels: tuple[int, ...] = Field((6,), max_length=6)
    """Output channels of the CNN's convolutions (reference: one layer of 6 filters)."""
    lr: float = Field(1e-4, gt=0.0, le=1.0, allow_inf_nan=False)
    """Policy step ``β`` (plain gradient ascent; the step the givers differentiate)."""
    lr_incentive: float = Field(1e-3, gt=0.0, le=1.0, allow_inf_nan=False)
    """Adam step size of the incentive networks."""
    r_max: float = Field(2.0, gt=0.0, le=1e6)
    """Largest incentive one giver pays one recipient per step."""
    cost: float = Field(1e-4, ge=0.0, le=1e6)
    """Weight of the incentives a giver pays in its incentive objective."""
    gamma: float = Field(0.99, ge=0.0, le=1.0)
    """Discount of the returns within a segment."""
    ent_coef: float = Field(0.1, ge=0.0, le=100.0)
    """Weight ``c_H`` of the policy's entropy in the policy step."""
    baseline_rate: float = Field(0.1, ge=0.0, le=1.0)
    """Rate of each agent's running-mean return baselines (0: no baseline)."""
    epsilon_start: float = Field(0.5, ge=0.0, le=1.0)
    """Exploration mixed into the behaviour policy at the first segment."""
    epsilon_end: float = Field(0.05, ge=0.0, le=1.0)
    """Exploration after ``epsilon_segments`` segments."""
    epsilon_segments: int = Field(100, ge=1, le=100_000_000)
    """Segments over which ``ε`` falls linearly."""
    horizon: int = Field(50, ge=1, le=100_000)
    """Longest segment: learning also happens every ``horizon`` steps of a long episode."""


@dataclass(frozen=True)
class Played:
    """One segment: raw observations, actions, env rewards ``[T, m]``, co-player actions."""

    obs: Any
    actions: Any
    env: FloatArray
    others: Any


@register(
    "learner",
    "lio_deep",
    params=LioDeepParams,
    description="LIO with policy and incentive networks (CNN/MLP) and the meta-gradient (torch)",
    stochastic=True,
    has_policy=True,
    requires_extra="torch",
)
class LioDeep(DeepLearner[LioDeepParams]):
    """A group of neural LIO agents (see the module docstring)."""

    learner_id = "lio_deep"
    fresh_actions = True

    def __init__(self, params: LioDeepParams, context: LearnerContext, rng: np.random.Generator):
        super().__init__(params, context, rng)
        if params.share:
            raise ConfigError("learner.params.share", True, "false (LIO agents are decentralised)")
        self.setup(params, context, rng)
        self.layout = copy_layout(context.copies, context.agents, "learner.id", self.learner_id)
        torch, a, k = torch_module(), context.n_actions, self.layout.k
        self.policy_net = self.net(self.spec(self.prep.shape, a, 0, 0.01, False))
        self.incentive_net = self.net(self.spec(self.prep.shape, k, (k - 1) * a, 1.0, False))
        self.optimizer = torch.optim.Adam(self.incentive_net.parameters(), lr=params.lr_incentive)
        self.baseline = np.zeros(self.m)
        self.env_baseline = np.zeros(self.m)
        self.segments = 0
        self._buffer: list[tuple[Any, Any, FloatArray]] = []
        self._previous: tuple[Played, dict[str, Any], dict[str, Any], FloatArray] | None = None

    # -- acting ---------------------------------------------------------------------------
    @property
    def epsilon(self) -> float:
        """The current exploration rate (linear over segments)."""
        p = self.params
        frac = min(1.0, self.segments / p.epsilon_segments)
        return p.epsilon_start + frac * (p.epsilon_end - p.epsilon_start)

    def policy(self, obs: Obs) -> Probs:
        """``float64[m, A]``: ``π_i(·|o_i)`` of each agent's policy network."""
        torch = torch_module()
        with torch.no_grad():
            logits, _ = self.policy_net(self.rows(self.tensor(self.prep(obs, 1))))
        return softmax(self.numpy(logits))

    def act(self, obs: Obs) -> Actions:
        """``int64[m]``: one action per agent from ``(1 − ε)·π + ε/A``."""
        eps = self.epsilon
        return sample((1.0 - eps) * self.policy(obs) + eps / self.context.n_actions, self.rng)

    def incentives(self, obs: Obs, actions: Actions) -> FloatArray:
        """``[m, k]``: what each agent (row) pays each player of its copy for this step."""
        torch = torch_module()
        others = actions_of_others(self.layout, actions, self.context.n_actions)
        with torch.no_grad():
            x = self.rows(self.tensor(self.prep(obs, 1)))
            logits, _ = self.incentive_net(x, self.rows(self.tensor(others)))
            paid = amounts(logits.reshape(self.m, -1), self.layout, self.params.r_max)
        return np.asarray(paid.double().cpu().numpy())

    # -- learning -------------------------------------------------------------------------
    def update(self, transition: Transition) -> dict[str, float]:
        """Record the step's payments; learn at the end of a segment."""
        actions = np.asarray(transition.actions, dtype=np.int64)
        paid = self.incentives(transition.obs, actions)
        income = self._received(paid)
        env = np.asarray(transition.rewards, dtype=np.float64)
        self._buffer.append((compact(transition.obs), actions, env))
        stats = {
            "incentive_given": float(paid.sum()),
            "incentive_received_max": float(income.max()),
        }
        ended = transition.terminated or transition.truncated
        if ended or len(self._buffer) >= self.params.horizon:
            stats["segment_return"] = self._learn()
        return stats

    def _received(self, paid: FloatArray) -> FloatArray:
        torch = torch_module()
        out: FloatArray = received(torch.as_tensor(paid), self.layout).numpy()
        return out

    def _segment(self) -> Played:
        obs = np.stack([step[0] for step in self._buffer])
        actions = np.stack([step[1] for step in self._buffer])
        env = np.stack([step[2] for step in self._buffer])
        self._buffer = []
        others = actions_of_others(self.layout, actions, self.context.n_actions)
        return Played(obs=obs, actions=actions, env=env, others=others)

    def _paid(self, seg: Played) -> FloatArray:
        """``[T, m]``: incentives received on ``seg`` from the current incentive networks."""
        torch = torch_module()
        with torch.no_grad():
            logits, _ = self.incentive_net(
                self.batch(self.tensor(self.prep(seg.obs, 2))), self.batch(self.tensor(seg.others))
            )
            paid = amounts(self.unlay(logits), self.layout, self.params.r_max)
        out: FloatArray = received(paid.double(), self.layout).cpu().numpy()
        return out

    def _learn(self) -> float:
        p = self.params
        seg = self._segment()
        env_adv = returns_to_go(seg.env, p.gamma) - self.env_baseline
        eta_now = self.snapshot(self.incentive_net)
        income = self._paid(seg)
        if self._previous is not None:
            self.incentive_step(self.meta_inputs(seg, env_adv))
        # 2. policy step on τ̂ with env reward + the incentives paid while it was played
        advantage = returns_to_go(seg.env + income, p.gamma) - self.baseline
        theta = self.snapshot(self.policy_net)
        self._policy_step(theta, seg, advantage)
        self._previous = (seg, theta, eta_now, self.baseline.copy())
        self.baseline += p.baseline_rate * advantage.mean(axis=0)
        self.env_baseline += p.baseline_rate * env_adv.mean(axis=0)
        self.segments += 1
        return float(seg.env.sum(axis=0).mean())

    def _policy_step(self, theta: dict[str, Any], seg: Played, advantage: FloatArray) -> None:
        torch, p = torch_module(), self.params
        x = self.batch(self.tensor(self.prep(seg.obs, 2)))
        adv = self.lay(advantage)
        new = policy_step(
            self.policy_net, theta, x, self.batch(self.tensor(seg.actions)), adv, p.lr,
            p.ent_coef, False,
        )  # fmt: skip
        with torch.no_grad():
            for name, param in self.policy_net.named_parameters():
                param.copy_(new[name].detach())

    def meta_inputs(self, seg: Played, env_adv: FloatArray) -> MetaInputs:
        """The giver's-step inputs: the stored previous segment and ``seg`` (``τ̂``)."""
        assert self._previous is not None
        prev, theta, _, baseline = self._previous
        torch = torch_module()
        return MetaInputs(
            x=self.batch(self.tensor(self.prep(prev.obs, 2))),
            ids=self.batch(self.tensor(prev.others)),
            actions=self.batch(self.tensor(prev.actions)),
            env=torch.as_tensor(prev.env, dtype=torch.float32, device=self.device),
            baseline=torch.as_tensor(
                np.broadcast_to(baseline, prev.env.shape).copy(),
                dtype=torch.float32,
                device=self.device,
            ),
            theta=theta,
            x_new=self.batch(self.tensor(self.prep(seg.obs, 2))),
            actions_new=self.batch(self.tensor(seg.actions)),
            advantages_new=torch.as_tensor(env_adv, dtype=torch.float32, device=self.device),
        )

    def incentive_gradient(self, data: MetaInputs) -> list[Any]:
        """Every giver's ``∂J_j/∂η_j`` at the incentive parameters that paid ``τ``."""
        assert self._previous is not None
        p = self.params
        return incentive_gradient(
            self.policy_net,
            self.incentive_net,
            self._previous[2],
            data,
            self.layout,
            self.lay,
            self.unlay,
            r_max=p.r_max,
            lr=p.lr,
            ent_coef=p.ent_coef,
            gamma=p.gamma,
            cost=p.cost,
        )

    def incentive_step(self, data: MetaInputs) -> None:
        """One Adam ascent step of the current incentive networks along the meta-gradient."""
        grads = self.incentive_gradient(data)
        self.optimizer.zero_grad()
        for param, grad in zip(self.incentive_net.parameters(), grads, strict=True):
            param.grad = -grad
        self.optimizer.step()

    # -- layout ---------------------------------------------------------------------------
    @staticmethod
    def snapshot(net: Any) -> dict[str, Any]:
        """A detached copy of ``net``'s parameters (keeping which ones learn)."""
        return {
            name: p.detach().clone().requires_grad_(p.requires_grad)
            for name, p in net.named_parameters()
        }

    def lay(self, x: Any) -> Any:
        """``[T, m]`` → ``[G, R]`` (NumPy becomes float32; a tensor keeps its dtype)."""
        if isinstance(x, np.ndarray):
            x = torch_module().as_tensor(x, dtype=torch_module().float32, device=self.device)
        return self.batch(x)

    def unlay(self, y: Any) -> Any:
        """``[G, R, k]`` (the :meth:`batch` layout) → ``[T, m, k]``."""
        return y.reshape(self.m, -1, y.shape[-1]).transpose(0, 1)
