"""Networks of the deep learners (``ppo``, ``dqn``): grouped encoders, MLP heads, a GRU.

Parameter groups
    Every layer holds its parameters with a leading *group* axis ``G`` and maps inputs laid
    out as ``[G, R, ...]`` (``R`` rows per group). ``G = 1`` is parameter sharing: one
    network for every agent of the learner group, all ``m`` rows in one batched forward
    (``[1, m·B, ...]``). ``G = m`` gives every agent its own network (``share: false``),
    evaluated at once by batched matmuls (``torch.baddbmm``) and grouped convolutions
    (``conv2d(..., groups=G)``), no Python loop over agents.

Encoders (:class:`Net`)
    ``[h, w, c]`` observations (a 3-D ``Box``, e.g. a gridworld's egocentric view) go through
    a CNN: ``len(channels)`` ``k×k`` convolutions, stride 1, 'same' zero padding (the view
    keeps its size, so any view works), each followed by a ReLU, then flattened. Flat
    observations (``Box`` of any other rank, flattened; ``Discrete`` one-hot) go straight to
    the MLP. An optional one-hot agent id (the agent's player index
    inside its copy) is concatenated after the encoder. Then ``layers`` fully connected
    hidden layers of ``hidden`` units with ``tanh``, an optional GRU cell (Cho et al. 2014;
    the gate equations of ``torch.nn.GRUCell``), and a linear head.

Inputs (:class:`ObsPrep`, NumPy)
    ``Discrete(n)``: one-hot ``e_{s − start}``; ``Box`` with finite bounds: mapped affinely to
    ``[0, 1]``, else passed raw (cast to ``float32``). Observations are stored raw in the
    buffers (a ``uint8`` view stays ``uint8``) and prepared at forward time.

Initialisation (Huang et al. 2022, detail 2 of the 37 PPO details): orthogonal weights
(Saxe et al. 2014) of gain ``√2`` on hidden layers and convolutions, ``gain_head`` on the
head (0.01 for a policy: a near-uniform start, 1 for a value), biases 0; each group's slice
is initialised on its own from a ``torch.Generator`` seeded by the learner's NumPy generator.

References: Huang et al. (2022), *The 37 implementation details of proximal policy
optimization*, ICLR blog track; Saxe, McClelland & Ganguli (2014), *Exact solutions to the
nonlinear dynamics of learning in deep linear neural networks*, ICLR; Cho et al. (2014),
*Learning phrase representations using RNN encoder-decoder*, EMNLP.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from gymnasium import spaces

from incentive_lab.core.errors import ConfigError
from incentive_lab.core.types import IntArray

MAX_ONE_HOT = 4096
"""Largest ``Discrete`` observation space one-hot encoded."""


class ObsPrep:
    """Raw observations ``[..., *raw]`` → ``float32[..., *shape]`` (module docstring)."""

    def __init__(self, space: spaces.Space[Any], field: str, value: Any) -> None:
        self.discrete = isinstance(space, spaces.Discrete)
        self.low: np.ndarray[Any, Any] | None = None
        self.scale: np.ndarray[Any, Any] | None = None
        if isinstance(space, spaces.Discrete):
            if int(space.n) > MAX_ONE_HOT:
                raise ConfigError(
                    field, value, f"a game with at most {MAX_ONE_HOT} discrete observations"
                )
            self.n, self.start = int(space.n), int(space.start)
            self.raw: tuple[int, ...] = ()
            self.shape: tuple[int, ...] = (self.n,)
            self.dtype: Any = np.int64
            return
        if not isinstance(space, spaces.Box):
            raise ConfigError(
                field, value, f"a game with Discrete or Box observations ({type(space).__name__})"
            )
        self.raw = tuple(int(s) for s in space.shape)
        self.dtype = space.dtype
        self.shape = self.raw if len(self.raw) == 3 else (int(np.prod(self.raw)),)
        low = np.asarray(space.low, dtype=np.float32).reshape(self.shape)
        high = np.asarray(space.high, dtype=np.float32).reshape(self.shape)
        if np.all(np.isfinite(low)) and np.all(np.isfinite(high)) and np.all(high > low):
            self.low, self.scale = low, (1.0 / (high - low)).astype(np.float32)

    @property
    def image(self) -> bool:
        """Whether observations are ``[h, w, c]`` images (CNN encoder)."""
        return len(self.shape) == 3

    def __call__(self, obs: Any, lead: int) -> np.ndarray[Any, Any]:
        """``float32[*lead dims, *shape]`` of raw ``obs`` with ``lead`` leading axes."""
        array = np.asarray(obs)
        head = array.shape[:lead]
        if self.discrete:
            out = np.zeros((*head, self.n), dtype=np.float32)
            index = array.reshape(head).astype(np.int64) - self.start
            np.put_along_axis(out, index[..., None], 1.0, axis=-1)
            return out
        flat = array.reshape(*head, *self.shape).astype(np.float32)
        if self.low is not None and self.scale is not None:
            flat = (flat - self.low) * self.scale
        return flat


def player_index(copies: IntArray | None, agents: IntArray) -> tuple[IntArray, int]:
    """``(index[m], k)``: each agent's position among its copy's agents, and the copy size.

    The position is the agent's rank, in index order, among the group's agents of the same
    copy (0 for every agent when the game has no copies).
    """
    m = int(agents.shape[0])
    if copies is None or m == 0:
        return np.zeros(m, dtype=np.int64), 1
    mine = np.asarray(copies)[agents]
    order = np.argsort(mine, kind="stable")
    sorted_copies = mine[order]
    starts = np.flatnonzero(np.r_[True, sorted_copies[1:] != sorted_copies[:-1]])
    run = np.repeat(starts, np.diff(np.r_[starts, m]))
    index = np.empty(m, dtype=np.int64)
    index[order] = np.arange(m) - run
    return index, int(index.max()) + 1


@dataclass(frozen=True)
class NetSpec:
    """The shape of a :class:`Net`: input, extras, widths, output."""

    shape: tuple[int, ...]
    """Prepared input shape: ``(h, w, c)`` (CNN) or ``(d,)``."""
    out: int
    """Head outputs (actions, or 1 for a value)."""
    hidden: int
    layers: int
    channels: tuple[int, ...] = ()
    kernel: int = 3
    ids: int = 0
    """Size of the one-hot agent id concatenated after the encoder (0: none)."""
    gru: bool = False
    gain_head: float = 1.0


def build_net(spec: NetSpec, groups: int, generator: Any, device: Any) -> Any:
    """A :class:`Net` for ``spec`` with ``groups`` parameter groups, initialised, on ``device``."""
    from incentive_lab.learners.deep._modules import Net

    net = Net(spec, groups)
    net.initialise(generator)
    return net.to(device)
