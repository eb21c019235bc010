"""Executors: inline, process pool and Ray give the same results; bad options are ConfigErrors."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest
from stub_tasks import StubTask, failing_run, stub_run

from incentive_lab.core.errors import ConfigError
from incentive_lab.experiments.execution.executors import execute, resolve_workers

TASKS = [StubTask(run_id=f"r{i}", seed_index=i) for i in range(6)]


def by_id(results):
    return {r.run_id: (r.metrics, r.summary) for r in results}


def test_inline_and_process_pool_agree_bit_for_bit() -> None:
    inline = list(execute(TASKS, workers=1, fn=stub_run))
    assert [r.run_id for r in inline] == [t.run_id for t in TASKS]  # inline keeps order
    pooled = list(execute(TASKS, workers=2, fn=stub_run))
    assert sorted(r.run_id for r in pooled) == sorted(t.run_id for t in TASKS)
    assert by_id(pooled) == by_id(inline)


def test_worker_errors_propagate() -> None:
    with pytest.raises(RuntimeError, match="boom"):
        list(execute(TASKS[:2], workers=2, fn=failing_run))


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"workers": 0}, "workers"),
        ({"workers": -3}, "workers"),
        ({"workers": 1, "backend": "dask"}, "backend"),
        ({"workers": 1, "address": "ray://x:1"}, "address"),
    ],
)
def test_bad_options_name_the_field(kwargs, field) -> None:
    with pytest.raises(ConfigError, match=f"^{field}:"):
        execute(TASKS, fn=stub_run, **kwargs)


def test_default_workers_is_core_count() -> None:
    assert resolve_workers(None) >= 1
    assert resolve_workers(3) == 3


def test_missing_ray_is_a_config_error(monkeypatch) -> None:
    import builtins

    real_import = builtins.__import__

    def no_ray(name, *args, **kwargs):
        if name == "ray":
            raise ImportError("no ray")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_ray)
    with pytest.raises(ConfigError, match=r"pip install -e \"\.\[ray\]\""):
        list(execute(TASKS, workers=1, backend="ray", fn=stub_run))


@pytest.mark.ray
@pytest.mark.skipif(importlib.util.find_spec("ray") is None, reason="ray not installed")
def test_ray_agrees_with_inline(monkeypatch) -> None:
    here = str(Path(__file__).parent)
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join(filter(None, [here, os.environ.get("PYTHONPATH")]))
    )
    inline = by_id(execute(TASKS, workers=1, fn=stub_run))
    assert by_id(execute(TASKS, workers=2, backend="ray", fn=stub_run)) == inline
