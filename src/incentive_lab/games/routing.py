"""Routing networks: presets, s–t path enumeration, Wardrop and optimal flows.

A network is a list of directed edges ``(u, v, coefficients)`` (latencies as in
:mod:`incentive_lab.games.latency`). Paths are the simple ``source → sink`` paths, enumerated
with networkx and sorted (fewest edges first, then by node labels), so that action ``p`` is
always the same path. ``incidence[p, e]`` is ``True`` when path ``p`` uses edge ``e``; edge
flows are ``x = incidenceᵀ·f`` for path flows ``f``.

Presets (demand normalised to 1)
    ``pigou``: two parallel edges ``s→t`` with ``ℓ_1(x) = 1`` and ``ℓ_2(x) = x``. Wardrop
    flow all on edge 2 (cost 1), optimum ½/½ (cost ¾), price of anarchy 4/3.
    ``braess``: ``s→A: x``, ``A→t: 1``, ``s→B: 1``, ``B→t: x`` and the bridge ``A→B: 0``.
    Wardrop flow all on ``s→A→B→t`` (cost 2); optimum ½/½ on the two outer paths (1.5).
    ``braess_no_bridge``: the same without ``A→B``: Wardrop = optimum = ½/½, cost 1.5.

Flows over paths (``demand`` D split as ``f ≥ 0``, ``Σ f = D``)
    ``optimal_flow(..., objective="total")`` minimises total latency ``Σ_e x_e ℓ_e(x_e)``;
    ``objective="potential"`` minimises Beckmann's potential, whose minimisers are exactly the
    Wardrop equilibria. Both are convex programmes on the simplex, solved with SciPy's SLSQP
    with analytic gradients. ``atomic_optimum`` enumerates every split of ``n`` unit agents
    over the paths (stars and bars) when there are at most ``MAX_SPLITS`` of them.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from math import comb
from typing import Literal

import networkx as nx
import numpy as np
from scipy.optimize import minimize

from incentive_lab.core.errors import ConfigError
from incentive_lab.core.types import BoolArray, FloatArray
from incentive_lab.games import latency

Edge = tuple[str, str, tuple[float, ...]]

PRESETS: dict[str, tuple[Edge, ...]] = {
    "pigou": (("s", "t", (1.0,)), ("s", "t", (0.0, 1.0))),
    "braess": (
        ("s", "A", (0.0, 1.0)),
        ("A", "t", (1.0,)),
        ("s", "B", (1.0,)),
        ("B", "t", (0.0, 1.0)),
        ("A", "B", (0.0,)),
    ),
    "braess_no_bridge": (
        ("s", "A", (0.0, 1.0)),
        ("A", "t", (1.0,)),
        ("s", "B", (1.0,)),
        ("B", "t", (0.0, 1.0)),
    ),
}
"""Preset networks (source ``s``, sink ``t``)."""

MAX_SPLITS = 200_000
"""Largest number of atomic splits ``C(n+P−1, P−1)`` enumerated by ``atomic_optimum``."""


def edge_label(edge: Edge, index: int, edges: Sequence[Edge]) -> str:
    """``"u->v"`` (``"u->v#k"`` for the k-th parallel copy of the same pair, k ≥ 1)."""
    u, v = edge[0], edge[1]
    parallel = sum(1 for e in edges[:index] if (e[0], e[1]) == (u, v))
    return f"{u}->{v}" + (f"#{parallel}" if parallel else "")


def simple_paths(edges: Sequence[Edge], source: str, sink: str) -> BoolArray:
    """``incidence[p, e]`` of every simple ``source → sink`` path (ConfigError if none)."""
    graph = nx.MultiDiGraph()
    for e, (u, v, _) in enumerate(edges):
        graph.add_edge(u, v, key=e)
    paths: list[tuple[int, ...]] = []
    if source in graph and sink in graph and source != sink:
        for path in nx.all_simple_edge_paths(graph, source, sink):
            paths.append(tuple(int(key) for _, _, key in path))
    if not paths:
        raise ConfigError(
            "game.params.graph",
            [f"{u}->{v}" for u, v, _ in edges],
            f"a graph with at least one path from source {source!r} to sink {sink!r}",
        )
    paths.sort(key=lambda p: (len(p), [(edges[e][0], edges[e][1], e) for e in p]))
    incidence = np.zeros((len(paths), len(edges)), dtype=bool)
    for p, path in enumerate(paths):
        incidence[p, list(path)] = True
    return incidence


def optimal_flow(
    incidence: BoolArray,
    coefficients: FloatArray,
    demand: float,
    objective: Literal["total", "potential"] = "total",
) -> FloatArray:
    """Path flows ``float64[P]`` minimising total latency or Beckmann's potential."""
    a = incidence.astype(np.float64)
    n_paths = a.shape[0]
    if n_paths == 1:
        return np.array([demand])

    def value_and_gradient(f: FloatArray) -> tuple[float, FloatArray]:
        x = f @ a
        if objective == "total":
            value = float(latency.total_cost(coefficients, x))
            edge_gradient = latency.latency(coefficients, x) + latency.marginal(coefficients, x)
        else:
            value = float(latency.potential(coefficients, x))
            edge_gradient = latency.latency(coefficients, x)
        return value, a @ edge_gradient

    result = minimize(
        value_and_gradient,
        np.full(n_paths, demand / n_paths),
        jac=True,
        method="SLSQP",
        bounds=[(0.0, demand)] * n_paths,
        constraints=[
            {"type": "eq", "fun": lambda f: f.sum() - demand, "jac": lambda f: np.ones_like(f)}
        ],
        options={"ftol": 1e-14, "maxiter": 500},
    )
    flows: FloatArray = np.clip(result.x, 0.0, None)
    return flows * (demand / flows.sum())


def atomic_optimum(incidence: BoolArray, coefficients: FloatArray, n_agents: int) -> float | None:
    """Least total latency over all splits of ``n_agents`` unit agents (None: too many splits)."""
    n_paths = incidence.shape[0]
    if comb(n_agents + n_paths - 1, n_paths - 1) > MAX_SPLITS:
        return None
    bars = np.array(list(itertools.combinations(range(n_agents + n_paths - 1), n_paths - 1)))
    bars = bars.reshape(-1, n_paths - 1)
    edges = np.concatenate(
        [
            np.full((bars.shape[0], 1), -1),
            bars,
            np.full((bars.shape[0], 1), n_agents + n_paths - 1),
        ],
        axis=1,
    )
    counts = np.diff(edges, axis=1) - 1  # [splits, P]
    x = counts @ incidence.astype(np.float64)
    return float(latency.total_cost(coefficients, x).min())
