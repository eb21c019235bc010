"""Bit-for-bit equality with the recorded trajectories of the original kernels (``reference``).

Observations (SHA-256 of their bytes), rewards, ``truncated``, every metric and the
counterfactual queries must equal, exactly, what the gridworld step computed before its
throughput optimisation, for every scenario of ``reference.SCENARIOS`` (three games, default
and other maps, view sizes, dtypes, formats, serial and threaded, resets mid-trajectory).
"""

from __future__ import annotations

import json

import pytest

from .reference import DATA, SCENARIOS, trajectory

RECORDED = json.loads(DATA.read_text())


def test_every_scenario_is_recorded():
    assert set(RECORDED) == set(SCENARIOS)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_trajectory_equals_the_recorded_one(name):
    game_id, params, steps = SCENARIOS[name]
    expected = RECORDED[name]
    assert (expected["game"], expected["params"], expected["steps"]) == (game_id, params, steps)
    got = trajectory(game_id, params, steps)["records"]
    assert len(got) == len(expected["records"])
    for t, (mine, theirs) in enumerate(zip(got, expected["records"], strict=True)):
        assert mine == theirs, f"{name}: record {t} differs"
