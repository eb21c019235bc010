"""Recommender platform: environment steps per second at 10⁴ users × 10³ items × 4 agents.

One environment step is one round of the ``recommender`` game: every active user picks a
recommender agent by reputation, gets a slate of 5 personalised items from that agent's
strategy, clicks by the logit choice model, and the users' interests, sessions,
satisfaction, churn and the catalogue update (SPEC §1.7). We measure, in one process:

* ``game.step`` alone with every agent on one strategy (``random``, ``popular``,
  ``oracle``, ``diverse``, ``fresh``, ``similar``) and with a mix (agents 0..3 on random,
  oracle, diverse, similar);
* the whole loop ``rollout.Simulation`` with a vectorised ``bandit`` (UCB) group, under
  mechanism ``none`` and ``exposure_fairness``, and with 4 learning recommenders choosing
  items (``agents_choose: items``; ``recsys_bpr`` at its defaults and with
  ``update: sequential``, ``recsys_linucb``, ``recsys_two_tower``, ``recsys_sasrec``; the
  last two need torch; ``--learners-only`` times just these);
* per user: user-rounds per second = steps/s × active users.

RecSim (Ie et al. 2019) is not compared: its last release (recsim 0.2.4) requires
``tensorflow``, ``dopamine-rl`` and ``gin-config`` and imports ``gin.tf`` in its
interest-evolution environment, and targets the old ``gym`` API (see benchmarks/README.md).

``--fast-vs-reference R`` times ``recsys_linucb`` and ``recsys_bpr`` on their Numba fast
paths against their plain NumPy ``reference_*`` paths (same results, pinned by
``tests/learners/test_recsys_fast_paths.py``) in one process, alternating ``R`` times, and
prints the medians.

Run: ``python benchmarks/bench_recommender.py [--users U] [--items I] [--steps T]
[--learners-only | --fast-vs-reference R]``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from incentive_lab.core import LearnerContext, make_game, make_learner, make_mechanism, make_rng
from incentive_lab.core.recommendation import SLATE_STRATEGIES, strategy_index
from incentive_lab.rollout import LearnerGroup, Simulation


def game_steps(users: int, items: int, steps: int, actions: np.ndarray) -> tuple[float, float]:
    """``(steps/s, mean active users)`` of ``game.step`` with fixed ``actions``."""
    game = make_game("recommender", {"n_users": users, "n_items": items, "n_agents": 4})
    game.reset(make_rng(0))
    game.step(actions)  # warm-up
    active = 0.0
    start = time.perf_counter()
    for _ in range(steps):
        active += game.step(actions).info["metrics"]["active_users"] * users
    return steps / (time.perf_counter() - start), active / steps


def loop_steps(users: int, items: int, steps: int, mechanism: str) -> float:
    """Steps/s of the whole ``Simulation`` with a UCB bandit group."""
    game = make_game("recommender", {"n_users": users, "n_items": items, "n_agents": 4})
    learner = make_learner(
        "bandit", {"algorithm": "ucb", "c": 0.05}, LearnerContext.for_game(game), make_rng(1)
    )
    sim = Simulation(
        game,
        [LearnerGroup(0, 4, learner)],
        make_mechanism(mechanism, {}, game, make_rng(2)),
        make_rng(3),
    )
    sim.run(1)
    start = time.perf_counter()
    sim.run(steps)
    return steps / (time.perf_counter() - start)


LEARNERS: dict[str, tuple[str, dict[str, object]]] = {
    "recsys_bpr": ("recsys_bpr", {}),
    "recsys_bpr sequential": ("recsys_bpr", {"update": "sequential", "item_bias": True}),
    "recsys_linucb": ("recsys_linucb", {}),
    "recsys_two_tower": ("recsys_two_tower", {}),
    "recsys_sasrec": ("recsys_sasrec", {}),
}


def slate_loop_steps(
    users: int,
    items: int,
    steps: int,
    learner_id: str,
    learner_params: dict[str, object],
    reference: bool = False,
) -> float:
    """Steps/s of the whole ``Simulation`` with 4 learning recommenders choosing items.

    ``reference``: the learner runs its plain NumPy ``reference_chunk_slates`` (and
    ``reference_learn`` if it has one) instead of the Numba fast paths (same results).
    """
    params = {"n_users": users, "n_items": items, "n_agents": 4, "agents_choose": "items"}
    game = make_game("recommender", params)
    context = LearnerContext.for_game(game)
    learner = make_learner(learner_id, learner_params, context, make_rng(1))
    if reference:
        learner.chunk_slates = learner.reference_chunk_slates  # type: ignore[attr-defined]
        if hasattr(learner, "reference_learn"):
            learner.learn = learner.reference_learn  # type: ignore[attr-defined]
    sim = Simulation(
        game,
        [LearnerGroup(0, 4, learner)],
        make_mechanism("none", {}, game, make_rng(2)),
        make_rng(3),
    )
    sim.run(1)
    start = time.perf_counter()
    sim.run(steps)
    return steps / (time.perf_counter() - start)


def fast_vs_reference(users: int, items: int, steps: int, repeats: int) -> None:
    """Fast paths against the NumPy reference in one process, alternated, medians."""
    for name in ("recsys_linucb", "recsys_bpr"):
        learner_id, params = LEARNERS[name]
        rates: dict[bool, list[float]] = {True: [], False: []}
        for _ in range(repeats):
            for reference in (True, False):
                rate = slate_loop_steps(users, items, steps, learner_id, params, reference)
                rates[reference].append(rate)
        old, new = float(np.median(rates[True])), float(np.median(rates[False]))
        runs = " ".join(f"{r:.2f}/{f:.2f}" for r, f in zip(rates[True], rates[False], strict=True))
        print(
            f"{name:<16} reference {old:6.2f}  fast {new:6.2f} steps/s  x{new / old:.2f}  "
            f"(reference/fast per repeat: {runs})",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--items", type=int, default=1_000)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--learners-only", action="store_true")
    parser.add_argument("--fast-vs-reference", type=int, default=0, metavar="REPEATS")
    args = parser.parse_args()
    u, i, t = args.users, args.items, args.steps
    print(f"recommender: {u} users x {i} items x 4 agents, {t} steps per measurement")
    if args.fast_vs_reference:
        fast_vs_reference(u, i, t, args.fast_vs_reference)
        return
    print(f"{'workload':<34} {'steps/s':>9} {'user-rounds/s':>14}")
    if args.learners_only:
        for name, (learner_id, params) in LEARNERS.items():
            rate = slate_loop_steps(u, i, t, learner_id, params)
            print(f"Simulation {name + ' (items)':<32} {rate:>9.2f}", flush=True)
        return
    cases = {name: np.full(4, k) for k, name in enumerate(SLATE_STRATEGIES)}
    cases["mixed (random/oracle/diverse/similar)"] = np.array(
        [strategy_index(s) for s in ("random", "oracle", "diverse", "similar")]
    )
    for name, actions in cases.items():
        rate, active = game_steps(u, i, t, actions)
        print(f"game.step {name:<24} {rate:>9.1f} {rate * active:>14.3g}")
    for mechanism in ("none", "exposure_fairness"):
        rate = loop_steps(u, i, t, mechanism)
        print(f"Simulation ucb + {mechanism:<17} {rate:>9.1f}")
    for name, (learner_id, params) in LEARNERS.items():
        rate = slate_loop_steps(u, i, t, learner_id, params)
        print(f"Simulation {name + ' (items)':<32} {rate:>9.2f}")


if __name__ == "__main__":
    main()
