"""RunStore: schema, one-transaction writes, idempotence, refusal of foreign files, export."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import duckdb
import pytest

from incentive_lab.core.errors import ConfigError
from incentive_lab.experiments.config.records import RunResult
from incentive_lab.experiments.execution.store import SCHEMA_VERSION, RunStore


def make_result(run_id: str, n_steps: int = 5, names=("a", "b"), seed_index: int = 0) -> RunResult:
    metrics = [
        (step, name, step * 0.5 + i) for step in range(n_steps) for i, name in enumerate(names)
    ]
    return RunResult(
        run_id=run_id,
        experiment="exp",
        seed=7,
        seed_index=seed_index,
        config={"name": "exp", "steps": n_steps},
        point={"mechanism": "none", "game.params.r_c": 4.0},
        metrics=metrics,
        summary={name: float(i) + 0.25 for i, name in enumerate(names)},
        started_at=1_700_000_000.0,
        finished_at=1_700_000_002.5,
        package_version="0.1.0",
    )


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_write_then_query_with_plain_sql(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    with RunStore(db) as store:
        assert store.write(make_result("r1", n_steps=4)) is True
        assert store.write(make_result("r2", n_steps=4, seed_index=1)) is True
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM runs").fetchone() == (2,)
    assert con.execute("SELECT count(*) FROM metrics").fetchone() == (2 * 4 * 2,)
    assert con.execute("SELECT count(*) FROM summary").fetchone() == (4,)
    row = con.execute(
        "SELECT status, duration_s, seed, point->>'mechanism' FROM runs WHERE run_id='r1'"
    ).fetchone()
    assert row == ("finished", 2.5, 7, "none")
    total = con.execute("SELECT sum(value) FROM metrics WHERE run_id='r1' AND name='b'").fetchone()
    assert total == (sum(s * 0.5 + 1 for s in range(4)),)
    version = con.execute("SELECT value FROM schema_info WHERE key='schema_version'").fetchone()
    assert version == (str(SCHEMA_VERSION),)
    con.close()


def test_write_is_idempotent_and_finished_ids(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    with RunStore(db) as store:
        store.write(make_result("r1"))
        assert store.write(make_result("r1")) is False
        assert store.finished_ids(["r1", "r2"]) == {"r1"}
        assert store.finished_ids([]) == set()
        assert len(store.runs()) == 1
        assert len(store.metrics()) == 10
        summary = store.summary("exp")
        assert list(summary["name"]) == ["a", "b"]
        assert store.summary("other").empty
    with RunStore(db, read_only=True) as store:
        assert store.experiments() == ["exp"]


def test_ten_thousand_metric_rows_write_fast(tmp_path: Path) -> None:
    result = make_result("big", n_steps=2000, names=("a", "b", "c", "d", "e"))
    assert len(result.metrics) == 10_000
    with RunStore(tmp_path / "s.duckdb") as store:
        store.write(make_result("warmup"))
        start = time.perf_counter()
        store.write(result)
        elapsed = time.perf_counter() - start
        assert len(store.metrics()) == 10_010
    assert elapsed < 0.5


def test_failed_write_leaves_nothing(tmp_path: Path) -> None:
    bad = make_result("r1")
    bad = RunResult(**{**bad.__dict__, "metrics": [(0, "a", 1.0), ("not-a-step", "a", 2.0)]})
    with RunStore(tmp_path / "s.duckdb") as store:
        with pytest.raises(ValueError):
            store.write(bad)
        assert store.runs().empty and store.metrics().empty
        assert store.write(make_result("r1")) is True


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"name: not a database\n", "not one"),
        (b"", "not one"),
        (b"SQLite format 3\x00" + b"\x00" * 100, "not one"),
    ],
)
def test_foreign_files_are_refused_untouched(tmp_path: Path, content: bytes, needle: str) -> None:
    db = tmp_path / "x.duckdb"
    db.write_bytes(content)
    before = digest(db)
    with pytest.raises(ConfigError, match=needle) as info:
        RunStore(db)
    assert db.name in str(info.value) and str(db)[:20] in str(info.value)
    assert digest(db) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.duckdb"]


def test_duckdb_file_of_another_application_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "other.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE t AS SELECT 1 AS x")
    con.close()
    before = digest(db)
    with pytest.raises(ConfigError, match="other tables"):
        RunStore(db)
    assert digest(db) == before


def test_directory_missing_parent_and_missing_read_only(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="directory"):
        RunStore(tmp_path)
    with pytest.raises(ConfigError, match="parent directory"):
        RunStore(tmp_path / "nope" / "x.duckdb")
    with pytest.raises(ConfigError, match="existing"):
        RunStore(tmp_path / "absent.duckdb", read_only=True)
    assert not (tmp_path / "absent.duckdb").exists()


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_export_one_file_per_table(tmp_path: Path, fmt: str) -> None:
    with RunStore(tmp_path / "s.duckdb") as store:
        store.write(make_result("r1", n_steps=3))
        files = store.export(tmp_path / "out", fmt)  # type: ignore[arg-type]
    assert sorted(p.name for p in files) == sorted(
        f"{t}.{fmt}" for t in ("runs", "metrics", "summary")
    )
    reader = "read_parquet" if fmt == "parquet" else "read_csv_auto"
    con = duckdb.connect()
    count = con.execute(f"SELECT count(*) FROM {reader}('{tmp_path / 'out' / ('metrics.' + fmt)}')")
    assert count.fetchone() == (6,)
    with RunStore(tmp_path / "s.duckdb") as store, pytest.raises(ConfigError, match="format"):
        store.export(tmp_path / "o2", "xlsx")  # type: ignore[arg-type]


def test_database_held_by_another_process_is_a_config_error(tmp_path: Path) -> None:
    import subprocess
    import sys

    db = tmp_path / "s.duckdb"
    with RunStore(db) as store:
        store.write(make_result("r1"))
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb,sys; c=duckdb.connect({str(db)!r}); print('x'); sys.stdin.read()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "x"
        with pytest.raises(ConfigError, match="no other process"):
            RunStore(db)
    finally:
        holder.communicate("")


def test_long_paths_are_elided_in_the_middle(tmp_path: Path) -> None:
    from incentive_lab.experiments.execution.store import shown

    deep = tmp_path.joinpath(*["very-long-directory-name"] * 6, "lab.duckdb")
    text = shown(deep)
    assert len(text) <= 72 and text.endswith("/lab.duckdb") and "..." in text
    assert shown(Path("lab.duckdb")) == "lab.duckdb"
