"""What one finished run hands back to the driver, and how runs are identified.

Workers compute :class:`RunResult` objects and return them; only the driver writes them
to the store. ``run_id`` is a hash of the resolved config and the seed, so re-running a
sweep recognises finished runs.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any


def canonical_json(value: Any) -> str:
    """Deterministic JSON (sorted keys, no spaces) used for hashing and storage."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def make_run_id(resolved_config: dict[str, Any], seed: int, seed_index: int) -> str:
    """Stable id of one run: sha256 of the resolved config, the experiment seed and index."""
    payload = canonical_json({"config": resolved_config, "seed": seed, "index": seed_index})
    return hashlib.sha256(payload.encode()).hexdigest()[:20]


@dataclass(frozen=True)
class RunResult:
    """One finished run.

    ``config``: the resolved config (JSON-able dict, sweep applied, one seed);
    ``metrics``: rows ``(step, name, value)`` of the recorded time series;
    ``summary``: final outcome per metric name; ``point``: the sweep coordinates of this
    run (``{"mechanism": "team_reward", "game.params.r_c": 4.0}``), for grouping.
    """

    run_id: str
    experiment: str
    seed: int
    seed_index: int
    config: dict[str, Any]
    point: dict[str, Any]
    metrics: list[tuple[int, str, float]]
    summary: dict[str, float]
    started_at: float
    finished_at: float
    package_version: str
    extra: dict[str, Any] = field(default_factory=dict)
