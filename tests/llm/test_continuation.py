"""Continuation requests: keys, OpenAI legacy completions, record/replay, grammars, best-of-n."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import math

import numpy as np
import pytest

from incentive_lab.core import ConfigError, LearnerContext, make_game, make_learner
from incentive_lab.learners.llm import best_of_n, continuation, gtalign
from incentive_lab.learners.llm.backends import BackendError, ChatRequest, chatml_prompt
from incentive_lab.learners.llm.replay import RecordingBackend, ReplayBackend

from .conftest import ScriptedBackend
from .test_http_backend import backend, server  # noqa: F401  (the fixture)

MESSAGES = (("system", "rules"), ("user", "pick"))
PREFIX = '<thinking>t</thinking>\n<payoff>{"DQ_DA": {"LLM": 1.0, "user": 2.0}}</payoff>\n'


def test_plain_request_keys_are_unchanged():
    request = ChatRequest(messages=MESSAGES, seed=3, json_schema="{}")
    old = {
        "messages": MESSAGES,
        "model": "",
        "temperature": 0.0,
        "seed": 3,
        "max_tokens": 256,
        "stop": (),
        "json_schema": "{}",
    }
    text = json.dumps(old, sort_keys=True, separators=(",", ":"))
    assert request.key() == hashlib.sha256(text.encode()).hexdigest()
    assert ChatRequest(messages=MESSAGES, prefix=PREFIX).key() != ChatRequest(MESSAGES).key()


def test_openai_continues_through_legacy_completions(server):  # noqa: F811
    body = json.dumps({"choices": [{"text": "<analysis>a</analysis>"}]}).encode()
    server.script = [("raw", body)]
    b = backend(server.url, completion_template="chatml")
    request = ChatRequest(messages=MESSAGES, seed=5, prefix=PREFIX, grammar='root ::= "x"')
    assert b.continues and b.complete(request) == "<analysis>a</analysis>"
    assert server.paths == ["/v1/completions"]
    sent = server.bodies[0]
    assert sent["prompt"] == (
        "<|im_start|>system\nrules<|im_end|>\n<|im_start|>user\npick<|im_end|>\n"
        "<|im_start|>assistant\n" + PREFIX
    )
    assert sent["prompt"] == chatml_prompt(MESSAGES, PREFIX)
    assert sent["grammar"] == 'root ::= "x"' and sent["seed"] == 5 and "messages" not in sent


def test_openai_continuation_keeps_the_deadline(server):  # noqa: F811
    server.script = [("drip", 0.2)]
    b = backend(server.url, completion_template="chatml", deadline=0.5, max_retries=0)
    with pytest.raises(BackendError, match="deadline"):
        b.complete(ChatRequest(messages=MESSAGES, prefix=PREFIX))


def test_openai_without_a_template_does_not_continue(server):  # noqa: F811
    b = backend(server.url)
    assert not b.continues
    with pytest.raises(BackendError, match="cannot continue"):
        b.complete(ChatRequest(messages=MESSAGES, prefix=PREFIX))
    assert server.bodies == []


def test_continuation_requests_are_recorded_and_replayed(tmp_path):
    path = tmp_path / "r.jsonl"
    live = ScriptedBackend(lambda r: f"continued {len(r.prefix or '')}")
    live.continues = True  # type: ignore[attr-defined]
    recorder = RecordingBackend(live, path)
    request = ChatRequest(messages=MESSAGES, prefix=PREFIX, grammar="g")
    assert recorder.continues and recorder.complete(request) == f"continued {len(PREFIX)}"
    line = json.loads(path.read_text())
    assert line["prefix"] == PREFIX
    replay = ReplayBackend(path)
    assert replay.continues and replay.complete(request) == f"continued {len(PREFIX)}"
    with pytest.raises(BackendError):
        replay.complete(ChatRequest(messages=MESSAGES, prefix=PREFIX))  # no grammar: a miss


def test_parse_takes_the_response_action():
    ok = '<analysis>VQ_CQ is best.</analysis>\n<response>{"action": 1}</response>'
    assert continuation.parse(ok, 3) == 1
    assert isinstance(continuation.parse('<response>{"action": 1}</response>', 3), str)
    assert isinstance(continuation.parse(ok.replace("1}", "7}"), 3), str)
    assert isinstance(continuation.parse(ok + ok, 3), str)


def test_cell_grammar_binds_the_named_cell_to_its_column():
    text = continuation.grammar(gtalign.GTALIGN_SCHEMA, 3, "cell", "both sides", row=1)
    assert text is not None
    assert '"VQ_CQ." "</analysis>\\n<response>{\\"action\\": 1}</response>"' in text
    assert "DQ_" not in text  # the question's row only
    assert continuation.grammar(gtalign.GTALIGN_SCHEMA, 3, "none") is None


@pytest.mark.skipif(importlib.util.find_spec("llama_cpp") is None, reason="needs llama_cpp")
@pytest.mark.parametrize("style", ["free", "cell"])
def test_grammars_compile_in_llama_cpp(style):
    from llama_cpp import LlamaGrammar

    schema = gtalign.GTALIGN_SCHEMA
    LlamaGrammar.from_string(continuation.grammar(schema, 3, style), verbose=False)
    LlamaGrammar.from_string(continuation.payoff_grammar(schema), verbose=False)


def test_best_of_n_keeps_the_highest_rubric_welfare():
    # ambiguous question, expert (state 3): √(U·L) = DA .4427, CQ .8312, AQ .8025
    assert best_of_n.select(3, [2, 0, 1]) == 1
    assert best_of_n.select(3, [None, 2, 0]) == 2
    assert best_of_n.select(3, [None, None]) is None
    assert best_of_n.scores(3, [1])[0] == pytest.approx(math.sqrt(0.912 * 0.7575))


def test_welfare_rule_llm_takes_the_own_payoff_only():
    payoff = gtalign.Payoff(
        gtalign.GTALIGN_SCHEMA, np.array([[1.0, 2.0, 3.0]] * 2), np.array([[3.0, 3.0, 0.1]] * 2)
    )
    assert gtalign.choose(payoff, "llm", 0) == (0, 2)
    assert gtalign.choose(payoff, "cobb_douglas", 0) == (0, 1)
    # column 1 wins under "llm" once its U rises by more than 3 − 2 = 1
    assert gtalign.steering_threshold(payoff, 1, "llm") == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("game", "params", "field"),
    [
        ("prisoners_dilemma", {"payoff_schema": "gtalign"}, "payoff_schema"),
        ("user_assistant", {"best_of_n": 3}, "best_of_n"),
    ],
)
def test_gtalign_options_need_the_user_assistant_game(game, params, field):
    g = make_game(game, {})
    with pytest.raises(ConfigError, match=field):
        make_learner(
            "llm",
            {"backend": {"kind": "replay"}, "reasoning": "gtalign", **params},
            LearnerContext.for_game(g),
            np.random.default_rng(0),
        )
