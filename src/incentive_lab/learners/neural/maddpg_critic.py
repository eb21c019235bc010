"""What a ``maddpg`` critic sees of the other agents: joint blocks, neighbours or the mean.

For per-agent vectors ``z: [B, m, dz]`` (encoded observation ‖ one-hot action),
:meth:`CriticInput.join` builds every critic's input ``[B, m, (1 + slots)·dz]`` as agent
``i``'s own ``z_i`` (possibly with a relaxed action) followed by the others:

``joint`` (``block = k``)
    the other ``k − 1`` members of ``i``'s block of consecutive agents, cyclic order
    ``i+1, …, i−1`` within the block (``slots = k − 1``); one gather, no loop.
``neighbours``
    the mean over ``i``'s topology neighbours inside the group (``index_add`` over the CSR
    edges; zeros for an agent without any), ``slots = 1``.
``mean``
    the mean over the other ``m − 1`` agents of the group (zeros when ``m = 1``),
    ``slots = 1``.

:func:`critic_input` resolves ``auto`` and checks ``block`` (see ``learners.neural.maddpg``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from incentive_lab.core.errors import ConfigError
from incentive_lab.core.learner import LearnerContext
from incentive_lab.core.types import FloatArray, IntArray
from incentive_lab.learners.neural.torch_nets import torch_module

MAX_JOINT = 16
"""``auto`` uses a joint critic over each copy when the game plays equal copies, else over the
whole group up to this many agents."""


class CriticInput:
    """How the others enter each agent's critic (see the module docstring)."""

    def __init__(
        self,
        mode: str,
        m: int,
        block: int = 1,
        edges: tuple[IntArray, IntArray] | None = None,
    ) -> None:
        self.mode = mode
        self.m = m
        self.slots = block - 1 if mode == "joint" else 1
        if mode == "joint":
            position = np.arange(m) % block
            base = np.arange(m) - position
            shift = np.arange(1, block)
            self.index: IntArray = base[:, None] + (position[:, None] + shift[None, :]) % block
        elif mode == "neighbours":
            rows, cols = edges if edges is not None else (np.zeros(0, np.int64),) * 2
            self.rows, self.cols = rows, cols
            degree = np.bincount(rows, minlength=m).astype(np.float32)
            self.inv_degree: FloatArray = 1.0 / np.maximum(degree, 1.0)

    def join(self, own: Any, z: Any) -> Any:
        """``[B, m, (1 + slots)·dz]``: ``own`` followed by the others' part of ``z``."""
        torch = torch_module()
        batch, m, dz = z.shape
        if self.mode == "joint":
            if self.slots == 0:
                return own
            others = z[:, torch.from_numpy(self.index)].reshape(batch, m, self.slots * dz)
        elif self.mode == "neighbours":
            total = z.new_zeros(batch, m, dz).index_add(
                1, torch.from_numpy(self.rows), z[:, torch.from_numpy(self.cols)]
            )
            others = total * torch.from_numpy(self.inv_degree)[None, :, None]
        else:
            others = (z.sum(dim=1, keepdim=True) - z) / max(m - 1, 1)
        return torch.cat([own, others], dim=-1)


def _copy_block(context: LearnerContext) -> int | None:
    """The copy size if the group is a whole number of equal, contiguous copies (2..64)."""
    if context.copies is None:
        return None
    copies = np.asarray(context.copies)[context.agents]
    _, starts, sizes = np.unique(copies, return_index=True, return_counts=True)
    size = int(sizes[0])
    contiguous = np.all(np.diff(copies) >= 0) and np.array_equal(
        np.sort(starts), np.arange(0, copies.size, size)
    )
    if not 2 <= size <= 64 or not np.all(sizes == size) or not contiguous:
        return None
    return size


def critic_input(mode: str, block: int | None, context: LearnerContext) -> CriticInput:
    """Resolve ``critic``/``block`` for ``context`` into a :class:`CriticInput`."""
    m = context.n_agents
    if block is not None and mode != "joint":
        raise ConfigError("learner.params.block", block, "only with critic: joint (else null)")
    if mode == "auto":
        copy_block = _copy_block(context)
        if copy_block is not None and block is None:
            mode, block = "joint", copy_block
        else:
            mode = "neighbours" if context.topology is not None else "joint" if m <= 16 else "mean"
    if mode == "joint":
        size = m if block is None else block
        if m % size != 0:
            raise ConfigError("learner.params.block", block, f"a divisor of the group size {m}")
        if size > 64:
            raise ConfigError(
                "learner.params.critic", "joint", f"blocks of at most 64 agents (got {size})"
            )
        return CriticInput("joint", m, block=size)
    if mode == "neighbours":
        topology = context.topology
        if topology is None:
            raise ConfigError("learner.params.critic", mode, "a game with a topology")
        start, stop = int(context.agents[0]), int(context.agents[-1]) + 1
        owner = np.repeat(np.arange(topology.n), topology.degrees)
        inside = (owner >= start) & (owner < stop)
        inside &= (topology.indices >= start) & (topology.indices < stop)
        edges = (owner[inside] - start, topology.indices[inside] - start)
        return CriticInput("neighbours", m, edges=edges)
    return CriticInput("mean", m)
