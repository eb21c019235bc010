"""Evolutionary game selection (``game_selection``): games and strategies co-evolve (SPEC §1.4).

Model (Sadekar, Civilini, Gómez-Gardeñes, Latora & Battiston, *Evolutionary game selection
creates cooperative environments*, Phys. Rev. E 110, 014306 (2024), arXiv:2311.11128)
    Each player carries a strategy (C or D) and a game ``g`` from a set of 2×2 symmetric
    games ``M_g = [[R, S_g], [T_g, P]]`` with ``R = 1``, ``P = 0`` (rows: own C, D;
    columns: the co-player's C, D). Players interact with their neighbours on a graph
    (payoff = the **sum** over their interactions) or, ``graph.kind: well_mixed``, with the
    whole population (payoff = the **mean** over all ``N − 1`` others, the exact expected
    payoff of one random interaction). In the learning stage a player picks a role model
    and copies *both* game and strategy with probability ∝ the payoff difference when the
    model earned more.

Design: the action is the joint type
    ``action = 2·g + s`` (``s = 0`` cooperate, ``1`` defect; ``n_actions = 2·len(games)``).
    The game reads each player's game index and strategy from its action, and the learning
    stage is any learner: ``proportional_imitation`` copies the role model's whole action —
    game and strategy at once, with probability ``(π_j − π_i)⁺/Δmax`` — which is exactly
    the model's rule, with no second imitation step hidden inside the game (games and
    learners are siblings and may not call each other). The population's game-type array
    is thus part of the joint action (``game_types`` of the last step); the initial
    fractions of types are the learner's ``initial`` distribution over actions.

Abandon the worse (seed 004's closing idea)
    A player who meets a *lower*-paid player should also abandon that player's game type
    and strategy. Since the learning stage is the learner's, this is the ``repel`` option
    of ``proportional_imitation`` with ``action_factors: [len(games), 2]`` (the action as
    the pair (game, strategy)): with probability ``min(repel·(π_i − π_j)/Δmax, 1)`` the
    player redraws each component it shares with the lower-paid model — another game
    uniformly among the other ``K − 1``, the other strategy (see that module for the mean
    field: in a well-mixed population with this game's deterministic payoffs a player's
    payoff is a function of its type, so players sharing the whole type earn the same and
    only pairs sharing the game *or* the strategy can repel; on a graph, payoffs also
    differ within a type). ``benchmarks/abandon_rule.py`` (scenario ``selection BA``)
    runs it; it slows cooperation there too. A game-side ``repel`` parameter would be
    inert (games do not move players).

Coupling rule (``coupling``) for a pair holding different games
    ``own`` (default, SPEC §1.4): each player is paid by its own game, ``M_{g_i}[s_i, s_j]``.
    ``average``: both are paid by the mean matrix ``(M_{g_i} + M_{g_j})/2``. ``random``: each
    pair (undirected edge) draws one of its two games uniformly each step and both are paid
    by it (well mixed: the expected payoff, i.e. ``average``). A "host's game" rule in
    which each player hosts one interaction per neighbour under its own game pays exactly
    ``2 × average`` on every edge and is therefore not a separate option.

Graphs (``graph.kind``): ``well_mixed`` (no topology), ``random_regular`` (``degree``),
``erdos_renyi`` (mean degree ``degree``), ``barabasi_albert`` (``degree/2`` edges per new
node), ``watts_strogatz`` (ring of ``degree`` rewired with ``rewiring``), ``lattice``
(periodic, ``n_agents`` a perfect square). Graphs are drawn once from ``graph.seed`` and
exposed as ``game.topology``; an isolated node earns 0, and imitation learners that need
neighbours reject graphs with isolated nodes.

Large well-mixed populations follow the replicator equation on the joint types with the
payoff matrix :meth:`GameSelection.type_matrix` (``A[(g,s), (g',s')]``); with one game it
is the 2×2 game itself and the model reduces to proportional imitation.

Metrics (``info["metrics"]``): ``cooperation_rate`` (fraction playing C), ``mean_T``,
``mean_S`` (population averages of the players' games). Observations: ``Discrete(1)``.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import networkx as nx
import numpy as np
from gymnasium import spaces
from pydantic import Field, model_validator

from incentive_lab.core.errors import ConfigError
from incentive_lab.core.game import Game, GameMetadata, StepResult
from incentive_lab.core.params import Params, field_error
from incentive_lab.core.registry import register
from incentive_lab.core.topology import Topology
from incentive_lab.core.types import Actions, FloatArray, IntArray, Obs, Rewards

GraphKind = Literal[
    "well_mixed", "random_regular", "erdos_renyi", "barabasi_albert", "watts_strogatz", "lattice"
]


class SelectionGraph(Params):
    """The interaction graph of ``game_selection``."""

    kind: GraphKind = "well_mixed"
    """Graph family (``well_mixed``: everyone meets everyone, mean payoff)."""
    degree: int = Field(4, ge=1)
    """(Mean) degree; ``barabasi_albert`` attaches ``degree/2`` edges per node."""
    rewiring: float = Field(0.1, ge=0.0, le=1.0)
    """Rewiring probability of ``watts_strogatz``."""
    neighbourhood: Literal["von_neumann", "moore"] = "von_neumann"
    """Lattice neighbourhood (``lattice`` only)."""
    seed: int = Field(0, ge=0)
    """Seed of the random graph kinds."""


class GameSelectionParams(Params):
    """Game selection: each player's action is its type ``2·game + strategy``."""

    n_agents: int = Field(100, ge=2)
    """Population size."""
    games: list[tuple[float, float]] = Field(
        default_factory=lambda: [(1.5, -0.5), (0.5, 0.5)], min_length=1
    )
    """The games as ``[T, S]`` pairs (R = 1, P = 0); default a PD and a harmony game."""
    coupling: Literal["own", "average", "random"] = "own"
    """Which matrix pays a pair holding different games (see the module docstring)."""
    graph: SelectionGraph = Field(default_factory=lambda: SelectionGraph.model_validate({}))
    """Who interacts with whom."""

    @model_validator(mode="after")
    def _consistent(self) -> GameSelectionParams:
        name = type(self).__name__
        for k, (t, s) in enumerate(self.games):
            if not (math.isfinite(t) and math.isfinite(s)):
                raise field_error(name, f"games.{k}", [t, s], "finite [T, S] values")
        n, graph = self.n_agents, self.graph
        if graph.kind == "lattice":
            side = math.isqrt(n)
            if side * side != n or side < 3:
                raise field_error(name, "n_agents", n, "a perfect square >= 9 for a lattice")
        elif graph.kind != "well_mixed":
            if graph.degree >= n:
                raise field_error(name, "graph.degree", graph.degree, f"less than n_agents = {n}")
            if graph.kind == "random_regular" and (n * graph.degree) % 2:
                raise field_error(name, "graph.degree", graph.degree, "n_agents·degree even")
            if graph.kind in ("barabasi_albert", "watts_strogatz") and graph.degree < 2:
                raise field_error(name, "graph.degree", graph.degree, f">= 2 for {graph.kind}")
        return self


def build_graph(spec: SelectionGraph, n: int) -> Topology | None:
    """The topology of ``spec`` over ``n`` agents (``None`` when well mixed)."""
    if spec.kind == "well_mixed":
        return None
    if spec.kind == "lattice":
        return Topology.lattice(math.isqrt(n), spec.neighbourhood)
    if spec.kind == "random_regular":
        graph = nx.random_regular_graph(spec.degree, n, seed=spec.seed)
    elif spec.kind == "erdos_renyi":
        graph = nx.fast_gnp_random_graph(n, spec.degree / (n - 1), seed=spec.seed)
    elif spec.kind == "barabasi_albert":
        graph = nx.barabasi_albert_graph(n, spec.degree // 2, seed=spec.seed)
    else:
        graph = nx.watts_strogatz_graph(n, spec.degree, spec.rewiring, seed=spec.seed)
    return Topology.from_networkx(graph)


@register(
    "game",
    "game_selection",
    params=GameSelectionParams,
    description="Co-evolution of games (T, S) and strategies; action = 2·game + strategy",
    population=True,
)
class GameSelection(Game[GameSelectionParams]):
    """Players of several 2×2 games on a graph or well mixed; actions are joint types."""

    def __init__(self, params: GameSelectionParams) -> None:
        super().__init__(params)
        n = self.n_agents = params.n_agents
        self.n_games = len(params.games)
        self.n_actions = 2 * self.n_games
        self.observation_space = spaces.Discrete(1)
        self.topology = build_graph(params.graph, n)
        if self.topology is not None:
            self._src = np.repeat(np.arange(n, dtype=np.int64), self.topology.degrees)
            self._dst = self.topology.indices
            low, high = np.minimum(self._src, self._dst), np.maximum(self._src, self._dst)
            _, self._edge = np.unique(low * n + high, return_inverse=True)
            self._choice: IntArray = np.zeros(int(self._edge.max(initial=-1)) + 1, dtype=np.int64)
        self._rng: np.random.Generator | None = None
        self._types: IntArray = np.zeros(n, dtype=np.int64)
        self._rules_changed()

    def _rules_changed(self) -> None:
        games = np.asarray(self.params.games, dtype=np.float64).reshape(-1, 2)
        self.temptation, self.sucker = games[:, 0], games[:, 1]
        table = np.zeros((self.n_games, 2, 2))
        table[:, 0, 0] = 1.0
        table[:, 0, 1] = self.sucker
        table[:, 1, 0] = self.temptation
        self.table: FloatArray = table
        names = tuple(f"game{g}_{s}" for g in range(self.n_games) for s in ("C", "D"))
        stochastic = self.params.coupling == "random" and self.topology is not None
        self.metadata = GameMetadata(
            cooperative_action=0 if self.n_games == 1 else None,
            action_names=names,
            stochastic=stochastic,
        )

    def reconfigure(self, **changes: Any) -> None:
        """Change payoffs or coupling mid-run; the number of games and the graph are fixed."""
        old = self.params
        super().reconfigure(**changes)
        if len(self.params.games) != len(old.games) or self.params.graph != old.graph:
            self.params = old
            self._rules_changed()
            key = "games" if "games" in changes else "graph"
            raise ConfigError(f"game.params.{key}", changes.get(key), "cannot change mid-run")

    def type_matrix(self) -> FloatArray:
        """``[2K, 2K]``: well-mixed payoff of type ``(g, s)`` against type ``(g', s')``."""
        k = self.n_games
        own = np.zeros((k, 2, k, 2))
        own[:] = self.table[:, :, None, :]
        if self.params.coupling != "own":
            other = np.transpose(own, (2, 1, 0, 3))  # game of the co-player
            own = 0.5 * (own + other)
        return own.reshape(2 * k, 2 * k)

    @property
    def game_types(self) -> IntArray:
        """``int64[n]``: each player's game index in the last step."""
        return self._types

    def reset(self, rng: np.random.Generator) -> Obs:
        """Keep ``rng`` (for the ``random`` coupling draws)."""
        self._rng = rng
        return np.zeros(self.n_agents, dtype=np.int64)

    def step(self, actions: Actions) -> StepResult:
        """Play every interaction once; report cooperation and the mean (T, S)."""
        actions = self.check_actions(actions)
        if self.params.coupling == "random" and self.topology is not None:
            if self._rng is None:
                raise RuntimeError("game_selection: call reset(rng) before step()")
            size = (self._choice.shape[0],)
            self._choice = self._rng.integers(0, 2, size=size, dtype=np.int64)
        rewards = self.rewards_for(actions)
        self._types = np.asarray(actions // 2, dtype=np.int64)
        metrics = {
            "cooperation_rate": float(np.mean(actions % 2 == 0)),
            "mean_T": float(self.temptation[self._types].mean()),
            "mean_S": float(self.sucker[self._types].mean()),
        }
        return StepResult(
            obs=np.zeros(self.n_agents, dtype=np.int64), rewards=rewards, info={"metrics": metrics}
        )

    def rewards_for(self, actions: Actions) -> Rewards:
        """Payoffs of ``actions`` (graph: sum over neighbours; well mixed: mean over others)."""
        actions = np.asarray(actions, dtype=np.int64)
        n = self.n_agents
        if self.topology is None:
            matrix = self.type_matrix()
            counts = np.bincount(actions, minlength=self.n_actions).astype(np.float64)
            totals = matrix @ counts
            result: Rewards = (totals[actions] - matrix[actions, actions]) / (n - 1)
            return result
        game, strategy = actions // 2, actions % 2
        src, dst = self._src, self._dst
        s_own, s_other = strategy[src], strategy[dst]
        coupling = self.params.coupling
        if coupling == "own":
            pay: FloatArray = self.table[game[src], s_own, s_other]
        elif coupling == "average":
            pay = 0.5 * (
                self.table[game[src], s_own, s_other] + self.table[game[dst], s_own, s_other]
            )
        else:
            low = np.minimum(src, dst)
            high = np.maximum(src, dst)
            chosen = np.where(self._choice[self._edge] == 0, game[low], game[high])
            pay = self.table[chosen, s_own, s_other]
        sums = np.bincount(src, weights=pay, minlength=n)
        return np.asarray(sums, dtype=np.float64)

    def describe(self) -> str:
        """The games, the action encoding and the coupling rule in plain text."""
        games = "; ".join(
            f"game {g}: T={t:g}, S={s:g}" for g, (t, s) in enumerate(self.params.games)
        )
        return (
            "Each player picks a game and a strategy: action = 2*game + strategy "
            f"(strategy 0 = cooperate, 1 = defect). Payoffs R=1, P=0, {games}. "
            f"Pairs holding different games are paid by the '{self.params.coupling}' rule; "
            f"interactions: {self.params.graph.kind}."
        )
