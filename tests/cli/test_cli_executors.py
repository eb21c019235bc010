"""Local with 1 worker, local with 2 workers and Ray (local, num_cpus=2) store identical runs."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import duckdb
import pytest
from cli_helpers import invoke, small, write_config

TABLES = {
    "runs": "SELECT run_id, experiment, config, point, seed, seed_index, status FROM runs "
    "ORDER BY run_id",
    "summary": "SELECT run_id, name, value FROM summary ORDER BY run_id, name",
    "metrics": "SELECT run_id, step, name, value FROM metrics ORDER BY run_id, name, step",
}


def dump(db: Path) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {table: con.execute(query).fetchall() for table, query in TABLES.items()}
    finally:
        con.close()


def run_with(tmp_path: Path, label: str, *options: str) -> dict[str, list[tuple]]:
    config = write_config(tmp_path / "cfg.yaml", small(seeds=3))
    db = tmp_path / f"{label}.duckdb"
    result = invoke("run", config, "--db", db, *options)
    assert result.exit_code == 0, result.output
    return dump(db)


@pytest.fixture(scope="module")
def inline(tmp_path_factory) -> dict[str, list[tuple]]:
    return run_with(tmp_path_factory.mktemp("inline"), "w1", "--workers", "1")


def test_two_local_workers_are_bit_identical(inline, tmp_path: Path) -> None:
    assert len(inline["runs"]) == 6
    assert run_with(tmp_path, "w2", "--workers", "2") == inline


@pytest.mark.ray
@pytest.mark.skipif(importlib.util.find_spec("ray") is None, reason="ray not installed")
def test_ray_is_bit_identical(inline, tmp_path: Path) -> None:
    assert run_with(tmp_path, "ray", "--backend", "ray", "--workers", "2") == inline
