"""Small torch building blocks of the neural learners (``actor_critic``, ``maddpg``).

Observation encoding (:class:`ObsEncoder`, NumPy only)
    ``Discrete(n)`` observations become one-hot vectors ``e_{s − start} ∈ {0, 1}^n`` (at most
    :data:`MAX_ONE_HOT` states); ``Box`` observations are flattened and, when every bound is
    finite, mapped affinely from ``[low, high]`` to ``[−1, 1]`` (otherwise passed raw). The
    encoder works on any leading batch shape: ``[m]`` / ``[m, ...]`` or ``[B, m]`` /
    ``[B, m, ...]`` → ``float32[..., m, d]``.

Per-agent networks vectorised over the group (:class:`AgentMLP`)
    Each of the ``m`` agents owns its *own* parameters (no sharing: the agents of a group
    are independent learners, like the tabular learners' per-agent tables). Layer ``ℓ``
    stores ``W_ℓ: [m, in, out]`` and ``b_ℓ: [m, out]`` and maps ``x: [B, m, in]`` by one
    batched matmul ``einsum("bmi,mio->bmo")``, so a step costs no Python loop over agents.
    Hidden layers use ``tanh``. Weights start ``N(0, 1/in)`` (LeCun), biases 0; the last
    layer is scaled by ``out_scale`` (small for actors: a near-uniform initial policy).
    Because Adam is elementwise and every loss is a *sum* of per-agent terms, an agent's
    update never depends on another agent's parameters or rewards.

Randomness and threads (:func:`setup_torch`)
    Initial weights come from a ``torch.Generator`` seeded with ``rng.integers(2**63)`` of
    the learner's NumPy generator; every later random draw (actions, Gumbel noise, replay
    sampling) uses that NumPy generator, so a pickled learner continues identically.
    ``torch.set_num_threads(threads)`` is process-wide (default 1: the networks are tiny and
    runs are parallelised across processes instead).

Acting and training (:class:`ActorLearner`, :func:`optimizer_step`)
    Both learners act from a per-agent actor ``π_i(·|o_i) = softmax(actor(x_i))`` over the
    encoded observation: :class:`ActorLearner` holds ``policy`` (``π`` in ``float64``),
    ``act`` (one sample per agent from the learner's NumPy generator), the actor's shape
    (:meth:`~ActorLearner.build_actor`: ``[d, hidden × layers, A]``, last layer scaled by
    0.01) and the hidden sizes; :func:`optimizer_step` is one gradient step on a loss.

torch is optional: nothing here imports it at module level (:func:`setup_torch` calls
``core.differentiable.require_torch``).
"""

from __future__ import annotations

import itertools
from typing import Any, ClassVar, TypeVar

import numpy as np
from gymnasium import spaces

from incentive_lab.core.differentiable import require_torch
from incentive_lab.core.errors import ConfigError
from incentive_lab.core.learner import Learner, LearnerContext
from incentive_lab.core.params import Params
from incentive_lab.core.types import Actions, FloatArray, Obs, Probs
from incentive_lab.learners.exploration import sample, softmax

P = TypeVar("P", bound=Params)

MAX_ONE_HOT = 4096
"""Largest ``Discrete`` observation space the encoder one-hot encodes."""


def setup_torch(learner_id: str, threads: int | None, rng: np.random.Generator) -> tuple[Any, Any]:
    """``(torch, generator)``: import torch (or ``ConfigError``), set threads, seed a generator."""
    torch = require_torch("learner.id", learner_id)
    if threads is not None and torch.get_num_threads() != threads:
        torch.set_num_threads(threads)
    generator = torch.Generator().manual_seed(int(rng.integers(2**63 - 1)))
    return torch, generator


def torch_module() -> Any:
    """``torch`` (imported lazily; a ``ConfigError`` naming the extra when missing)."""
    return require_torch("learner.id", "torch")


class ObsEncoder:
    """Encode a group's observations as ``float32[..., m, d]`` (see the module docstring)."""

    def __init__(self, context: LearnerContext, learner_id: str) -> None:
        space = context.observation_space
        self.discrete = isinstance(space, spaces.Discrete)
        self.low: FloatArray | None = None
        self.scale: FloatArray | None = None
        if isinstance(space, spaces.Discrete):
            if int(space.n) > MAX_ONE_HOT:
                raise ConfigError(
                    "learner.id",
                    learner_id,
                    f"a game with at most {MAX_ONE_HOT} discrete observations (one-hot "
                    f"encoded); this one has {int(space.n)}",
                )
            self.dim = int(space.n)
            self.start = int(space.start)
        elif isinstance(space, spaces.Box):
            self.dim = int(np.prod(space.shape)) if space.shape else 1
            self.start = 0
            low = np.asarray(space.low, dtype=np.float64).ravel()
            high = np.asarray(space.high, dtype=np.float64).ravel()
            if np.all(np.isfinite(low)) and np.all(np.isfinite(high)) and np.all(high > low):
                self.low, self.scale = low, 2.0 / (high - low)
        else:
            raise ConfigError(
                "learner.id",
                learner_id,
                f"a game with Discrete or Box observations (got {type(space).__name__})",
            )

    def raw_shape(self) -> tuple[int, ...]:
        """Per-agent shape of the stored raw observation (``()`` for discrete)."""
        return () if self.discrete else (self.dim,)

    def __call__(self, obs: Obs, batched: bool = False) -> np.ndarray[Any, Any]:
        """``float32[(B,) m, d]`` encodings of ``obs`` (``[(B,) m]`` or ``[(B,) m, ...]``)."""
        array = np.asarray(obs)
        lead = array.shape[: 2 if batched else 1]
        if self.discrete:
            index = array.reshape(lead).astype(np.int64) - self.start
            out = np.zeros((*lead, self.dim), dtype=np.float32)
            np.put_along_axis(out, index[..., None], 1.0, axis=-1)
            return out
        flat = array.reshape(*lead, self.dim).astype(np.float64)
        if self.low is not None and self.scale is not None:
            flat = (flat - self.low) * self.scale - 1.0
        return flat.astype(np.float32)


class AgentMLP:
    """``m`` independent MLPs evaluated by batched matmuls (see the module docstring)."""

    def __init__(
        self,
        torch: Any,
        generator: Any,
        m: int,
        sizes: list[int],
        out_scale: float = 1.0,
    ) -> None:
        self.weights: list[Any] = []
        self.biases: list[Any] = []
        for k, (fan_in, fan_out) in enumerate(itertools.pairwise(sizes)):
            scale = (1.0 / fan_in) ** 0.5 * (out_scale if k == len(sizes) - 2 else 1.0)
            w = torch.randn(m, fan_in, fan_out, generator=generator) * scale
            self.weights.append(w.requires_grad_(True))
            self.biases.append(torch.zeros(m, fan_out, requires_grad=True))

    def parameters(self) -> list[Any]:
        """Every parameter tensor (weights then biases)."""
        return [*self.weights, *self.biases]

    def __call__(self, x: Any) -> Any:
        """``[B, m, out]`` for ``x: [B, m, in]`` (``tanh`` between layers)."""
        last = len(self.weights) - 1
        for k, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            x = _batched(x, w) + b
            if k < last:
                x = x.tanh()
        return x

    def copy(self, torch: Any) -> AgentMLP:
        """A detached deep copy (target networks)."""
        clone = AgentMLP.__new__(AgentMLP)
        clone.weights = [w.detach().clone() for w in self.weights]
        clone.biases = [b.detach().clone() for b in self.biases]
        return clone

    def soft_update(self, torch: Any, source: AgentMLP, tau: float) -> None:
        """Polyak averaging ``θ' ← τ·θ + (1 − τ)·θ'`` toward ``source``."""
        with torch.no_grad():
            for mine, theirs in zip(self.parameters(), source.parameters(), strict=True):
                mine.mul_(1.0 - tau).add_(theirs.detach(), alpha=tau)


def _batched(x: Any, w: Any) -> Any:
    """``einsum("bmi,mio->bmo")`` as one ``bmm`` over the agent axis."""
    return x.transpose(0, 1).bmm(w).transpose(0, 1)


def gumbel_softmax_st(logits: Any, gumbel: Any, temperature: float) -> Any:
    """Straight-through Gumbel-softmax: forward ``onehot(argmax(f + g))``, backward ``∇s``.

    ``s = softmax((f + g)/T)``; returns ``onehot − sg(s) + s`` (``sg``: stop-gradient). With
    ``g ~ Gumbel(0, 1)`` i.i.d. the forward value is a sample of ``softmax(f)`` (Gumbel-max).
    """
    torch = torch_module()
    soft = torch.softmax((logits + gumbel) / temperature, dim=-1)
    hard = torch.nn.functional.one_hot(soft.argmax(-1), soft.shape[-1]).to(soft.dtype)
    return hard - soft.detach() + soft


def optimizer_step(optimizer: Any, loss: Any) -> None:
    """One step of ``optimizer`` on ``loss``: zero the gradients, back-propagate, step."""
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()


class ActorLearner(Learner[P]):
    """A group acting from per-agent actor networks (see the module docstring).

    Subclasses set ``encode`` and build ``actor`` (:meth:`build_actor`) in ``__init__``;
    their params have ``hidden`` and ``layers``.
    """

    learner_id: ClassVar[str] = ""
    encode: ObsEncoder
    actor: AgentMLP

    def hidden_sizes(self) -> list[int]:
        """``[hidden] × layers``: the hidden widths of every network of the learner."""
        params: Any = self.params
        return [params.hidden] * params.layers

    def build_actor(self, torch: Any, generator: Any) -> AgentMLP:
        """The actors ``[d, *hidden, A]``, last layer scaled by 0.01 (near-uniform start)."""
        sizes = [self.encode.dim, *self.hidden_sizes(), self.context.n_actions]
        return AgentMLP(torch, generator, self.context.n_agents, sizes, out_scale=0.01)

    def encoded(self, obs: Obs) -> Any:
        """``float32[1, m, d]`` tensor of the group's encoded observations."""
        return torch_module().from_numpy(self.encode(obs))[None]

    def policy(self, obs: Obs) -> Probs:
        """``float64[m, A]``: each agent's ``π_i(·|o_i)``."""
        torch = torch_module()
        with torch.no_grad():
            logits = self.actor(self.encoded(obs))[0]
        return softmax(logits.numpy().astype(np.float64))

    def act(self, obs: Obs) -> Actions:
        """``int64[m]``: one action per agent sampled from its policy."""
        return sample(self.policy(obs), self.rng)
