"""SUB-SAMPLE-Q learning time: grows with k, flat in n.

Workload: the ``global_local`` median-tracking instance (|S_g| = |S_l| = 5, |A_g| = 3).
For n ∈ {8, 100, 10,000} local agents and k = 1..8 we build the ``subsample_q`` learner
through the registry (planning happens at construction: m sampled next states per table
entry, then ``sweeps`` rounds of empirical value iteration) and print its
``learning_seconds`` (median of ``--repeats``), the table size
``|S_g|·|A_g|·C(k+|S_l|−1, |S_l|−1)`` and the deployment cost per ``act`` (draw k of n
agents without replacement, rank the multiset, look up the greedy action).

Run: ``python benchmarks/bench_subsample_q.py [--m 20] [--sweeps 100] [--repeats 3]``.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from incentive_lab.core import LearnerContext, make_game, make_learner, make_rng

NS = (8, 100, 10_000)
KS = range(1, 9)


def measure(n: int, k: int, m: int, sweeps: int, repeats: int) -> tuple[float, int, float]:
    """``(median learning seconds, table size, microseconds per act)``."""
    game = make_game("global_local", {"instance": "median", "n_agents": n})
    game.reset(make_rng(0))
    context = LearnerContext.for_game(game)
    times, learner = [], None
    for r in range(repeats):
        learner = make_learner(
            "subsample_q", {"k": k, "m": m, "sweeps": sweeps}, context, make_rng(r)
        )
        times.append(learner.learning_seconds)
    assert learner is not None
    obs = np.array([game.global_state()])
    clock = time.perf_counter()
    for _ in range(200):
        learner.act(obs)
    act_us = (time.perf_counter() - clock) / 200 * 1e6
    return statistics.median(times), learner.table_size, act_us


def main() -> None:
    """Print the table of learning times."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--m", type=int, default=20)
    parser.add_argument("--sweeps", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"subsample_q learning time (median of {args.repeats}), m={args.m}, sweeps={args.sweeps}")
    header = " k | table size | " + " | ".join(f"n={n:>6} s" for n in NS) + " | act µs (n=10^4)"
    print(header)
    for k in KS:
        cells, size, act = [], 0, 0.0
        for n in NS:
            seconds, size, act = measure(n, k, args.m, args.sweeps, args.repeats)
            cells.append(f"{seconds:10.4f}")
        print(f"{k:2d} | {size:10d} | " + " | ".join(cells) + f" | {act:8.1f}")


if __name__ == "__main__":
    main()
