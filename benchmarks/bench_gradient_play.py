"""Per-step cost of each gradient-play optimiser relative to ``simul_ind``.

Workload: the N-player differentiable public goods game with vector parameters
(``differentiable_pgg``, ``n_players`` players × ``dim`` projects, default 10 × 1,000 =
10,000 parameters). For every optimiser (``simul_ind``, ``simul_co``, ``cga``, ``sga``,
``lola``, ``aga``) we time ``steps`` full rollout steps (act → game step → learner update
with its Hessian-vector products → set θ) after a warm-up, and print milliseconds per step
and the ratio to ``simul_ind``. torch runs on one thread (the machine is shared).

Run: ``python benchmarks/bench_gradient_play.py [--players N] [--dim D] [--steps T]``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from incentive_lab.core import LearnerContext, make_game, make_learner, make_mechanism, make_rng
from incentive_lab.rollout import LearnerGroup, Simulation

OPTIMISERS = ("simul_ind", "simul_co", "cga", "sga", "lola", "aga")


def per_step_ms(learner_id: str, players: int, dim: int, steps: int) -> float:
    """Median over 3 repeats of the milliseconds per rollout step."""
    game = make_game("differentiable_pgg", {"n_players": players, "dim": dim, "p": 1.5})
    params = {"lr": 0.1} if learner_id in ("simul_ind", "simul_co") else {"lr": 0.1, "lam": 0.1}
    learner = make_learner(learner_id, params, LearnerContext.for_game(game), make_rng(0))
    mechanism = make_mechanism("none", {}, game, make_rng(1))
    sim = Simulation(game, [LearnerGroup(0, game.n_agents, learner)], mechanism, make_rng(2))
    sim.run(3)  # warm-up
    times = []
    for _ in range(3):
        start = time.perf_counter()
        sim.run(steps)
        times.append((time.perf_counter() - start) / steps * 1e3)
    return float(np.median(times))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--players", type=int, default=10)
    parser.add_argument("--dim", type=int, default=1000)
    parser.add_argument("--steps", type=int, default=20)
    args = parser.parse_args()
    torch.set_num_threads(1)
    n_parameters = args.players * args.dim
    print(f"differentiable_pgg: {args.players} players x {args.dim} = {n_parameters} parameters")
    base = per_step_ms("simul_ind", args.players, args.dim, args.steps)
    print(f"{'optimiser':<10} {'ms/step':>9} {'x simul_ind':>12}")
    for learner_id in OPTIMISERS:
        ms = (
            base
            if learner_id == "simul_ind"
            else per_step_ms(learner_id, args.players, args.dim, args.steps)
        )
        print(f"{learner_id:<10} {ms:>9.2f} {ms / base:>12.2f}")


if __name__ == "__main__":
    main()
