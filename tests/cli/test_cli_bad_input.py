"""Bad input through the CLI: exit 2, one line naming the field or file, database untouched."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pytest
from cli_helpers import cli_subprocess, files_of, invoke, small, write_config

VALID = small(seeds=1, steps=40, record_every=10, sweep={})


@pytest.fixture(scope="module")
def existing_db(tmp_path_factory) -> Path:
    """A real store holding one finished run."""
    tmp = tmp_path_factory.mktemp("db")
    db = tmp / "lab.duckdb"
    result = invoke("run", write_config(tmp / "ok.yaml", VALID), "--db", db, "--workers", "1")
    assert result.exit_code == 0, result.output
    return db


@pytest.fixture
def workdir(tmp_path: Path, existing_db: Path) -> Path:
    shutil.copy(existing_db, tmp_path / "lab.duckdb")
    return tmp_path


def assert_user_error(result, needle: str) -> None:
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert needle in lines[0], lines[0]
    assert "Traceback" not in result.output


CONFIG_CASES = {
    "malformed yaml": ("name: x\ngame: {id: prisoners_dilemma\n", "bad.yaml"),
    "not a mapping": ("- just\n- a list\n", "config"),
    "unknown key": ({**VALID, "record_evry": 10}, "record_evry"),
    "unknown nested key": (
        {**VALID, "learners": [{"id": "q_learning", "params": {"alpah": 0.1}}]},
        "did you mean 'alpha'",
    ),
    "unknown id": (
        {**VALID, "game": {"id": "prisoners_dilema"}},
        "did you mean 'prisoners_dilemma'",
    ),
    "wrong type": ({**VALID, "steps": "many"}, "steps"),
    "wrong nested type": (
        {**VALID, "game": {"id": "prisoners_dilemma", "params": {"n_copies": "x"}}},
        "game.params.n_copies",
    ),
    "out of range": (
        {**VALID, "learners": [{"id": "q_learning", "params": {"alpha": 5.0}}]},
        "learners.0.params.alpha",
    ),
    "negative steps": ({**VALID, "steps": -3}, "steps"),
    "bad sweep path": ({**VALID, "sweep": {"game.params.r_x": [1.0]}}, "r_x"),
    "bad sweep value": (
        {**VALID, "sweep": {"learners.0.params.alpha": [0.1, -1.0]}},
        "learners.0.params.alpha",
    ),
}


@pytest.mark.parametrize("case", sorted(CONFIG_CASES))
def test_bad_config_exits_2_naming_the_field(workdir: Path, case: str) -> None:
    config, needle = CONFIG_CASES[case]
    path = write_config(workdir / "bad.yaml", config)
    before = files_of(workdir)
    assert_user_error(invoke("run", path, "--db", workdir / "lab.duckdb"), needle)
    assert files_of(workdir) == before


def test_error_raised_while_a_learner_is_built(workdir: Path) -> None:
    """The constructor knows only ``learner.params.action``; the message names the group.

    The name was bound before the build failed; with no run stored under it, the fixed
    config may take it (no "differs from the one stored" refusal).
    """
    config = {
        **VALID,
        "name": "two-groups",
        "learners": [
            {"id": "q_learning", "agents": "0:1"},
            {"id": "fixed", "agents": "1:", "params": {"action": 7}},
        ],
    }
    db = workdir / "lab.duckdb"
    path = write_config(workdir / "bad.yaml", config)
    assert_user_error(invoke("run", path, "--db", db, "--workers", "2"), "learners.1.params.action")
    config["learners"][1]["params"]["action"] = 1
    fixed = invoke("run", write_config(workdir / "fixed.yaml", config), "--db", db)
    assert fixed.exit_code == 0, fixed.output


def test_a_warm_start_the_game_cannot_feed_names_the_learner_group(workdir: Path) -> None:
    game = {"n_users": 20, "n_items": 10, "n_agents": 1, "agents_choose": "items"}
    config = {
        **VALID,
        "name": "warm",
        "game": {"id": "recommender", "params": game},
        "learners": [{"id": "recsys_bpr", "params": {"warm_start": "logged"}}],
    }
    path = write_config(workdir / "warm.yaml", config)
    result = invoke("run", path, "--db", workdir / "lab.duckdb")
    assert_user_error(result, "learners.0.params.warm_start: got 'logged'")


def test_bad_config_never_creates_a_database(tmp_path: Path) -> None:
    path = write_config(tmp_path / "bad.yaml", {**VALID, "steps": 0})
    assert_user_error(invoke("run", path, "--db", tmp_path / "new.duckdb"), "steps")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml"]


def test_missing_config_file(workdir: Path) -> None:
    before = files_of(workdir)
    assert_user_error(
        invoke("run", workdir / "nope.yaml", "--db", workdir / "lab.duckdb"), "nope.yaml"
    )
    assert files_of(workdir) == before


def _text_file(path: Path) -> None:
    path.write_text("name: not a database\n")


def _foreign_duckdb(path: Path) -> None:
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE accounts AS SELECT 1 AS id")
    con.close()


def _corrupt_duckdb(path: Path, existing: Path) -> None:
    data = bytearray(existing.read_bytes())
    data[4096:] = b"\xff" * (len(data) - 4096)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("kind", ["text", "foreign", "corrupt", "directory"])
@pytest.mark.parametrize("command", ["run", "show", "export"])
def test_bad_db_file_exits_2_and_is_untouched(
    tmp_path: Path, existing_db: Path, kind: str, command: str
) -> None:
    db = tmp_path / "bad.duckdb"
    if kind == "text":
        _text_file(db)
    elif kind == "foreign":
        _foreign_duckdb(db)
    elif kind == "corrupt":
        _corrupt_duckdb(db, existing_db)
    else:
        db.mkdir()
    config = write_config(tmp_path / "ok.yaml", VALID)
    before = files_of(tmp_path)
    args = {
        "run": ["run", config, "--db", db, "--workers", "1"],
        "show": ["show", "--db", db],
        "export": ["export", "--db", db, "--out", tmp_path / "out"],
    }[command]
    assert_user_error(invoke(*args), "bad.duckdb")
    assert files_of(tmp_path) == before
    assert not (tmp_path / "out").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_db_file(workdir: Path) -> None:
    db = workdir / "lab.duckdb"
    db.chmod(0)
    try:
        assert_user_error(invoke("show", "--db", db), "lab.duckdb")
    finally:
        db.chmod(0o644)


def test_bad_options(workdir: Path) -> None:
    config = write_config(workdir / "ok.yaml", VALID)
    before = files_of(workdir)
    db = workdir / "lab.duckdb"
    assert_user_error(invoke("run", config, "--db", db, "--workers", "0"), "workers")
    assert_user_error(invoke("run", config, "--db", db, "--address", "x:1"), "address")
    assert_user_error(invoke("show", "--db", db, "-m", "welfare"), "did you mean")
    assert_user_error(invoke("list", "gams"), "did you mean 'games'")
    assert files_of(workdir) == before


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("run", "x.yaml", "--workers", "abc"), "'--workers': got 'abc'"),
        (("report", "--seed=-1"), "'--seed': got '-1'"),
        (("show", "--bogus"), "No such option: --bogus"),
        (("nosuch",), "No such command 'nosuch'"),
        (("bench", "run"), "Missing argument 'name'"),
        (("run",), "Missing argument 'config'"),
    ],
)
def test_option_errors_are_one_line(workdir: Path, args: tuple[str, ...], needle: str) -> None:
    """Click's usage errors (a framed six-line box by default) are one line, exit 2."""
    result = invoke(*args)
    assert_user_error(result, needle)
    assert "--help'" in result.stderr


def test_export_onto_an_existing_file_exits_2(workdir: Path) -> None:
    changed = {**VALID, "name": "small-pd-20", "steps": 20, "record_every": 10}
    config = write_config(workdir / "ok.yaml", changed)  # a changed config needs a new name
    db = workdir / "lab.duckdb"
    assert invoke("run", config, "--db", db, "--workers", "1").exit_code == 0
    blocker = workdir / "taken"
    blocker.write_text("keep me")
    for fmt in ("parquet", "marl-eval"):
        result = invoke("export", "--db", db, "--out", blocker, "--format", fmt)
        assert_user_error(result, "--out")
    assert blocker.read_text() == "keep me"


def test_dead_llm_backend_warns_but_finishes(workdir: Path) -> None:
    backend = {"kind": "openai", "base_url": "http://127.0.0.1:9", "timeout": 0.5}
    config = {
        "name": "llm-dead",
        "game": {"id": "prisoners_dilemma", "params": {"n_copies": 1}},
        "learners": [{"id": "llm", "params": {"backend": {**backend, "max_retries": 0}}}],
        "steps": 2,
        "record_every": 1,
    }
    result = invoke("run", write_config(workdir / "llm.yaml", config), "--db", workdir / "l.db")
    assert result.exit_code == 0, result.output
    assert "learner0 used its fallback action" in result.stderr


def test_real_process_exit_status_and_stderr(workdir: Path) -> None:
    path = write_config(workdir / "bad.yaml", {**VALID, "steps": "many"})
    before = files_of(workdir)
    done = cli_subprocess("run", path, "--db", workdir / "lab.duckdb")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [done.stderr.strip()]
    assert done.stderr.startswith("error: steps:")
    assert "Traceback" not in done.stderr + done.stdout
    assert files_of(workdir) == before


def test_internal_errors_keep_their_traceback(tmp_path: Path, monkeypatch) -> None:
    from incentive_lab.cli import _common as cli_common

    def broken(*args, **kwargs):
        raise RuntimeError("internal bug")

    monkeypatch.setattr(cli_common, "run_experiment", broken)
    result = invoke("run", write_config(tmp_path / "ok.yaml", VALID), "--db", tmp_path / "x.duckdb")
    assert result.exit_code == 1
    assert isinstance(result.exception, RuntimeError)
