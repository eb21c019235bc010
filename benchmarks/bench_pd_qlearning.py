"""Self-play iterated prisoner's dilemma with tabular Q-learning: OpenSpiel vs incentive-lab.

The workload: many independent pairs repeatedly play the PD (payoffs (C,C)=3, (C,D)=0,
(D,C)=5, (D,D)=1); every player is a stateless ε-greedy tabular Q-learner (α = 0.1,
ε = 0.1, no discounting). We measure agent-steps per second (one agent choosing an action
and learning from its reward) of

(a) OpenSpiel: ``pyspiel.create_matrix_game`` + ``rl_environment.Environment`` +
    ``tabular_qlearner.QLearner`` (one learner object per player, the usual OpenSpiel loop);
(b) incentive-lab: ``rollout.Simulation`` over ``make_game("prisoners_dilemma",
    {"n_copies": P})`` with one vectorised ``q_learning`` group, mechanism ``none``;
(c) incentive-lab through its PettingZoo ParallelEnv (dicts at the boundary), the same
    vectorised learner driving it — the overhead of the dict API.

All in one process. Run: ``python benchmarks/bench_pd_qlearning.py [--pairs P] [--steps T]``.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np

from incentive_lab.core import LearnerContext, make_game, make_learner, make_mechanism, make_rng
from incentive_lab.core.learner import Transition
from incentive_lab.rollout import LearnerGroup, Simulation

ROW = [[3.0, 0.0], [5.0, 1.0]]
COL = [[3.0, 5.0], [0.0, 1.0]]
ALPHA, EPSILON = 0.1, 0.1


def q_group(game: Any, seed: int) -> Any:
    context = LearnerContext(
        agents=np.arange(game.n_agents, dtype=np.int64),
        n_actions=game.n_actions,
        observation_space=game.observation_space,
        population_size=game.n_agents,
    )
    return make_learner("q_learning", {"alpha": ALPHA, "epsilon": EPSILON}, context, make_rng(seed))


def bench_openspiel(pairs: int, steps: int, seed: int) -> tuple[float, float]:
    """Agent-steps/s and final cooperation rate of OpenSpiel's QLearner."""
    import pyspiel
    from open_spiel.python import rl_environment
    from open_spiel.python.algorithms import tabular_qlearner
    from open_spiel.python.rl_tools import ConstantSchedule

    game = pyspiel.create_matrix_game("pd", "prisoners dilemma", ["C", "D"], ["C", "D"], ROW, COL)
    env = rl_environment.Environment(game, seed=seed)
    np.random.seed(seed)  # noqa: NPY002, TID251  OpenSpiel's learner samples from the global RNG
    learners = [
        [
            tabular_qlearner.QLearner(
                player_id=p,
                num_actions=2,
                step_size=ALPHA,
                epsilon_schedule=ConstantSchedule(EPSILON),
                discount_factor=0.0,
            )
            for p in range(2)
        ]
        for _ in range(pairs)
    ]
    cooperations = 0
    start = time.perf_counter()
    for t in range(steps):
        for pair in learners:
            time_step = env.reset()
            actions = [pair[0].step(time_step).action, pair[1].step(time_step).action]
            time_step = env.step(actions)
            pair[0].step(time_step)
            pair[1].step(time_step)
            if t == steps - 1:
                cooperations += actions.count(0)
    elapsed = time.perf_counter() - start
    return 2 * pairs * steps / elapsed, cooperations / (2 * pairs)


def bench_ours(pairs: int, steps: int, seed: int) -> tuple[float, float]:
    """Agent-steps/s and final cooperation rate of incentive-lab's Simulation."""
    game = make_game("prisoners_dilemma", {"n_copies": pairs})
    mechanism = make_mechanism("none", {}, game, make_rng(seed + 1))
    learner = q_group(game, seed)
    simulation = Simulation(
        game, [LearnerGroup(0, game.n_agents, learner)], mechanism, make_rng(seed)
    )
    start = time.perf_counter()
    simulation.run(steps)
    elapsed = time.perf_counter() - start
    final = simulation.act(simulation.obs)
    return game.n_agents * steps / elapsed, float(np.mean(final == 0))


def bench_pettingzoo(pairs: int, steps: int, seed: int) -> float:
    """Agent-steps/s of the same learner driving incentive-lab's PettingZoo ParallelEnv."""
    from incentive_lab.interop import parallel_env

    env = parallel_env("prisoners_dilemma", max_cycles=steps, n_copies=pairs)
    learner = q_group(env.game, seed)
    names = env.possible_agents
    observations, _ = env.reset(seed=seed)
    start = time.perf_counter()
    for _ in range(steps):
        obs = np.fromiter((observations[a] for a in names), dtype=np.int64, count=len(names))
        actions = learner.act(obs)
        observations, rewards, _, _, _ = env.step(dict(zip(names, actions.tolist(), strict=True)))
        next_obs = np.fromiter((observations[a] for a in names), dtype=np.int64, count=len(names))
        shaped = np.fromiter((rewards[a] for a in names), dtype=np.float64, count=len(names))
        learner.update(Transition(obs=obs, actions=actions, rewards=shaped, next_obs=next_obs))
    elapsed = time.perf_counter() - start
    return len(names) * steps / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=10_000, help="independent pairs (ours)")
    parser.add_argument("--steps", type=int, default=1_000, help="steps (ours)")
    parser.add_argument("--openspiel-pairs", type=int, default=100, help="pairs (OpenSpiel)")
    parser.add_argument("--openspiel-steps", type=int, default=300, help="steps (OpenSpiel)")
    parser.add_argument("--pettingzoo-steps", type=int, default=50, help="steps (PettingZoo)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    ours, ours_coop = bench_ours(args.pairs, args.steps, args.seed)
    print(
        f"incentive-lab Simulation : {ours:14,.0f} agent-steps/s  "
        f"({args.pairs} pairs x {args.steps} steps; final cooperation {ours_coop:.2f})"
    )
    wrapped = bench_pettingzoo(args.pairs, args.pettingzoo_steps, args.seed)
    print(
        f"incentive-lab PettingZoo : {wrapped:14,.0f} agent-steps/s  "
        f"({args.pairs} pairs x {args.pettingzoo_steps} steps; dict boundary)"
    )
    try:
        spiel, spiel_coop = bench_openspiel(args.openspiel_pairs, args.openspiel_steps, args.seed)
    except ImportError:
        print("OpenSpiel not installed: pip install 'incentive-lab[bench]'")
        return
    print(
        f"OpenSpiel QLearner       : {spiel:14,.0f} agent-steps/s  "
        f"({args.openspiel_pairs} pairs x {args.openspiel_steps} steps; "
        f"final cooperation {spiel_coop:.2f})"
    )
    print(f"speed-up ours / OpenSpiel          : {ours / spiel:10,.0f}x")
    print(f"PettingZoo overhead (raw / wrapped): {ours / wrapped:10,.1f}x")


if __name__ == "__main__":
    main()
