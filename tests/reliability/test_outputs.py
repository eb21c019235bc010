"""Item 1 (and export, ``-o /dev/full``, ``--seed -1``): outputs never overwrite the store
or a file of another kind without ``--force``."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from rel_helpers import assert_one_line_error, digest, invoke


def test_report_onto_the_database_exits_2_and_leaves_it_byte_identical(db: Path) -> None:
    before = digest(db)
    assert_one_line_error(invoke("report", "--db", db, "-o", db), "not a database")
    assert digest(db) == before
    # --force does not make the store a valid output either
    assert_one_line_error(invoke("report", "--db", db, "-o", db, "--force"), "not a database")
    assert digest(db) == before


def test_report_refuses_an_existing_foreign_file_unless_forced(db: Path) -> None:
    notes = db.parent / "notes.txt"
    notes.write_text("precious\n")
    assert_one_line_error(invoke("report", "--db", db, "-o", notes), "--force")
    assert notes.read_text() == "precious\n"
    forced = invoke("report", "--db", db, "-o", notes, "--force")
    assert forced.exit_code == 0, forced.output
    assert notes.read_text().startswith("<!DOCTYPE html>")


def test_report_replaces_its_own_report(db: Path) -> None:
    target = db.parent / "report.html"
    assert invoke("report", "--db", db, "-o", target).exit_code == 0
    again = invoke("report", "--db", db, "-o", target)
    assert again.exit_code == 0, again.output


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_report_onto_a_special_file_exits_2(db: Path) -> None:
    assert_one_line_error(invoke("report", "--db", db, "-o", "/dev/full", "--force"), "special")


def test_report_refuses_a_fifo_before_opening_it(db: Path) -> None:
    fifo = db.parent / "pipe.html"
    os.mkfifo(fifo)
    assert_one_line_error(invoke("report", "--db", db, "-o", fifo), "special")


def test_report_negative_seed_exits_2(db: Path) -> None:
    result = invoke("report", "--db", db, "-o", db.parent / "r.html", "--seed", "-1")
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_export_refuses_to_overwrite_a_foreign_csv(db: Path) -> None:
    out = db.parent / "out"
    out.mkdir()
    (out / "runs.csv").write_text("my,own,data\n")
    assert_one_line_error(invoke("export", "--db", db, "--out", out, "--format", "csv"), "runs.csv")
    assert (out / "runs.csv").read_text() == "my,own,data\n"
    assert sorted(p.name for p in out.iterdir()) == ["runs.csv"]


def test_export_replaces_its_own_export(db: Path) -> None:
    out = db.parent / "out"
    for _ in range(2):
        result = invoke("export", "--db", db, "--out", out, "--format", "csv")
        assert result.exit_code == 0, result.output
    assert (out / "runs.csv").read_text().startswith("run_id,")


def test_export_never_overwrites_the_database(db: Path) -> None:
    before = digest(db)
    link = db.parent / "runs.parquet"
    link.hardlink_to(db)
    result = invoke("export", "--db", db, "--out", db.parent, "--force")
    assert_one_line_error(result, "not a database")
    assert digest(db) == before
