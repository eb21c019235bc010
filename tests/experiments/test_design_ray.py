"""A search on the Ray backend gives the same trials, bit for bit, as one run inline."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from test_design import design

from incentive_lab.experiments.search.design import run_design


@pytest.mark.ray
@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("ray") is None, reason="ray not installed")
def test_ray_backend_equals_inline(tmp_path: Path) -> None:
    # no budget: a best trial exists, so its re-evaluation on fresh seeds runs on Ray too
    config = design(trials=2, startup_trials=1, budget=None, reevaluate=2) | {"steps": 200}
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    inline = run_design(config, db=tmp_path / "a" / "s.duckdb", workers=1)
    on_ray = run_design(config, db=tmp_path / "b" / "s.duckdb", workers=2, backend="ray")
    assert on_ray.trials == inline.trials
    assert inline.reevaluation is not None and on_ray.reevaluation == inline.reevaluation
