"""A finished store shared by the reliability tests (copied per test before any change)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rel_helpers import TINY, invoke, write


@pytest.fixture(scope="session")
def stored_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding one finished run of ``TINY``."""
    tmp = tmp_path_factory.mktemp("stored")
    db = tmp / "lab.duckdb"
    result = invoke("run", write(tmp / "tiny.yaml", TINY), "--db", db, "--workers", "1")
    assert result.exit_code == 0, result.output
    return db


@pytest.fixture
def db(tmp_path: Path, stored_db: Path) -> Path:
    """A private copy of the finished store."""
    target = tmp_path / "lab.duckdb"
    shutil.copy(stored_db, target)
    return target
