"""Item 9, 11: store faults end in exit 2 naming the real cause; stored runs stay intact."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest
from rel_helpers import TINY, assert_one_line_error, digest, invoke, tiny, write

from incentive_lab.core.errors import ConfigError
from incentive_lab.experiments.execution import store as store_module
from incentive_lab.experiments.execution import store_files
from incentive_lab.experiments.execution.store import RunStore


def _show(db: Path):
    return invoke("show", "--db", db)


def test_a_half_truncated_database_exits_2(db: Path) -> None:
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 2])
    line = assert_one_line_error(_show(db), "lab.duckdb")
    assert "another process" not in line


def test_a_bit_rotted_block_is_not_reported_as_a_lock(db: Path) -> None:
    data = bytearray(db.read_bytes())
    data[8192:] = bytes((b ^ 0x5A) for b in data[8192:])
    db.write_bytes(bytes(data))
    line = assert_one_line_error(_show(db), "lab.duckdb")
    assert "another process" not in line


@pytest.mark.parametrize("command", ["run", "show"])
def test_a_fifo_as_db_is_refused_before_opening(tmp_path: Path, command: str) -> None:
    fifo = tmp_path / "pipe.duckdb"
    os.mkfifo(fifo)
    args = {"run": ["run", write(tmp_path / "t.yaml", TINY)], "show": ["show"]}[command]
    assert_one_line_error(invoke(*args, "--db", fifo), "special file")


def _tamper(db: Path, sql: str) -> None:
    con = duckdb.connect(str(db))
    con.execute(sql)
    con.close()


def test_a_non_integer_schema_version_is_named(db: Path) -> None:
    _tamper(db, "UPDATE schema_info SET value = 'abc' WHERE key = 'schema_version'")
    assert_one_line_error(_show(db), "schema_version")


def test_a_missing_table_is_named(db: Path) -> None:
    _tamper(db, "DROP TABLE runs")
    assert_one_line_error(_show(db), "missing: runs")
    before = digest(db)
    assert_one_line_error(invoke("run", write(db.parent / "t.yaml", TINY), "--db", db), "runs")
    assert digest(db) == before


def test_a_read_only_database_is_readable(db: Path) -> None:
    db.chmod(0o444)
    try:
        for args in (["show"], ["export", "--out", db.parent / "out"]):
            result = invoke(*args, "--db", db)
            assert result.exit_code == 0, result.output
        report = invoke("report", "--db", db, "-o", db.parent / "r.html")
        assert report.exit_code == 0, report.output
    finally:
        db.chmod(0o644)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes whatever the mode")
def test_a_read_only_directory_is_refused_before_computing(db: Path) -> None:
    db.parent.chmod(0o555)
    try:
        config = write(Path(os.environ.get("TMPDIR", "/tmp")) / "ro.yaml", tiny(name="ro"))
        assert_one_line_error(invoke("run", config, "--db", db), "read-only")
    finally:
        db.parent.chmod(0o755)


def test_a_full_disk_is_refused_before_computing(db: Path, monkeypatch) -> None:
    monkeypatch.setattr(store_files, "MIN_FREE_BYTES", 2**62)
    before = digest(db)
    config = write(db.parent / "full.yaml", tiny(name="full"))
    assert_one_line_error(invoke("run", config, "--db", db), "MB free")
    assert digest(db) == before


def test_a_write_failure_names_the_cause_and_keeps_stored_runs(db: Path, monkeypatch) -> None:
    """The disk fills while a run is written: the real cause, not 'cannot rollback'."""
    from stub_like import result_for

    def no_space(result):
        raise duckdb.IOException("IO Error: No space left on device")

    monkeypatch.setattr(store_module, "_metrics_frame", no_space)
    with RunStore(db) as store:
        before = len(store.runs())
        with pytest.raises(ConfigError, match="No space left on device") as caught:
            store.write(result_for("new-run"))
        assert "rollback" not in str(caught.value)
        assert len(store.runs()) == before


def test_an_empty_schema_info_is_named(tmp_path: Path) -> None:
    db = tmp_path / "odd.duckdb"
    _tamper(db, "CREATE TABLE schema_info (key VARCHAR, value VARCHAR)")
    assert_one_line_error(_show(db), "missing")
