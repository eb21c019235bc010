"""Seeded traces of whole runs: per-step hashes of every array the loop hands on.

A trace of one run is its ``run_id``, its sweep point, one SHA-256 over every step's actions,
base rewards, shaped rewards, transfers, designer cost, episode ends, game metrics and
diagnostics (the exact bytes), one over the recorded metric rows, and the final summary.
Two runs with equal traces played the same game, bit for bit.
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np

from incentive_lab.evaluation.recorder import WindowRecorder
from incentive_lab.experiments.config.plan import plan_runs
from incentive_lab.experiments.execution.runner import execute_run


def _deterministic(name: str) -> bool:
    """Whether ``name`` is deterministic (wall-clock diagnostics such as ``*_seconds`` are not)."""
    return not name.endswith("seconds")


class TracingRecorder(WindowRecorder):
    """A window recorder that also hashes every step's record."""

    def __init__(self, n_agents: int, record_every: int, cooperative_action: int | None) -> None:
        super().__init__(n_agents, record_every, cooperative_action)
        self.digest = hashlib.sha256()
        self.steps = 0

    def record(self, record: Any) -> None:
        h = self.digest
        h.update(np.ascontiguousarray(record.actions, dtype=np.int64).tobytes())
        h.update(np.ascontiguousarray(record.base_rewards, dtype=np.float64).tobytes())
        h.update(np.ascontiguousarray(record.shaped_rewards, dtype=np.float64).tobytes())
        h.update(np.ascontiguousarray(record.transfers, dtype=np.float64).tobytes())
        h.update(repr(float(record.cost)).encode())
        h.update(b"E" if record.episode_end else b"-")
        metrics = record.info.get("metrics") or {}
        h.update(repr(sorted((k, float(v)) for k, v in metrics.items())).encode())
        diagnostics = record.diagnostics.items()
        h.update(repr(sorted((k, float(v)) for k, v in diagnostics if _deterministic(k))).encode())
        self.steps += 1
        super().record(record)


def trace_config(raw: dict[str, Any]) -> list[dict[str, Any]]:
    """The trace of every run of the experiment ``raw`` (in plan order)."""
    out = []
    for task in plan_runs(raw):
        steps = int(task.config["steps"])
        result, recorder = _run(task)
        rows = hashlib.sha256(
            repr(
                [(int(s), str(n), float(v)) for s, n, v in result.metrics if _deterministic(n)]
            ).encode()
        ).hexdigest()
        out.append(
            {
                "run_id": task.run_id,
                "point": {k: repr(v) for k, v in task.point.items()},
                "seed_index": task.seed_index,
                "steps": recorder.steps,
                "expected_steps": steps,
                "step_digest": recorder.digest.hexdigest(),
                "metrics_digest": rows,
                "summary": {
                    k: repr(float(v))
                    for k, v in sorted(result.summary.items())
                    if _deterministic(k)
                },
            }
        )
    return out


def _run(task: Any) -> tuple[Any, TracingRecorder]:
    """Execute ``task`` with a tracing recorder built the way the runner builds its own."""
    from incentive_lab.core import registry

    game = registry.make_game(task.config["game"]["id"], task.config["game"]["params"])
    recorder = TracingRecorder(
        game.n_agents, int(task.config["record_every"]), game.metadata.cooperative_action
    )
    return execute_run(task, recorder), recorder
