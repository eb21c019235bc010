"""A small real experiment in a temporary store, shared by the report tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from incentive_lab.experiments.execution.orchestrate import run_experiment
from incentive_lab.experiments.execution.results import Results

# Public goods, 20 agents in groups of 5: 3 mechanisms x 2 values of r_c x 3 seeds.
SMALL_PGG: dict[str, Any] = {
    "name": "small-pgg",
    "game": {"id": "public_goods", "params": {"n_agents": 20, "group_size": 5, "r_d": 3.0}},
    "learners": [{"id": "faq", "params": {"alpha": 0.2, "beta": 0.1, "tau": 0.5}}],
    "steps": 300,
    "seeds": 3,
    "record_every": 30,
    "summary_window": 0.3,
    "sweep": {
        "game.params.r_c": [3.0, 6.0],
        "mechanism": [{"id": "none"}, {"id": "team_reward"}, {"id": "pigouvian_tax"}],
    },
}
MECHANISMS = ("none", "team_reward", "pigouvian_tax")
FIGURE_KINDS = ("learning-curves", "final-outcomes", "pareto", "phase-diagram")


def small_results(directory: Path) -> Results:
    """Run :data:`SMALL_PGG` in one process into ``directory/store.duckdb``."""
    return run_experiment(SMALL_PGG, db=directory / "store.duckdb", workers=1)
