"""The strict answer parser accepts exactly the documented formats."""

from __future__ import annotations

import json
import re

from hypothesis import given
from hypothesis import strategies as st

from incentive_lab.learners.llm.parsing import answer_schema, parse_action, reask_message

N = 5
VALID_RE = re.compile(r'\A\s*\{\s*"action"\s*:\s*(\d)\s*\}\s*\Z')


@given(st.integers(0, N - 1), st.sampled_from(["", " ", "\n", "\t "]), st.booleans())
def test_valid_objects_are_accepted(k, pad, with_reason):
    obj = {"action": k, "reason": "because"} if with_reason else {"action": k}
    assert parse_action(pad + json.dumps(obj) + pad, N).action == k


@given(st.integers(0, N - 1), st.sampled_from(["```json\n", "```\n"]))
def test_one_fenced_object_is_accepted(k, fence):
    assert parse_action(f"{fence}{json.dumps({'action': k})}\n```", N).action == k


@given(st.integers(0, N - 1), st.text(min_size=1).filter(lambda t: t.strip()))
def test_prose_around_the_object_is_rejected(k, prose):
    body = json.dumps({"action": k})
    assert parse_action(prose + " " + body, N).action is None or prose.strip() == ""
    assert parse_action(body + " " + prose, N).action is None


@given(st.text(max_size=40))
def test_arbitrary_text_is_accepted_only_if_it_is_a_valid_object(text):
    parsed = parse_action(text, N)
    simple = VALID_RE.match(text)
    if parsed.action is not None:
        value = json.loads(text.strip().removeprefix("```json").strip("`\n "))
        assert value["action"] == parsed.action and 0 <= parsed.action < N
    if simple and int(simple.group(1)) < N:
        assert parsed.action == int(simple.group(1))


@given(st.one_of(st.integers(max_value=-1), st.integers(min_value=N)))
def test_out_of_range_is_rejected(k):
    assert parse_action(json.dumps({"action": k}), N).action is None


def test_the_rest_is_rejected_with_a_reason():
    bad = [
        "",
        "   ",
        "1",
        '{"action": "1"}',
        '{"action": 1.0}',
        '{"action": true}',
        '{"action": null}',
        '{"act": 1}',
        '{"action": 1, "extra": 2}',
        '{"action": 1, "action": 2}',
        '{"action": 1, "reason": 3}',
        '{"action": 1}{"action": 2}',
        '[{"action": 1}]',
        '{"action": {"action": 1}}',
        "I choose action 1",
        '```json\n{"action": 1}\n``` and more',
        '{"action": 1',
        '{"action": 1}' + " " * 5000,
    ]
    for text in bad:
        parsed = parse_action(text, N, max_chars=4000)
        assert parsed.action is None, text
        assert parsed.error


def test_huge_answers_are_rejected():
    assert "longer" in parse_action('{"action": 1, "reason": "' + "x" * 5000 + '"}', N).error


def test_schema_and_reask():
    schema = answer_schema(3)
    assert schema["properties"]["action"]["enum"] == [0, 1, 2]
    assert schema["additionalProperties"] is False
    assert '{"action": k}' in reask_message("bad", 3) and "0 to 2" in reask_message("bad", 3)
