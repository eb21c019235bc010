"""Interaction graphs for games played on a network, built once into a core ``Topology``.

Kinds (``GraphSpec.kind``)
    ``ring``: each agent linked to its ``degree/2`` nearest agents on each side (``degree``
    even, ``2 <= degree < n``). ``lattice``: a periodic ``√n × √n`` square lattice (``n`` a
    perfect square, side >= 3) with the von Neumann (4) or Moore (8) neighbourhood.
    ``random_regular``: a uniformly random ``degree``-regular graph (``n·degree`` even).
    ``erdos_renyi``: G(n, p) with ``p = degree / (n−1)`` (mean degree ``degree``).

Random kinds are drawn from ``seed`` (a graph is a rule of the game, fixed at
construction, not episode randomness). Built with networkx.
"""

from __future__ import annotations

import math
from typing import Literal

import networkx as nx
from pydantic import Field

from incentive_lab.core.params import Params
from incentive_lab.core.topology import Topology


class GraphSpec(Params):
    """Which graph the agents live on."""

    kind: Literal["ring", "lattice", "random_regular", "erdos_renyi"] = "ring"
    """Graph family."""
    degree: int = Field(4, ge=1)
    """Neighbours per agent (mean degree for ``erdos_renyi``; unused for ``lattice``)."""
    neighbourhood: Literal["von_neumann", "moore"] = "von_neumann"
    """Lattice neighbourhood (``lattice`` only)."""
    seed: int = Field(0, ge=0)
    """Seed of the random kinds."""


def graph_problem(spec: GraphSpec, n: int) -> tuple[str, str] | None:
    """``(field, allowed)`` if ``spec`` cannot be built on ``n`` agents, else ``None``."""
    if spec.kind == "lattice":
        side = math.isqrt(n)
        if side * side != n or side < 3:
            return "n_agents", "a perfect square >= 9 for a lattice"
        return None
    if spec.degree >= n:
        return "graph.degree", f"less than n_agents = {n}"
    if spec.kind == "ring" and spec.degree % 2:
        return "graph.degree", "an even number for a ring"
    if spec.kind == "random_regular" and (n * spec.degree) % 2:
        return "graph.degree", f"n_agents·degree even (n_agents = {n})"
    return None


def build_topology(spec: GraphSpec, n: int) -> Topology:
    """The graph of ``spec`` over ``n`` agents (check :func:`graph_problem` first)."""
    if spec.kind == "lattice":
        return Topology.lattice(math.isqrt(n), spec.neighbourhood)
    if spec.kind == "ring":
        graph = nx.circulant_graph(n, range(1, spec.degree // 2 + 1))
    elif spec.kind == "random_regular":
        graph = nx.random_regular_graph(spec.degree, n, seed=spec.seed)
    else:
        graph = nx.fast_gnp_random_graph(n, spec.degree / (n - 1), seed=spec.seed)
    return Topology.from_networkx(graph)
