"""Training throughput of the deep learners ``ppo`` and ``dqn`` (issue #18, item 7).

Workload: ``rollout.Simulation`` with one learner group driving every agent of a game with
``--copies`` copies, mechanism ``none``; the unit is *training agent-steps per second*: one
agent acting and its transition being learnt from (environment + acting + learning), over
``--steps`` loop steps after a warm-up (JIT compilation, torch start-up, the first update).
The environment's share is the time spent in ``game.step`` and ``game.reset``.

Games: ``prisoners_dilemma`` (one-state repeated PD, 2 agents per copy, ``Discrete(1)``
observations: the MLP path) and, when the gridworld games are installed, ``coins`` (2
agents per copy, ``[h, w, c]`` views: the CNN path). Learners at their published defaults
except: ``ppo`` — ``n_steps`` = ``--n-steps`` (default 64: every measured window holds whole
updates); ``dqn`` — ``learning_starts`` = 32 loop steps (inside the warm-up) and
``train_every`` = 1 (one gradient step of ``batch_size`` 32 per loop step).

``python benchmarks/bench_deep.py [--copies 1000] [--steps 128] [--threads 1]
[--games prisoners_dilemma,coins] [--learners ppo,dqn]``
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np

from incentive_lab.core import LearnerContext, make_game, make_learner, make_mechanism
from incentive_lab.core.errors import ConfigError
from incentive_lab.core.seeding import spawn_rngs
from incentive_lab.rollout import LearnerGroup, Simulation


class Timed:
    """Wrap a game's ``step`` and ``reset`` and add up the seconds spent in them."""

    def __init__(self, game: Any) -> None:
        self.seconds = 0.0
        for name in ("step", "reset"):
            setattr(game, name, self._timed(getattr(game, name)))

    def _timed(self, method: Any) -> Any:
        def call(*args: Any) -> Any:
            start = time.perf_counter()
            try:
                return method(*args)
            finally:
                self.seconds += time.perf_counter() - start

        return call


def measure(
    game_id: str,
    game_params: dict[str, Any],
    learner_id: str,
    params: dict[str, Any],
    steps: int,
    warmup: int,
) -> dict[str, float]:
    """Agent-steps per second and the environment's share of ``steps`` loop steps.

    ``game_params`` configure the game (e.g. ``{"n_copies": 1000}``); ``benchmarks/
    ssd_results.py`` calls this with its gridworld settings.
    """
    game = make_game(game_id, game_params)
    game_rng, learner_rng, mech_rng = spawn_rngs(0, 3)
    learner = make_learner(learner_id, params, LearnerContext.for_game(game), learner_rng)
    sim = Simulation(
        game,
        [LearnerGroup(0, game.n_agents, learner)],
        make_mechanism("none", {}, game, mech_rng),
        game_rng,
    )
    timer = Timed(game)
    sim.run(warmup)
    timer.seconds = 0.0
    start = time.perf_counter()
    sim.run(steps)
    wall = time.perf_counter() - start
    return {
        "agents": float(game.n_agents),
        "rate": steps * game.n_agents / wall,
        "env_share": timer.seconds / wall,
        "wall": wall,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=1000)
    parser.add_argument("--steps", type=int, default=128)
    parser.add_argument("--n-steps", type=int, default=64)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--games", default="prisoners_dilemma,coins")
    parser.add_argument("--learners", default="ppo,dqn")
    args = parser.parse_args()
    common = {"threads": args.threads, "device": "cpu"}
    learner_params = {
        "ppo": {**common, "n_steps": args.n_steps},
        "dqn": {**common, "learning_starts": 32, "train_every": 1},
    }
    print(f"copies={args.copies} steps={args.steps} torch threads={args.threads}")
    print("| game | learner | agents | agent-steps/s | environment share | wall (s) |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for game_id in args.games.split(","):
        for learner_id in args.learners.split(","):
            warmup = args.n_steps if learner_id == "ppo" else 64
            try:
                r = measure(
                    game_id,
                    {"n_copies": args.copies},
                    learner_id,
                    learner_params[learner_id],
                    args.steps,
                    warmup,
                )
            except ConfigError as error:  # e.g. the gridworld games are not installed
                print(f"| {game_id} | {learner_id} | skipped: {error} | | | |")
                continue
            print(
                f"| {game_id} | {learner_id} | {int(r['agents'])} | {r['rate']:,.0f} | "
                f"{100 * r['env_share']:.1f} % | {r['wall']:.1f} |",
                flush=True,
            )


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
