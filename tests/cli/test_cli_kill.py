"""A sweep killed with SIGKILL mid-way resumes to exactly the tables of an uninterrupted run."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import duckdb
from cli_helpers import cli_popen, cli_subprocess, small, write_config

QUERIES = {
    "runs": "SELECT run_id, config, point, seed_index, status FROM runs ORDER BY run_id",
    "summary": "SELECT run_id, name, value FROM summary ORDER BY run_id, name",
    "metrics": "SELECT run_id, step, name, value FROM metrics ORDER BY run_id, name, step",
    "duplicates": "SELECT count(*) - count(DISTINCT (run_id, step, name)) FROM metrics",
}


def dump(db: Path) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {name: con.execute(query).fetchall() for name, query in QUERIES.items()}
    finally:
        con.close()


def test_sigkill_then_resume_equals_uninterrupted(tmp_path: Path) -> None:
    config = write_config(tmp_path / "cfg.yaml", small(seeds=8, steps=1200, record_every=40))
    reference_db = tmp_path / "reference.duckdb"
    start = time.perf_counter()
    done = cli_subprocess("run", config, "--db", reference_db, "--workers", "2")
    duration = time.perf_counter() - start
    assert done.returncode == 0, done.stderr
    reference = dump(reference_db)
    total = len(reference["runs"])
    assert total == 16 and reference["duplicates"] == [(0,)]

    partial_counts = []
    for attempt, fraction in enumerate((0.6, 0.75, 0.45, 0.85)):
        db = tmp_path / f"killed{attempt}.duckdb"
        process = cli_popen("run", config, "--db", db, "--workers", "2")
        time.sleep(fraction * duration)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        partial = len(dump(db)["runs"]) if db.exists() else 0
        partial_counts.append(partial)
        if 0 < partial < total:
            break
    assert 0 < partial < total, f"never killed mid-way: {partial_counts} of {total}"

    resumed = cli_subprocess("run", config, "--db", db, "--workers", "2")
    assert resumed.returncode == 0, resumed.stderr
    assert dump(db) == reference
