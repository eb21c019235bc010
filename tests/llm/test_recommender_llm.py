"""recsys_llm: prompt by hand, hostile answers, fallbacks, and the replayed MovieLens example.

The prompt is checked against the item labels (MovieLens titles and genres) of the user's
history and of the numbered candidates; every kind of unusable answer ends in a recorded
fallback to the retriever's slate; the replay version of ``examples/recommender_llm.yaml``
(answers recorded once from SmolLM2-135M) runs end to end with no fallback and reproduces
the live run that recorded it.
"""

from __future__ import annotations

import json
from collections import deque
from pathlib import Path

import numpy as np
import pytest
import yaml

from incentive_lab.core import ConfigError, LearnerContext, Transition, make_game, make_learner
from incentive_lab.core.top_k import top_k
from incentive_lab.experiments import execute_run, plan_runs
from incentive_lab.learners.llm.chat import BackendChat
from incentive_lab.learners.recsys import ranking_prompt as rp

from .conftest import ScriptedBackend

DATA = Path(__file__).parent / "data"
GAME = {
    "data": "movielens100k",
    "n_users": 12,
    "n_items": 30,
    "n_agents": 1,
    "agents_choose": "items",
    "drift": 0.0,
}


def build(script, **params):
    game = make_game("recommender", GAME)
    learner = make_learner(
        "recsys_llm",
        {"backend": {"kind": "replay", "path": None}, "candidates": 6, **params},
        LearnerContext.for_game(game),
        np.random.default_rng(0),
    )
    backend = ScriptedBackend(script)
    learner.chat = BackendChat(backend, learner.params.backend)
    return game, learner, backend


def test_ranking_prompt_by_hand():
    chat = rp.messages(["Star Wars (1977) [Action]", "Fargo (1996) [Crime]"], ["A", "B", "C"], 2)
    assert chat[0][0] == "system" and "exactly 2 different candidate numbers" in chat[0][1]
    assert "(from 0 to 2)" in chat[0][1]
    assert chat[1] == (
        "user",
        "The user recently clicked (oldest first):\n- Star Wars (1977) [Action]\n"
        "- Fargo (1996) [Crime]\n\nCandidates:\n0: A\n1: B\n2: C\n\n"
        "Rank the 2 candidates this user is most likely to click, best first.",
    )
    new = rp.messages([], ["A\nB " * 200], 1)[1][1]
    assert new.startswith("The user is new: no click yet.")
    assert len(new.split("0: ")[1].split("\n")[0]) == rp.LABEL_CHARS  # one line, cut


def test_learner_prompt_shows_history_titles_and_numbered_candidates():
    game, learner, backend = build(lambda r: '{"ranking": [5, 0, 1, 2, 3]}')
    labels = game.slate_choice.item_labels()
    assert labels[0] == "Star Wars (1977) [Action, Adventure, Romance, Sci-Fi, War]"
    learner.histories[(0, 3)] = deque([0, 4])
    candidates = np.arange(10, 16)
    slate = learner._rank(0, 3, candidates)
    assert slate.tolist() == [15, 10, 11, 12, 13]
    (request,) = backend.requests
    user = request.messages[1][1]
    assert f"- {labels[0]}\n- {labels[4]}\n" in user
    assert "\n".join(f"{c}: {labels[10 + c]}" for c in range(6)) in user
    schema = json.loads(request.json_schema)["properties"]["ranking"]
    assert schema["items"]["enum"] == list(range(6)) and schema["minItems"] == 5
    assert learner.transcripts[0]["candidates"] == candidates.tolist()
    assert learner.transcripts[0]["slate"] == slate.tolist()


@pytest.mark.parametrize(
    ("answer", "order", "repaired"),
    [
        ('{"ranking": [2, 0, 1]}', [2, 0, 1], False),
        ('```json\n{"ranking": [3, 2, 1]}\n```', [3, 2, 1], False),
        ('{"ranking": [1, 1, 1]}', [1, 0, 2], True),  # repeats filled in candidate order
        ('{"ranking": [4]}', [4, 0, 1], True),
        ('{"ranking": [0, 1, 2, 3]}', [0, 1, 2], True),
    ],
)
def test_valid_and_repaired_rankings(answer, order, repaired):
    parsed = rp.parse_ranking(answer, 5, 3)
    assert parsed.order == order and parsed.repaired is repaired


@pytest.mark.parametrize(
    "answer",
    [
        "",
        "   ",
        "I recommend 1, 2 and 3.",
        'Sure! {"ranking": [0, 1, 2]}',
        '{"ranking": [0, 1, 2]} {"ranking": [0]}',
        '{"ranking": [0, 1, 2], "ranking": [1, 2, 3]}',
        '{"ranking": [0, 1, 2], "reason": "x"}',
        '{"rank": [0, 1, 2]}',
        '{"ranking": []}',
        '{"ranking": "0, 1, 2"}',
        '{"ranking": [true, 1, 2]}',
        '{"ranking": [0.0, 1, 2]}',
        '{"ranking": ["0", 1, 2]}',
        '{"ranking": [0, 1, 5]}',
        '{"ranking": [-1, 1, 2]}',
        '{"ranking": [0, 1, 2, 3, 4, 0]}',
        '{"ranking": [[0], 1, 2]}',
        "[" * 1500 + "]" * 1500,
        '{"ranking": ' + "[" * 1500 + "]" * 1500 + "}",
        '{"ranking": [0, 1, 2]' + " " * 5000 + "}",
    ],
)
def test_hostile_rankings_are_rejected_with_a_reason(answer):
    parsed = rp.parse_ranking(answer, 5, 3)
    assert parsed.order is None and parsed.error


def submitted(game, learner):
    learner.act(np.zeros((1, 5)))
    return game.pending.submitted.copy()


def test_unparsed_answers_fall_back_to_the_retriever_and_are_counted():
    game, learner, backend = build(lambda r: "I would pick the first one.", max_users=3)
    request = game.slate_choice.requests(np.array([0]))
    expected = top_k(learner.scores(np.zeros_like(request.users), request.users), 5)
    slates = submitted(game, learner)
    assert (slates == expected).all()  # every fallback keeps the retriever's slate
    totals = learner.totals
    assert totals["llm_users"] == 3 and totals["fallbacks"] == 3
    assert totals["requests"] == 6 and totals["reasks"] == 3 == totals["parse_failures"] / 2
    record = learner.transcripts[0]
    assert record["fallback"] and record["slate"] is None
    assert [e.split(":")[0] for e in record["errors"]] == ["parse", "parse"]
    assert record["messages"][1][1] in backend.requests[1].messages[1][1]  # then re-asked
    assert "could not be used" in backend.requests[1].messages[-1][1]


def test_backend_errors_fall_back_and_a_model_slate_is_used():
    game, learner, _ = build(lambda r: None, max_users=2)
    submitted(game, learner)
    assert learner.totals["backend_errors"] == 2 == learner.totals["fallbacks"]
    assert learner.totals["requests"] == 2  # a backend error is not re-asked
    game, learner, _ = build(lambda r: '{"ranking": [5, 4, 3, 2, 1]}', max_users=12)
    request = game.slate_choice.requests(np.array([0]))
    cands = top_k(learner.scores(np.zeros_like(request.users), request.users), 6)
    slates = submitted(game, learner)
    assert (slates == cands[:, [5, 4, 3, 2, 1]]).all()  # the model's order of candidates
    assert learner.totals["fallbacks"] == 0 and learner.totals["llm_users"] == len(request.users)


def test_clicks_feed_the_history_and_the_retriever():
    game, learner, backend = build(lambda r: '{"ranking": [0, 1, 2, 3, 4]}', max_users=12)
    seen = []
    for _ in range(4):
        obs = np.zeros((1, 5))
        actions = learner.act(obs)
        result = game.step(actions)
        fb = game.slate_choice.feedback(np.array([0]))
        hit = fb.clicked >= 0
        items = fb.slates[hit, fb.clicked[hit]]
        seen += list(zip(fb.users[hit].tolist(), items.tolist(), strict=True))
        learner.update(Transition(obs, actions, result.rewards, result.obs))
    assert seen, "someone clicked"
    user, item = seen[-1]
    assert learner.histories[(0, user)][-1] == item
    assert learner.clicks[0, item] > 0 and learner.profile[0, user].sum() > 0
    label = game.slate_choice.item_labels()[item]
    learner.act(np.zeros((1, 5)))
    asked = [r.messages[1][1] for r in backend.requests[-12:]]
    assert any(f"- {label}" in text for text in asked)


def test_bad_parameters_are_one_line_config_errors(tmp_path):
    with pytest.raises(ConfigError, match=r"learner\.params\.candidates: got 3"):
        build(lambda r: None, candidates=3)
    with pytest.raises(ConfigError, match=r"learner\.params\.backend\.path"):
        build(lambda r: None, backend={"kind": "replay", "path": str(tmp_path / "none.jsonl")})
    game = make_game("recommender", {"n_users": 5, "n_items": 10})
    with pytest.raises(ConfigError, match="slate_choice"):
        make_learner(
            "recsys_llm",
            {"backend": {"kind": "replay", "path": None}},
            LearnerContext.for_game(game),
            np.random.default_rng(0),
        )


def replay_config():
    config = yaml.safe_load((DATA / "recommender_llm_replay.yaml").read_text())
    recording = str(DATA / "recommender_llm.jsonl")
    config["game"]["params"]["user_model"]["backend"]["path"] = recording
    config["learners"][0]["params"]["backend"]["path"] = recording
    return config


def totals(result, prefix):
    out: dict[str, float] = {}
    for _, name, value in result.metrics:
        if name.startswith(prefix):
            out[name.removeprefix(prefix)] = out.get(name.removeprefix(prefix), 0.0) + value
    return out


def test_replayed_example_runs_end_to_end_without_fallbacks():
    first = execute_run(plan_runs(replay_config())[0])
    # the live run that recorded the answers (SmolLM2-135M, local backend) gave exactly these
    assert first.summary["social_welfare"] == pytest.approx(17 / 30, abs=1e-12)
    assert first.summary["market_share_0"] == pytest.approx(11 / 30, abs=1e-12)
    ranker = totals(first, "learner0/")
    assert ranker["llm_users"] == 6 and ranker["requests"] == 6
    assert ranker["fallbacks"] == ranker["parse_failures"] == ranker["backend_errors"] == 0
    users = totals(first, "llm_user_")
    assert users["decisions"] > 0 and users["requests"] == users["decisions"]
    assert users["fallbacks"] == users["parse_failures"] == users["backend_errors"] == 0
    records = first.extra["transcripts"]["learner0"]
    assert len(records) == 6 and not any(r["fallback"] for r in records)
    assert all(len(set(r["slate"]) & set(r["candidates"])) == 5 for r in records)
    assert "(1977)" in json.dumps([r["messages"] for r in records])  # titles with the year
    # the simulated users' own model calls are stored with the run too
    simulated = first.extra["transcripts"]["game"]
    assert 0 < len(simulated) <= users["decisions"]
    assert all(r["answers"] and "click" in r for r in simulated)
