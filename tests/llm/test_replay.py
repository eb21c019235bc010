"""Record/replay: a recorded run replays identically without the live backend."""

from __future__ import annotations

import json

import numpy as np
import pytest

from incentive_lab.core import ConfigError, LearnerContext, Transition, make_game, make_learner
from incentive_lab.learners.llm.backends import BackendError, ChatRequest
from incentive_lab.learners.llm.replay import RecordingBackend, ReplayBackend

from .conftest import ScriptedBackend


def test_record_then_replay(tmp_path):
    path = tmp_path / "rec.jsonl"
    live = ScriptedBackend(lambda r: f'{{"action": {r.seed % 2}}}')
    recorder = RecordingBackend(live, path)
    requests = [ChatRequest(messages=(("user", "q"),), seed=s) for s in range(4)]
    answers = [recorder.complete(r) for r in requests]
    assert recorder.complete(requests[0]) == answers[0] and len(live.requests) == 4
    replay = ReplayBackend(path)
    assert [replay.complete(r) for r in requests] == answers
    with pytest.raises(BackendError, match="no recorded answer"):
        replay.complete(ChatRequest(messages=(("user", "other"),)))


def play(backend_params, seed=5, rounds=4):
    game = make_game("prisoners_dilemma", {})
    learner = make_learner(
        "llm",
        {"backend": backend_params},
        LearnerContext.for_game(game),
        np.random.default_rng(seed),
    )
    obs = game.reset(np.random.default_rng(0))
    history = []
    for _ in range(rounds):
        actions = learner.act(obs)
        result = game.step(actions)
        learner.update(
            Transition(
                obs,
                actions,
                result.rewards,
                result.obs,
                population_actions=actions,
                population_rewards=result.rewards,
            )
        )
        history.append(actions.tolist())
        obs = result.obs
    return history, learner


def test_replayed_experiment_is_identical(tmp_path, monkeypatch):
    path = tmp_path / "pd.jsonl"
    # Record: a "live" local backend replaced by a scripted one that alternates answers.
    from incentive_lab.learners.llm import backend_config as learner_module

    script = ScriptedBackend(lambda r: json.dumps({"action": len(r.messages[1][1]) % 2}))
    monkeypatch.setattr(learner_module, "OpenAIBackend", lambda *a, **k: script)
    recorded, live = play({"kind": "openai", "base_url": "http://127.0.0.1:9", "record": str(path)})
    assert live.totals["fallbacks"] == 0
    replayed, learner = play({"kind": "replay", "path": str(path)})
    again, _ = play({"kind": "replay", "path": str(path)})
    assert recorded == replayed == again
    assert learner.totals["fallbacks"] == 0 and learner.totals["backend_errors"] == 0


def test_missing_recording_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match=r"backend\.path"):
        play({"kind": "replay", "path": str(tmp_path / "nope.jsonl")})
