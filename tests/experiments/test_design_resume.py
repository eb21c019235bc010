"""A search SIGKILLed mid-study resumes to the same trials and best trial as an uninterrupted."""

from __future__ import annotations

import copy
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import yaml
from test_design import PD_DESIGN, TAX

from incentive_lab.experiments.search.design import DesignResult, run_design

TRIALS = 6


def completed_trials(storage_file: Path) -> int:
    """COMPLETE trials in an Optuna SQLite storage (0 while it is being created)."""
    if not storage_file.exists():
        return 0
    try:
        con = sqlite3.connect(f"file:{storage_file}?mode=ro", uri=True, timeout=0.1)
        try:
            rows = con.execute("SELECT count(*) FROM trials WHERE state = 'COMPLETE'").fetchall()
        finally:
            con.close()
    except sqlite3.Error:  # schema not there yet, or locked by the writer for a moment
        return 0
    return int(rows[0][0])


def wait_for(storage_file: Path, count: int, child: subprocess.Popen[bytes]) -> int:
    deadline = time.monotonic() + 120.0
    while time.monotonic() < deadline:
        done = completed_trials(storage_file)
        if done >= count:
            return done
        assert child.poll() is None, "the search ended before it could be killed"
        time.sleep(0.02)
    raise AssertionError("timed out waiting for completed trials")


def outcome(result: DesignResult) -> list[tuple[float, float, float]]:
    """Completed trials in order, without trial numbers (a killed trial takes a number)."""
    return [(t.params[TAX], t.objective, t.cost) for t in result.trials]


def test_sigkill_mid_study_then_resume_equals_uninterrupted(tmp_path: Path) -> None:
    config = copy.deepcopy(PD_DESIGN)
    config["design"].update(trials=TRIALS, startup_trials=3, seed=7)
    config["steps"] = 500
    path = tmp_path / "design.yaml"
    path.write_text(yaml.safe_dump(config))
    killed_dir, whole_dir = tmp_path / "killed", tmp_path / "whole"
    killed_dir.mkdir()
    whole_dir.mkdir()
    db = killed_dir / "store.duckdb"

    code = (
        "import sys; from incentive_lab.experiments.search.design import run_design; "
        "run_design(sys.argv[1], db=sys.argv[2], workers=1)"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", code, str(path), str(db)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(killed_dir / "store-optuna.db", 2, child)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    done_at_kill = completed_trials(killed_dir / "store-optuna.db")
    assert 2 <= done_at_kill < TRIALS  # killed mid-study

    resumed = run_design(path, db=db, workers=1)
    whole = run_design(path, db=whole_dir / "store.duckdb", workers=1)

    assert len(resumed.trials) == len(whole.trials) == TRIALS
    assert outcome(resumed) == outcome(whole)
    assert resumed.best is not None and whole.best is not None
    assert resumed.best.params == whole.best.params
    assert resumed.best.objective == whole.best.objective
    assert resumed.best_ci == whole.best_ci
    # The trials completed before the kill were kept, not recomputed.
    assert [t.number for t in resumed.trials[:done_at_kill]] == list(range(done_at_kill))
