"""Population structure: who plays with and imitates whom.

A :class:`Topology` is an undirected graph over agents ``0..n-1`` stored as CSR neighbour
arrays (``indptr: int64[n+1]``, ``indices: int64[nnz]``): the neighbours of agent ``i`` are
``indices[indptr[i]:indptr[i+1]]``. Games expose it; imitation learners read it. It is the
one channel by which structure passes between the sibling layers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from incentive_lab.core.errors import ConfigError
from incentive_lab.core.types import IntArray


@dataclass(frozen=True, eq=False)
class Topology:
    """CSR adjacency of an undirected graph over ``n`` agents."""

    indptr: IntArray
    indices: IntArray

    @property
    def n(self) -> int:
        """Number of agents."""
        return int(self.indptr.shape[0] - 1)

    @property
    def degrees(self) -> IntArray:
        """``int64[n]``: number of neighbours of each agent."""
        return np.diff(self.indptr)

    def neighbours(self, i: int) -> IntArray:
        """``int64[k_i]``: the neighbours of agent ``i``."""
        return self.indices[self.indptr[i] : self.indptr[i + 1]]

    @classmethod
    def from_edges(cls, n: int, edges: IntArray) -> Topology:
        """Build from an ``int64[m, 2]`` array of undirected edges (no self loops)."""
        edges = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
        both = np.concatenate([edges, edges[:, ::-1]])
        both = both[both[:, 0] != both[:, 1]]
        both = np.unique(both, axis=0)
        counts = np.bincount(both[:, 0], minlength=n)
        indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        return cls(indptr=indptr, indices=both[:, 1].astype(np.int64))

    @classmethod
    def from_networkx(cls, graph: Any) -> Topology:
        """Build from a networkx graph; nodes are relabelled ``0..n-1`` in iteration order."""
        nodes = list(graph.nodes)
        index = {node: k for k, node in enumerate(nodes)}
        edges = np.array([(index[u], index[v]) for u, v in graph.edges], dtype=np.int64)
        return cls.from_edges(len(nodes), edges)

    @classmethod
    def lattice(cls, side: int, neighbourhood: Literal["von_neumann", "moore"]) -> Topology:
        """``side × side`` periodic square lattice; agent ``i = row * side + col``."""
        if side < 3:
            raise ConfigError("side", side, "a periodic lattice needs side >= 3")
        offsets = [(0, 1), (1, 0), (0, -1), (-1, 0)]
        if neighbourhood == "moore":
            offsets += [(1, 1), (1, -1), (-1, 1), (-1, -1)]
        elif neighbourhood != "von_neumann":
            raise ConfigError("neighbourhood", neighbourhood, "allowed: von_neumann, moore")
        rows, cols = np.divmod(np.arange(side * side, dtype=np.int64), side)
        columns = [((rows + dr) % side) * side + (cols + dc) % side for dr, dc in offsets]
        indices = np.stack(columns, axis=1)  # [n, k], fixed order per agent
        k = len(offsets)
        indptr = np.arange(0, side * side * k + 1, k, dtype=np.int64)
        return cls(indptr=indptr, indices=indices.reshape(-1))
