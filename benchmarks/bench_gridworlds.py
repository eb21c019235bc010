"""Environment throughput of the gridworld games (random actions), and JaxMARL's Coin Game.

The workload: ``C`` copies of a game step with uniformly random actions (drawn beforehand,
outside the timing); we report environment steps per second (copy-steps: one copy advancing
one step) and agent-steps per second (copy-steps × players), for

(a) incentive-lab ``coins`` (classic 3×3 torus, 2 players, LOLA's single coin), ``harvest``
    and ``cleanup`` (default ``hughes2018`` maps, 5 players, 11×11 views): ``game.step`` on
    all copies — the pre-step snapshot, the Numba kernels for the dynamics and the
    egocentric views (for ``coins`` one kernel that also adds the episode totals,
    ``games/gridworld/_coins.py``), the episode totals and metrics, the auto-reset every
    ``episode_length`` steps — serially (``parallel: false``, the default) and, from 64
    copies, on both cores (``parallel: true``); observations ``uint8`` (``--dtype``);
(b) JaxMARL 0.2 ``CoinGame`` (3×3 torus, 2 players, both coins always present) on CPU:
    ``jax.vmap`` of its auto-resetting ``step`` over the copies inside one ``jax.lax.scan``
    over the steps, compiled once with ``jax.jit`` (its best case: no Python per step).
    Only when ``jaxmarl`` imports; it is not a dependency of incentive-lab (its CPU wheels
    pull jax + jaxlib + flax + orbax, ~480 MB). To run it without touching your
    environment: ``pip download jaxmarl -d wheels`` then
    ``pip install --no-deps --target /tmp/jaxlibs wheels/{jax,jaxlib,jaxmarl,...}*.whl``
    and ``PYTHONPATH=/tmp/jaxlibs python benchmarks/bench_gridworlds.py``.

Compilation is excluded (one warm-up step / call before timing). Run:
``python benchmarks/bench_gridworlds.py [--copies 1 64 1024] [--seconds 2] [--rounds 3]``.
With JaxMARL importable, the Coin Game comparison at the largest number of copies is then
repeated ``--rounds`` times interleaved (ours, JaxMARL, ours, JaxMARL, ...) and the medians
and their ratio are printed, with the load average before and after.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from typing import Any

import numpy as np

from incentive_lab.core import make_game, make_rng

GAMES: dict[str, dict[str, Any]] = {
    "coins": {},
    "harvest": {},
    "cleanup": {},
}


def bench_ours(
    game_id: str, copies: int, seconds: float, dtype: str, parallel: bool = False
) -> tuple[float, int]:
    """``(copy-steps/s, players)`` of ``game_id`` with ``copies`` copies."""
    params = {**GAMES[game_id], "n_copies": copies, "dtype": dtype, "parallel": parallel}
    game = make_game(game_id, params)
    game.reset(make_rng(0))
    rng = np.random.default_rng(1)
    pool = rng.integers(game.n_actions, size=(64, game.n_agents), dtype=np.int64)
    game.step(pool[0])  # warm-up (compiles or loads the kernels)
    steps, start = 0, time.perf_counter()
    while True:
        for k in range(16):
            if game.step(pool[(steps + k) % 64]).truncated:
                game.reset(make_rng(steps))
        steps += 16
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return copies * steps / elapsed, game.n_players


def bench_jaxmarl(copies: int, seconds: float) -> float | None:
    """Copy-steps/s of JaxMARL's CoinGame (``None`` when jaxmarl is not importable)."""
    try:
        import jax
        from jaxmarl.environments.coin_game.coin_game import CoinGame
    except ImportError:
        return None
    env = CoinGame(num_inner_steps=50, num_outer_steps=1)  # 50-step episodes, auto-reset
    horizon = 256
    keys = jax.random.split(jax.random.PRNGKey(0), copies)
    _, states = jax.vmap(env.reset)(keys)
    step = jax.vmap(env.step)

    @jax.jit
    def run(key: Any, states: Any) -> Any:
        def body(carry: Any, _: Any) -> Any:
            key, states = carry
            key, k_act, k_step = jax.random.split(key, 3)
            acts = jax.random.randint(k_act, (2, copies), 0, 5)
            actions = {"0": acts[0], "1": acts[1]}
            _, states, rewards, _, _ = step(jax.random.split(k_step, copies), states, actions)
            return (key, states), rewards["0"].sum()

        (key, states), total = jax.lax.scan(body, (key, states), None, length=horizon)
        return key, states, total

    key = jax.random.PRNGKey(1)
    key, states, total = run(key, states)  # compile
    total.block_until_ready()
    calls, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        key, states, total = run(key, states)
        total.block_until_ready()
        calls += 1
    return copies * horizon * calls / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, nargs="+", default=[1, 64, 1024])
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--dtype", default="uint8", choices=["uint8", "float32", "float64"])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()}")
    head = f"{'game':9s} {'copies':>7s} {'env-steps/s':>14s} {'agent-steps/s':>15s}"
    print(f"{head} {'(parallel: true)':>18s}")
    ours_coins: dict[int, float] = {}
    for game_id in GAMES:
        for copies in args.copies:
            rate, players = bench_ours(game_id, copies, args.seconds, args.dtype)
            if game_id == "coins":
                ours_coins[copies] = rate
            line = f"{game_id:9s} {copies:7d} {rate:14,.0f} {rate * players:15,.0f}"
            if copies >= 64:
                threaded, _ = bench_ours(game_id, copies, args.seconds, args.dtype, True)
                line += f" {threaded * players:18,.0f}"
            print(line)
    for copies in args.copies:
        jax_rate = bench_jaxmarl(copies, args.seconds)
        if jax_rate is None:
            print("JaxMARL CoinGame: jaxmarl is not importable (see the module docstring)")
            break
        ratio = ours_coins[copies] / jax_rate
        line = f"{'jaxmarl':9s} {copies:7d} {jax_rate:14,.0f} {jax_rate * 2:15,.0f}"
        print(f"{line}   ours/jaxmarl {ratio:.1f}x")
    else:
        interleaved(max(args.copies), args.seconds, args.dtype, args.rounds)
    print(f"load average after: {os.getloadavg()}")


def interleaved(copies: int, seconds: float, dtype: str, rounds: int) -> None:
    """Ours and JaxMARL's Coin Game alternately, ``rounds`` times each; medians and ratio."""
    ours, theirs = [], []
    for _ in range(rounds):
        ours.append(bench_ours("coins", copies, seconds, dtype)[0] * 2)
        theirs.append((bench_jaxmarl(copies, seconds) or 0.0) * 2)
    a, b = statistics.median(ours), statistics.median(theirs)
    runs = " ".join(f"{x / 1e6:.2f}/{y / 1e6:.2f}" for x, y in zip(ours, theirs, strict=True))
    print(f"interleaved coins at {copies} copies, agent-steps/s ours/jaxmarl (M): {runs}")
    print(f"medians: ours {a / 1e6:.2f} M, jaxmarl {b / 1e6:.2f} M, ratio {a / b:.2f}x")


if __name__ == "__main__":
    main()
