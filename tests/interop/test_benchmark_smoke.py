"""The benchmark script still runs (tiny workload; OpenSpiel part only if installed)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_pd_qlearning.py"


def load():
    spec = importlib.util.spec_from_file_location("bench_pd_qlearning", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_ours_and_pettingzoo_paths_run() -> None:
    bench = load()
    rate, cooperation = bench.bench_ours(pairs=20, steps=30, seed=0)
    assert rate > 0 and 0.0 <= cooperation <= 1.0
    assert bench.bench_pettingzoo(pairs=20, steps=5, seed=0) > 0


def test_openspiel_path_runs() -> None:
    pytest.importorskip("pyspiel")
    rate, cooperation = load().bench_openspiel(pairs=3, steps=5, seed=0)
    assert rate > 0 and 0.0 <= cooperation <= 1.0
