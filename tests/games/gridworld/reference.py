"""Seeded gridworld trajectories summarised for bit-for-bit comparison across kernel changes.

:func:`trajectory` plays a game with uniformly random actions from fixed seeds and records,
per step, a SHA-256 of the observations (their bytes, dtype and shape), the exact rewards,
``truncated``, the metrics, and at some steps the counterfactual queries (``rewards_for``
with other random actions and ``deviation`` to ``stay``). ``reference_trajectories.json``
holds these records as computed by the gridworld kernels *before* the throughput work of
issue #17 (commit 081f755); ``test_reference`` replays them against the current code.

Regenerate only on purpose (a rule change), never to make a test pass::

    python tests/games/gridworld/reference.py
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np

from incentive_lab.core import make_game
from incentive_lab.core.seeding import make_rng

DATA = Path(__file__).resolve().parent / "data" / "reference_trajectories.json"

SCENARIOS: dict[str, tuple[str, dict[str, Any], int]] = {
    # name: (game, params, steps); episode lengths force resets inside the trajectory
    "harvest_uint8": (
        "harvest",
        {"n_copies": 6, "dtype": "uint8", "episode_length": 30, "zap_penalty": 3.0},
        70,
    ),
    "harvest_float64_flat": (
        "harvest",
        {"n_copies": 3, "episode_length": 25, "format": "flat", "zap_cost": 0.5},
        40,
    ),
    "harvest_parallel": (
        "harvest",
        {"n_copies": 64, "dtype": "uint8", "episode_length": 20, "parallel": True},
        25,
    ),
    "harvest_small_view7": (
        "harvest",
        {
            "n_copies": 4,
            "preset": "small",
            "n_agents": 6,
            "view_size": 7,
            "dtype": "float32",
            "episode_length": 40,
            "tag_timeout": 3,
        },
        45,
    ),
    "harvest_meltingpot_view15": (
        "harvest",
        {
            "n_copies": 2,
            "preset": "meltingpot_open",
            "view_size": 15,
            "dtype": "uint8",
            "episode_length": 30,
            "regrowth_probabilities": [0.0, 0.2, 0.4, 0.6],
        },
        35,
    ),
    "cleanup_uint8": (
        "cleanup",
        {"n_copies": 6, "dtype": "uint8", "episode_length": 30, "tag_timeout": 4},
        70,
    ),
    "cleanup_float64": (
        "cleanup",
        {"n_copies": 3, "episode_length": 25, "clean_cost": 0.25, "waste_probability": 0.9},
        40,
    ),
    "cleanup_parallel": (
        "cleanup",
        {"n_copies": 64, "dtype": "uint8", "episode_length": 20, "parallel": True},
        25,
    ),
    "cleanup_small_float32_flat": (
        "cleanup",
        {
            "n_copies": 4,
            "preset": "small",
            "n_agents": 3,
            "dtype": "float32",
            "format": "flat",
            "episode_length": 40,
            "apple_probability": 0.5,
            "restoration_threshold": 0.3,
        },
        45,
    ),
    "cleanup_meltingpot": (
        "cleanup",
        {
            "n_copies": 2,
            "preset": "meltingpot",
            "n_agents": 7,
            "view_size": 9,
            "dtype": "uint8",
            "episode_length": 30,
        },
        35,
    ),
    "coins_classic": ("coins", {"n_copies": 5, "episode_length": 20}, 45),
    "coins_small_many": (
        "coins",
        {
            "n_copies": 3,
            "preset": "small",
            "n_agents": 4,
            "view_size": 9,
            "dtype": "uint8",
            "episode_length": 30,
        },
        35,
    ),
}
QUERY_EVERY = 7
"""Steps at which the counterfactual queries are recorded (``t % QUERY_EVERY == 3``)."""


def _digest(obs: np.ndarray) -> str:
    head = f"{obs.dtype.str}{obs.shape}".encode()
    return hashlib.sha256(head + np.ascontiguousarray(obs).tobytes()).hexdigest()


def trajectory(game_id: str, params: dict[str, Any], steps: int) -> dict[str, Any]:
    """The per-step records of one scenario (module docstring)."""
    g = make_game(game_id, params)
    rng = np.random.default_rng(11)
    episodes = 0
    records: list[dict[str, Any]] = [{"reset": _digest(g.reset(make_rng(3)))}]
    for t in range(steps):
        result = g.step(rng.integers(g.n_actions, size=g.n_agents))
        record: dict[str, Any] = {
            "obs": _digest(result.obs),
            "rewards": result.rewards.tolist(),
            "truncated": bool(result.truncated),
            "metrics": result.info["metrics"],
        }
        if t % QUERY_EVERY == 3:
            other = rng.integers(g.n_actions, size=g.n_agents)
            record["rewards_for"] = g.rewards_for(other).tolist()
            deviation = g.deviation(other, np.zeros(g.n_agents, dtype=np.int64))
            record["deviation"] = [deviation.own.tolist(), deviation.copy_welfare.tolist()]
        records.append(record)
        if result.truncated:
            episodes += 1
            records.append({"reset": _digest(g.reset(make_rng(100 + episodes)))})
    return {"game": game_id, "params": params, "steps": steps, "records": records}


def main() -> None:
    """Write :data:`DATA` from the current code."""
    out = {name: trajectory(*spec) for name, spec in SCENARIOS.items()}
    DATA.parent.mkdir(exist_ok=True)
    DATA.write_text(json.dumps(out, separators=(",", ":")) + "\n")
    print(f"wrote {DATA} ({DATA.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()
