"""Property: any garbage config gives exit 2 with one error line (or 0 when it is valid),
never a traceback, and leaves an existing database untouched when rejected."""

from __future__ import annotations

import copy
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from cli_helpers import files_of, invoke, small, write_config
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

BASE = small(seeds=1, steps=20, record_every=10, sweep={})
BASE["game"]["params"]["n_copies"] = 2

FIELDS = [
    ("name",),
    ("game",),
    ("game", "id"),
    ("game", "params"),
    ("game", "params", "n_copies"),
    ("mechanism",),
    ("mechanism", "id"),
    ("learners",),
    ("learners", 0, "id"),
    ("learners", 0, "params", "alpha"),
    ("learners", 0, "params", "epsilon"),
    ("learners", 0, "agents"),
    ("steps",),
    ("seeds",),
    ("seed",),
    ("record_every",),
    ("summary_window",),
    ("sweep",),
    ("phases",),
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-5, max_value=30),
    st.floats(allow_nan=True, allow_infinity=True, width=32),
    st.text(max_size=8),
    st.sampled_from(["none", "q_learning", "prisoners_dilemma", "action_tax", "0:1", "1e3", "nan"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)
edits = st.lists(
    st.tuples(st.sampled_from(["set", "delete", "add"]), st.sampled_from(FIELDS), values),
    min_size=1,
    max_size=4,
)


def apply(config: dict[str, Any], edit: tuple[str, tuple, Any]) -> None:
    action, path, value = edit
    node: Any = config
    for part in path[:-1]:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return
    if not isinstance(node, dict | list):
        return
    last = path[-1]
    if action == "add":
        if isinstance(node, dict):
            node[f"{last}_x"] = value
    elif action == "delete":
        if isinstance(node, dict):
            node.pop(last, None)
    elif isinstance(node, dict) or (isinstance(last, int) and last < len(node)):
        node[last] = value


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("template")
    result = invoke(
        "run", write_config(tmp / "ok.yaml", BASE), "--db", tmp / "lab.duckdb", "--workers", "1"
    )
    assert result.exit_code == 0, result.output
    return tmp / "lab.duckdb"


def check(template: Path, text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        shutil.copy(template, work / "lab.duckdb")
        config = work / "cfg.yaml"
        config.write_text(text)
        before = files_of(work)
        result = invoke("run", config, "--db", work / "lab.duckdb", "--workers", "1")
        assert "Traceback" not in result.output
        event(f"exit {result.exit_code}")
        if result.exit_code != 0:
            assert result.exception is None or isinstance(result.exception, SystemExit), repr(
                result.exception
            )
            assert result.exit_code == 2, result.output
            lines = result.stderr.strip().splitlines()
            assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
            assert files_of(work) == before


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(edits=edits)
def test_mutated_configs_are_rejected_cleanly_or_run(template: Path, edits) -> None:
    config = copy.deepcopy(BASE)
    for edit in edits:
        apply(config, edit)
    check(template, yaml.safe_dump(config, allow_unicode=True))


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    text=st.one_of(st.text(max_size=60), st.sampled_from(["{", "[1, 2", "a: b: c", ":\n  -", "\t"]))
)
def test_random_text_is_rejected_cleanly(template: Path, text: str) -> None:
    check(template, text)
