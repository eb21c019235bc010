"""Sharing a store: ``show`` during a sweep, a second ``run`` waits, worker config errors."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
from pathlib import Path

from rel_helpers import assert_one_line_error, invoke, tiny, write

SWEEP = tiny(
    name="long-sweep",
    steps=4000,
    record_every=100,
    seeds=3,
    game={"id": "prisoners_dilemma", "params": {"n_copies": 50}},
    sweep={"learners.0.params.alpha": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]},
)


def _cli(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "incentive_lab.cli", *map(str, args)]


def _start(*args: str | Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        _cli(*args),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env={**os.environ, "COLUMNS": "200"},
    )


def _locked(db: Path) -> bool:
    """Whether a driver holds the store's run lock."""
    if not db.exists():
        return False
    fd = os.open(db, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def _stop(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=60)


def test_show_from_another_process_prints_finished_runs_during_a_sweep(tmp_path: Path) -> None:
    """Mid-sweep by construction: ``show`` runs from the progress callback after a write."""
    from incentive_lab.experiments.execution.orchestrate import run_experiment

    db = tmp_path / "lab.duckdb"
    probes: list[subprocess.CompletedProcess[str]] = []

    def probe(done: int, total: int) -> None:
        if 0 < done < total and not probes:
            probes.append(
                subprocess.run(
                    _cli("show", "--db", db), capture_output=True, text=True, timeout=300
                )
            )

    run_experiment(SWEEP, db=db, workers=1, progress=probe)
    assert probes, "no write happened before the last one"
    assert probes[0].returncode == 0, probes[0].stderr
    assert "long-sweep" in probes[0].stdout


def test_a_second_run_on_the_same_store_waits_then_completes(tmp_path: Path) -> None:
    """Another driver holds the store's run lock; a new run says so, waits, then completes."""
    db = tmp_path / "lab.duckdb"
    config = write(tmp_path / "sweep.yaml", tiny(name="waiter", seeds=2))
    assert invoke("run", config, "--db", db, "--workers", "1").exit_code == 0  # the store
    fd = os.open(db, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)  # what a running driver holds
    second = _start("run", write(tmp_path / "more.yaml", tiny(name="waiter", seeds=4)), "--db", db)
    try:
        assert second.stderr is not None
        line = second.stderr.readline()  # blocks until the waiting message (or exit)
        assert "waiting" in line and "another run" in line, line
        assert second.poll() is None
    finally:
        os.close(fd)  # the first driver finishes
    assert second.wait(timeout=600) == 0
    shown = invoke("show", "--db", db)
    assert shown.exit_code == 0 and "waiter" in shown.stdout


def test_a_config_error_while_a_run_is_built_exits_2_with_two_workers(tmp_path: Path) -> None:
    """Raised in a worker process (the record path is checked when the learner is built)."""
    record_dir = tmp_path / "records"
    record_dir.mkdir()
    backend = {"kind": "openai", "base_url": "http://127.0.0.1:9", "record": str(record_dir)}
    config = tiny(
        name="bad-record",
        seeds=2,
        learners=[{"id": "llm", "params": {"backend": backend}}],
        game={"id": "prisoners_dilemma", "params": {"n_copies": 1}},
        steps=2,
        record_every=1,
    )
    path = write(tmp_path / "bad.yaml", config)
    result = invoke("run", path, "--db", tmp_path / "x.duckdb", "--workers", "2")
    assert_one_line_error(result, "backend.record")


def test_a_base_url_with_a_space_exits_2(tmp_path: Path) -> None:
    backend = {"kind": "openai", "base_url": "http://local host:8000/v1"}
    config = tiny(
        name="space",
        learners=[{"id": "llm", "params": {"backend": backend}}],
        game={"id": "prisoners_dilemma", "params": {"n_copies": 1}},
        steps=2,
        record_every=1,
    )
    path = write(tmp_path / "space.yaml", config)
    assert_one_line_error(invoke("run", path, "--db", tmp_path / "x.duckdb"), "base_url")
