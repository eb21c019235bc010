"""Generated hostile LLM-server behaviours: the run always finishes, failures are fallbacks.

Issue #15 items 5 and 6, end to end: an ``llm`` learner plays against a fake server whose
answers are drawn by hypothesis (well-formed, malformed, nested, truncated, oversized,
non-UTF-8, redirects, slow drips, error statuses); every run finishes and is stored (a
failed request is the learner's recorded fallback, never an exception).
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incentive_lab.experiments.execution.orchestrate import run_experiment

from .test_http_backend import FakeServer, reply

BEHAVIOURS = st.one_of(
    st.sampled_from(['{"action": 0}', '{"action": 1}', "nonsense", "{}", ""]).map(
        lambda text: ("ok", text)
    ),
    st.integers(1, 1500).map(lambda depth: ("ok", "[" * depth + "]" * depth)),
    st.integers(1, 1500).map(lambda depth: ("raw", b"[" * depth + b"]" * depth)),
    st.binary(max_size=64).map(lambda data: ("raw", data)),
    st.just(("raw", b'{"choices": [{"message": {"content": "\\udc80"}}]}')),
    st.just(("raw", reply('{"action": 1}')[:-7])),
    st.sampled_from([400, 404, 429, 500, 503]).map(lambda code: ("status", code)),
    st.just(("short", 0)),
    st.just(("huge", 50_000_000)),
    st.just(("stream", 5_000_000)),
    st.just(("redirect", "http://127.0.0.1:9/")),
    st.just(("drip", 0.05)),
)


def _config(url: str) -> dict:
    backend = {
        "kind": "openai",
        "base_url": url,
        "timeout": 2.0,
        "deadline": 0.5,
        "max_response_bytes": 65536,
        "max_retries": 0,
        "max_failures": 100,
        "cache": False,
    }
    return {
        "name": "hostile",
        "game": {"id": "prisoners_dilemma", "params": {"n_copies": 1}},
        "learners": [{"id": "llm", "params": {"backend": backend, "max_reasks": 0}}],
        "steps": 3,
        "record_every": 1,
    }


@settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(script=st.lists(BEHAVIOURS, min_size=1, max_size=6))
def test_generated_server_behaviours_never_crash_a_run(tmp_path: Path, script) -> None:
    server = FakeServer()
    try:
        server.script = list(script)
        db = tmp_path / f"run-{abs(hash(json.dumps(repr(script)))) % 10**9}.duckdb"
        results = run_experiment(_config(server.url), db=db, workers=1)
    finally:
        server.close()
    con = duckdb.connect(str(db), read_only=True)
    try:
        (finished,) = con.execute("SELECT count(*) FROM runs").fetchone()
    finally:
        con.close()
    assert finished == 1
    summary = results.summary()
    assert not summary.empty
