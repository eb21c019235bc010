"""Spatial public goods with Fermi imitation on a lattice: egttools vs Mesa vs incentive-lab.

The workload (SPEC §1.3): an L × L periodic lattice, von Neumann groups (G = 5), r = 4.5,
cost 1, Fermi imitation with K = 0.5, half cooperators at the start. We measure elementary
agent-updates per second (one agent picking a neighbour and possibly adopting its strategy;
one Monte Carlo step = N of them) of

(a) egttools 0.1.14.2: ``structure.NetworkGroup`` (asynchronous pairwise Fermi imitation on
    a network of overlapping groups) and ``structure.NetworkGroupSync`` (synchronous),
    evolved with ``NetworkEvolver.evolve`` and a Python ``AbstractSpatialGame`` for the PGG
    (egttools caches fitness per neighbourhood state, so Python is rarely called). Its
    fitness sums the group-centre payoffs, not this model's (SPEC §1.3 caution): equal
    work, different numbers — compare speed only. One asynchronous generation is one
    elementary update (checked: at most one site changes per ``update_population``). The
    rate of egttools depends on the state: an update whose role model plays the same
    strategy is cheap, and its model fixates within ~20 MCS at r = 4.5 from half/half,
    after which every update is of that kind. We therefore run it for the *same number of
    MCS from the same start* as ours on the same lattice (one ``evolve`` call, whose
    set-up cost is included — as ours includes its warm-up-free per-step overhead), and
    also over the first 5 MCS only (both engines still mixed), printing its final counts;
(b) Mesa 3: a plain ``mesa.Model`` with ``SingleGrid(torus=True)`` and one agent per cell
    doing the same random-sequential rule, payoffs recomputed from the grid (what a Mesa
    user writes);
(c) incentive-lab: ``rollout.Simulation`` over ``spatial_public_goods`` with one
    ``fermi_imitation`` group (random sequential and synchronous), the full loop (game
    step, recorder-free), and the learner update alone; and ``faq`` learners on the
    lattice through the same loop (agent-steps/s: one step = every agent acts and learns).

Threads: Numba's OpenMP layer spin-waits between parallel regions, which on a shared
machine costs more than it gains, so this script sets ``OMP_WAIT_POLICY=passive`` unless
the environment already sets it.

All in one process. ``python benchmarks/bench_spatial_pgg.py [--side L] [--mcs T]``;
egttools and Mesa run on their own (smaller) workloads whose sizes are printed.
"""

from __future__ import annotations

import argparse
import math
import os
import time
from typing import Any

os.environ.setdefault("OMP_WAIT_POLICY", "passive")  # before numba's OpenMP starts

import numpy as np

from incentive_lab.core import (
    LearnerContext,
    Topology,
    make_game,
    make_learner,
    make_mechanism,
)
from incentive_lab.core.learner import Transition
from incentive_lab.rollout import LearnerGroup, Simulation

R, K, COST = 4.5, 0.5, 1.0
EGT_MIXED_R = 1.0
"""egttools' model keeps both strategies for 50+ MCS at this r (at 4.5 it fixates)."""


def bench_ours(
    side: int, mcs: int, update: str, seed: int, warm: int = 2, cooperation: float = 0.5
) -> tuple[float, float, float]:
    """(rollout agent-updates/s, learner-only agent-updates/s, final cooperation).

    ``warm`` steps run untimed first (``warm=0`` times the first ``mcs`` steps from the
    initial field; the kernels are compiled once per process by :func:`compile_all`).
    """
    game = make_game("spatial_public_goods", {"side": side, "r": R, "cost": COST})
    rng = np.random.default_rng(seed)
    learner = make_learner(
        "fermi_imitation",
        {"K": K, "update": update, "initial_cooperation": cooperation},
        LearnerContext.for_game(game),
        rng,
    )
    sim = Simulation(
        game, [LearnerGroup(0, game.n_agents, learner)], make_mechanism("none", {}, game, rng), rng
    )
    sim.run(warm)
    start = time.perf_counter()
    sim.run(mcs)
    rollout = game.n_agents * mcs / (time.perf_counter() - start)
    actions = learner.act(np.zeros(game.n_agents))
    rewards = game.rewards_for(actions)
    # no population_actions: the learner keeps its own field (as inside a rollout)
    transition = Transition(actions, actions, rewards, actions, False, False, None, None)
    start = time.perf_counter()
    for _ in range(max(mcs // 4, 1)):
        learner.update(transition)
    alone = game.n_agents * max(mcs // 4, 1) / (time.perf_counter() - start)
    return rollout, alone, float(np.mean(learner.strategies == 0))


def bench_egttools(
    side: int, mcs: int, sync: bool, seed: int, r: float = R, cooperation: float = 0.5
) -> tuple[float, list[int]]:
    """(agent-updates/s, final strategy counts) of egttools' NetworkGroup(Sync), ``mcs`` MCS.

    Strategy 0 cooperates; ``cooperation`` is its initial fraction.
    """
    import egttools
    from egttools.games import AbstractSpatialGame
    from egttools.numerical import NetworkEvolver
    from egttools.numerical.structure import NetworkGroup, NetworkGroupSync

    class LatticePGG(AbstractSpatialGame):  # type: ignore[misc]
        def __init__(self) -> None:
            AbstractSpatialGame.__init__(self)

        def calculate_fitness(self, strategy: int, state: Any) -> float:
            n_c, size = float(state[0]), float(sum(state))
            return COST * n_c * r / size - (COST if strategy == 0 else 0.0)

        def nb_strategies(self) -> int:
            return 2

        def __str__(self) -> str:
            return "LatticePGG"

        def type(self) -> str:
            return "LatticePGG"

    egttools.Random.init()
    egttools.Random.seed(seed)
    topology = Topology.lattice(side, "von_neumann")
    network = {i: [int(j) for j in topology.neighbours(i)] for i in range(topology.n)}
    structure_cls = NetworkGroupSync if sync else NetworkGroup
    game = LatticePGG()
    structure = structure_cls(2, 1.0 / K, 0.0, network, game, 1000)
    n = topology.n
    cooperators = round(cooperation * n)
    initial = np.array([cooperators, n - cooperators], dtype=np.int64)
    NetworkEvolver.evolve(2, initial, structure)  # warm up
    # one asynchronous generation is one elementary update; a synchronous one updates all N
    generations = mcs if sync else mcs * n
    start = time.perf_counter()
    final = NetworkEvolver.evolve(generations, initial, structure)
    elapsed = time.perf_counter() - start
    return n * mcs / elapsed, [int(c) for c in final]


def bench_mesa(side: int, mcs: int, seed: int) -> float:
    """Agent-updates/s of a plain Mesa 3 model of the same random-sequential rule."""
    import mesa
    from mesa.space import SingleGrid

    class Player(mesa.Agent):  # type: ignore[misc]
        def __init__(self, model: mesa.Model, cooperate: bool) -> None:
            super().__init__(model)
            self.cooperate = cooperate

    class SpatialPGG(mesa.Model):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__(seed=seed)
            self.grid = SingleGrid(side, side, torus=True)
            for x in range(side):
                for y in range(side):
                    self.grid.place_agent(Player(self, self.random.random() < 0.5), (x, y))
            self.players = list(self.agents)

        def group(self, agent: Player) -> list[Player]:
            return [agent, *self.grid.get_neighbors(agent.pos, moore=False)]

        def payoff(self, agent: Player) -> float:
            total = 0.0
            for centre in self.group(agent):
                members = self.group(centre)
                n_c = sum(m.cooperate for m in members)
                total += COST * n_c * R / len(members) - (COST if agent.cooperate else 0.0)
            return total

        def step(self) -> None:
            for _ in range(len(self.players)):
                x = self.random.choice(self.players)
                y = self.random.choice(self.grid.get_neighbors(x.pos, moore=False))
                if x.cooperate == y.cooperate:
                    continue
                w = 1.0 / (1.0 + math.exp((self.payoff(x) - self.payoff(y)) / K))
                if self.random.random() < w:
                    x.cooperate = y.cooperate

    model = SpatialPGG()
    start = time.perf_counter()
    for _ in range(mcs):
        model.step()
    return side * side * mcs / (time.perf_counter() - start)


def bench_faq(side: int, steps: int, seed: int) -> float:
    """Agent-steps/s of ``faq`` learners on the lattice through ``rollout.Simulation``."""
    game = make_game("spatial_public_goods", {"side": side, "r": R, "cost": COST})
    rng = np.random.default_rng(seed)
    learner = make_learner("faq", {}, LearnerContext.for_game(game), rng)
    sim = Simulation(
        game, [LearnerGroup(0, game.n_agents, learner)], make_mechanism("none", {}, game, rng), rng
    )
    sim.run(1)
    start = time.perf_counter()
    sim.run(steps)
    return game.n_agents * steps / (time.perf_counter() - start)


def compile_all(seed: int) -> None:
    """Compile (or load) every kernel variant, serial and threaded, outside the timings."""
    for update in ("random_sequential", "synchronous"):
        for side in (8, 256):
            bench_ours(side, 1, update, seed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", type=int, default=1000, help="our lattice side")
    parser.add_argument("--mcs", type=int, default=100, help="our Monte Carlo steps")
    parser.add_argument("--peer-side", type=int, default=100, help="egttools / Mesa side")
    parser.add_argument("--peer-mcs", type=int, default=50, help="MCS on the peers' lattice")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    mega = 1e6
    compile_all(args.seed)

    rs_roll, rs_alone, coop = bench_ours(args.side, args.mcs, "random_sequential", args.seed)
    n = args.side**2
    print(f"incentive-lab random sequential, {args.side}x{args.side}, {args.mcs} MCS:")
    print(
        f"  rollout {rs_roll / mega:8.2f} M/s  ({n * args.mcs / rs_roll:5.1f} s)  "
        f"learner alone {rs_alone / mega:8.2f} M/s   final cooperation {coop:.3f}"
    )
    sy_roll, sy_alone, coop = bench_ours(args.side, args.mcs, "synchronous", args.seed)
    print(
        f"incentive-lab synchronous:  rollout {sy_roll / mega:8.2f} M/s  "
        f"learner alone {sy_alone / mega:8.2f} M/s   final cooperation {coop:.3f}"
    )
    faq = bench_faq(args.side, max(args.mcs // 10, 2), args.seed)
    print(f"incentive-lab faq learners on the lattice (rollout): {faq / mega:8.2f} M agent-steps/s")

    peer, pm = args.peer_side, args.peer_mcs
    print(f"--- on the peers' {peer}x{peer} lattice, {pm} MCS, same rule (Fermi, K = {K}) ---")
    rs, rs_alone_p, coop = bench_ours(peer, pm, "random_sequential", args.seed)
    sy, sy_alone_p, _ = bench_ours(peer, pm, "synchronous", args.seed)
    rs_fixed, _, _ = bench_ours(peer, pm, "random_sequential", args.seed, cooperation=1.0)
    print(
        f"incentive-lab r = {R}: random sequential {rs / mega:.2f} M/s (alone "
        f"{rs_alone_p / mega:.2f}; final cooperation {coop:.3f}), synchronous {sy / mega:.2f} "
        f"M/s (alone {sy_alone_p / mega:.2f}); all cooperators (absorbing): RS "
        f"{rs_fixed / mega:.2f} M/s"
    )
    egt, counts = bench_egttools(peer, pm, sync=False, seed=args.seed)
    egt_mixed, counts_mixed = bench_egttools(peer, pm, sync=False, seed=args.seed, r=EGT_MIXED_R)
    egt_fixed, _ = bench_egttools(peer, pm, sync=False, seed=args.seed, cooperation=1.0)
    egt_sync, counts_sync = bench_egttools(peer, pm, sync=True, seed=args.seed)
    egt_sync_mixed, counts_sync_mixed = bench_egttools(
        peer, pm, sync=True, seed=args.seed, r=EGT_MIXED_R
    )
    print(
        f"egttools NetworkGroup (async): r = {R} {egt / mega:.3f} M/s (final counts C, D = "
        f"{counts}: fixates); r = {EGT_MIXED_R} {egt_mixed / mega:.3f} M/s (final {counts_mixed}: "
        f"stays mixed); all cooperators {egt_fixed / mega:.3f} M/s"
    )
    print(
        f"egttools NetworkGroupSync: r = {R} {egt_sync / mega:.3f} M/s (final {counts_sync}); "
        f"r = {EGT_MIXED_R} {egt_sync_mixed / mega:.3f} M/s (final {counts_sync_mixed})"
    )
    mesa_side = min(peer, 50)
    mesa_rate = bench_mesa(mesa_side, 2, args.seed)
    print(f"Mesa 3 model, {mesa_side}x{mesa_side}, 2 MCS: {mesa_rate / mega:8.4f} M/s")
    print("ratios ours / peer (rollout; learner alone):")
    print(
        f"  random sequential / egttools async: both mixed {rs / egt_mixed:6.1f}x; "
        f"{rs_alone_p / egt_mixed:6.1f}x   both at r = {R} (egttools fixates) "
        f"{rs / egt:6.1f}x; {rs_alone_p / egt:6.1f}x   both absorbing {rs_fixed / egt_fixed:6.1f}x"
    )
    print(
        f"  synchronous / egttools sync: both mixed {sy / egt_sync_mixed:6.1f}x; "
        f"{sy_alone_p / egt_sync_mixed:6.1f}x   both at r = {R} {sy / egt_sync:6.1f}x; "
        f"{sy_alone_p / egt_sync:6.1f}x"
    )
    print(
        f"  random sequential / Mesa: {rs / mesa_rate:6.1f}x; {rs_alone_p / mesa_rate:6.1f}x "
        f"(ours at {args.side}x{args.side}: {rs_roll / mesa_rate:6.1f}x)"
    )


if __name__ == "__main__":
    main()
