"""Property-based fuzzing of configs: each either runs or exits 2 with exactly one line,
and an existing database stays byte-identical whenever the command fails.

Structure-aware: hypothesis mutates a valid config (odd names, extreme numbers, NaN/inf,
deep nesting, huge seed counts and sweeps, wrong types) and also writes raw YAML with
aliases and alias bombs. Kept fast: few examples, no deadline, derandomized for CI.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rel_helpers import TINY, digest, invoke, tiny

NAMES = st.one_of(
    st.text(min_size=0, max_size=40),
    st.sampled_from(["[/bold]", "tiny-pd", "\x00", "../../etc", "名前", "a" * 5000, "$(rm)"]),
)
NUMBERS = st.one_of(
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, -1, 10**12, 2**63, 1e308, -0.0]),
)


def _nested(depth: int) -> object:
    value: object = 1
    for _ in range(depth):
        value = [value]
    return value


MUTATIONS = st.one_of(
    st.tuples(st.just("name"), NAMES),
    st.tuples(st.sampled_from(["steps", "seeds", "record_every", "seed"]), NUMBERS),
    st.tuples(st.just("seeds"), st.sampled_from([10**9, [1, 1], [], [-1]])),
    st.tuples(st.just("summary_window"), NUMBERS),
    st.tuples(st.just("game.params.n_copies"), NUMBERS),
    st.tuples(st.just("learners.0.params.alpha"), NUMBERS),
    st.tuples(st.just("learners.0.params.initial_q"), NUMBERS),
    st.tuples(st.just("game"), st.integers(0, 80).map(_nested)),
    st.tuples(
        st.just("sweep"),
        st.sampled_from(
            [
                {"steps": list(range(1, 400))},
                {"learners.0.params.alpha": [0.1, 0.1]},
                {"nope.x": [1]},
                {".".join(["game"] + ["params"] * 200): [1]},
                {"steps": list(range(1, 2000)), "seed": list(range(1000))},
            ]
        ),
    ),
)

BOMB_LEVELS = "".join(
    f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]\n" for p, c in zip("abcdefg", "bcdefgh", strict=True)
)
ALIASES = st.sampled_from(
    [
        "name: &n tiny-alias\nx: *n\n",
        "a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1]\n" + BOMB_LEVELS + "name: *h\n",
        "name: &r [*r]\n",
        "name: " + "[" * 500 + "]" * 500 + "\n",
    ]
)


def _apply(config: dict, path: str, value: object) -> dict:
    out = tiny()
    node: dict = out
    parts = path.split(".")
    for part in parts[:-1]:
        node = node[int(part)] if part.isdigit() else node.setdefault(part, {})
    node[parts[-1]] = value
    return out


def _check(result, db: Path, before: str) -> None:
    assert "Traceback" not in result.output
    if result.exit_code == 0:
        return
    assert result.exit_code == 2, (result.exit_code, result.output[-2000:])
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr[-2000:]
    assert digest(db) == before


SETTINGS = settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@SETTINGS
@given(mutation=MUTATIONS)
def test_mutated_configs_run_or_exit_2_with_one_line(
    tmp_path: Path, stored_db: Path, mutation
) -> None:
    db = tmp_path / "fuzz.duckdb"
    shutil.copy(stored_db, db)
    before = digest(db)
    path, value = mutation
    config = _apply(TINY, path, value)
    target = tmp_path / "fuzz.yaml"
    try:
        target.write_text(yaml.safe_dump(config, allow_unicode=True))
    except (yaml.YAMLError, RecursionError):
        return  # not representable as YAML: nothing to feed the CLI
    _check(invoke("run", target, "--db", db, "--workers", "1"), db, before)


@SETTINGS
@given(text=ALIASES)
def test_aliased_and_nested_yaml_runs_or_exits_2(tmp_path: Path, stored_db: Path, text) -> None:
    db = tmp_path / "fuzz.duckdb"
    shutil.copy(stored_db, db)
    before = digest(db)
    target = tmp_path / "alias.yaml"
    rest = yaml.safe_dump({k: v for k, v in TINY.items() if k != "name"})
    target.write_text(text + rest)
    _check(invoke("run", target, "--db", db, "--workers", "1"), db, before)
