"""Golden traces: seeded runs of every family reproduce bit for bit.

``traces.json`` pins, for each case of ``cases.py``, every run's ``run_id`` (so stores
resume across versions), a hash of every step's actions, rewards, transfers, costs,
metrics and diagnostics, and the final summary. A change of behaviour shows up here; pin it
on purpose (``python tests/golden/generate.py``) only with a version bump of the unit's id.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from golden_cases import cases  # noqa: E402
from golden_trace import trace_config  # noqa: E402

GOLDEN = json.loads((HERE / "traces.json").read_text())
CASES = cases()


def test_every_case_is_pinned():
    assert sorted(GOLDEN) == sorted(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_trace(name):
    if "differentiable" in name or "neural" in name:
        pytest.importorskip("torch")
    got = trace_config(CASES[name])
    want = GOLDEN[name]
    assert [r["steps"] for r in got] == [r["expected_steps"] for r in got]
    if name == "llm_replay":  # the replay path is machine-specific and part of the run id
        for row in (*got, *want):
            row.pop("run_id")
    for g, w in zip(got, want, strict=True):
        assert g["summary"] == w["summary"], name
        assert g == w, name
