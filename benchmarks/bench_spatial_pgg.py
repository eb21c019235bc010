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
    work, different numbers — compare speed only;
(b) Mesa 3: a plain ``mesa.Model`` with ``SingleGrid(torus=True)`` and one agent per cell
    doing the same random-sequential rule, payoffs recomputed from the grid (what a Mesa
    user writes);
(c) incentive-lab: ``rollout.Simulation`` over ``spatial_public_goods`` with one
    ``fermi_imitation`` group (random sequential and synchronous), the full loop (game
    step, recorder-free), and the learner update alone.

All in one process. ``python benchmarks/bench_spatial_pgg.py [--side L] [--mcs T]``;
egttools and Mesa run on their own (smaller) workloads whose sizes are printed.
"""

from __future__ import annotations

import argparse
import math
import time
from typing import Any

import numpy as np

from incentive_lab.core import LearnerContext, Topology, make_game, make_learner, make_mechanism
from incentive_lab.core.learner import Transition
from incentive_lab.rollout import LearnerGroup, Simulation

R, K, COST = 4.5, 0.5, 1.0


def bench_ours(side: int, mcs: int, update: str, seed: int) -> tuple[float, float, float]:
    """(rollout agent-updates/s, learner-only agent-updates/s, final cooperation)."""
    game = make_game("spatial_public_goods", {"side": side, "r": R, "cost": COST})
    rng = np.random.default_rng(seed)
    learner = make_learner(
        "fermi_imitation", {"K": K, "update": update}, LearnerContext.for_game(game), rng
    )
    sim = Simulation(
        game, [LearnerGroup(0, game.n_agents, learner)], make_mechanism("none", {}, game, rng), rng
    )
    sim.run(2)  # compile / warm up
    start = time.perf_counter()
    sim.run(mcs)
    rollout = game.n_agents * mcs / (time.perf_counter() - start)
    actions = learner.act(np.zeros(game.n_agents))
    rewards = game.rewards_for(actions)
    transition = Transition(actions, actions, rewards, actions, False, False, actions, rewards)
    start = time.perf_counter()
    for _ in range(max(mcs // 4, 1)):
        learner.update(transition)
    alone = game.n_agents * max(mcs // 4, 1) / (time.perf_counter() - start)
    return rollout, alone, float(np.mean(learner.strategies == 0))


def bench_egttools(side: int, generations: int, sync: bool, seed: int) -> tuple[float, int]:
    """(agent-updates/s, N) of egttools' NetworkGroup(Sync) on the same lattice."""
    import egttools
    from egttools.games import AbstractSpatialGame
    from egttools.numerical import NetworkEvolver
    from egttools.numerical.structure import NetworkGroup, NetworkGroupSync

    class LatticePGG(AbstractSpatialGame):  # type: ignore[misc]
        def __init__(self) -> None:
            AbstractSpatialGame.__init__(self)

        def calculate_fitness(self, strategy: int, state: Any) -> float:
            n_c, size = float(state[0]), float(sum(state))
            return COST * n_c * R / size - (COST if strategy == 0 else 0.0)

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
    initial = np.array([n // 2, n - n // 2], dtype=np.int64)
    NetworkEvolver.evolve(2, initial, structure)  # warm up
    start = time.perf_counter()
    NetworkEvolver.evolve(generations, initial, structure)
    elapsed = time.perf_counter() - start
    # one asynchronous generation is one elementary update; a synchronous one updates all N
    return (generations * (n if sync else 1)) / elapsed, n


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", type=int, default=1000, help="our lattice side")
    parser.add_argument("--mcs", type=int, default=100, help="our Monte Carlo steps")
    parser.add_argument("--peer-side", type=int, default=100, help="egttools / Mesa side")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    mega = 1e6

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

    peer = args.peer_side
    same_rs, same_rs_alone, _ = bench_ours(peer, 200, "random_sequential", args.seed)
    same_sy, same_sy_alone, _ = bench_ours(peer, 200, "synchronous", args.seed)
    print(
        f"incentive-lab on the peers' {peer}x{peer} lattice, 200 MCS: random sequential "
        f"{same_rs / mega:.2f} M/s (alone {same_rs_alone / mega:.2f}), synchronous "
        f"{same_sy / mega:.2f} M/s (alone {same_sy_alone / mega:.2f})"
    )
    egt_async, n_peer = bench_egttools(peer, 20 * peer * peer, sync=False, seed=args.seed)
    egt_sync, _ = bench_egttools(peer, 20, sync=True, seed=args.seed)
    print(
        f"egttools NetworkGroup (async), {peer}x{peer}: {egt_async / mega:8.3f} M/s; "
        f"NetworkGroupSync: {egt_sync / mega:8.3f} M/s"
    )
    mesa_side = min(peer, 50)
    mesa_rate = bench_mesa(mesa_side, 2, args.seed)
    print(f"Mesa 3 model, {mesa_side}x{mesa_side}, 2 MCS: {mesa_rate / mega:8.4f} M/s")
    rows = [
        (f"{args.side}x{args.side}", rs_roll, rs_alone, sy_roll, sy_alone),
        (f"same {peer}x{peer}", same_rs, same_rs_alone, same_sy, same_sy_alone),
    ]
    print("ratios ours / peer (rollout; learner alone):")
    for name, rs, rs_a, sy, sy_a in rows:
        print(
            f"  {name:>14}: random sequential / egttools {rs / egt_async:6.1f}x; "
            f"{rs_a / egt_async:6.1f}x   / Mesa {rs / mesa_rate:6.1f}x; {rs_a / mesa_rate:6.1f}x"
            f"   synchronous / egttools sync {sy / egt_sync:6.1f}x; {sy_a / egt_sync:6.1f}x"
        )
    del n_peer


if __name__ == "__main__":
    main()
