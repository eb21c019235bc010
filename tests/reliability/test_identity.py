"""Item 4: an experiment name is bound to its config; a changed config is never merged."""

from __future__ import annotations

from pathlib import Path

import duckdb
from rel_helpers import TINY, assert_one_line_error, digest, invoke, tiny, write


def _rows(db: Path) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT experiment, count(*) FROM runs GROUP BY 1 ORDER BY 1").fetchall()
    finally:
        con.close()


def test_a_changed_config_under_a_stored_name_exits_2_and_changes_nothing(db: Path) -> None:
    before = digest(db)
    changed = write(db.parent / "changed.yaml", tiny(steps=80))  # same name, other config
    line = assert_one_line_error(invoke("run", changed, "--db", db), "tiny-pd")
    assert "--variant" in line and "new name" in line
    assert digest(db) == before


def test_variant_stores_the_changed_config_apart(db: Path) -> None:
    changed = write(db.parent / "changed.yaml", tiny(steps=80, seeds=2))
    result = invoke("run", changed, "--db", db, "--variant", "--workers", "1")
    assert result.exit_code == 0, result.output
    rows = dict(_rows(db))
    assert rows["tiny-pd"] == 1  # the original runs, untouched
    (variant,) = [name for name in rows if name != "tiny-pd"]
    assert variant.startswith("tiny-pd~") and rows[variant] == 2
    shown = invoke("show", "--db", db, "--experiment", variant)
    assert shown.exit_code == 0, shown.output
    again = invoke("run", changed, "--db", db, "--variant", "--workers", "1")  # resumes
    assert again.exit_code == 0 and dict(_rows(db))[variant] == 2


def test_more_seeds_or_points_under_the_same_name_are_allowed(db: Path) -> None:
    more = write(db.parent / "more.yaml", tiny(seeds=2, sweep={"learners.0.params.alpha": [0.2]}))
    result = invoke("run", more, "--db", db, "--workers", "1")
    assert result.exit_code == 0, result.output
    assert dict(_rows(db))["tiny-pd"] == 2  # the stored run was reused, one new seed


def test_the_same_config_resumes(db: Path) -> None:
    result = invoke("run", write(db.parent / "same.yaml", TINY), "--db", db, "--workers", "1")
    assert result.exit_code == 0, result.output
    assert dict(_rows(db))["tiny-pd"] == 1


def test_a_sweep_label_stored_for_other_runs_is_refused(tmp_path: Path) -> None:
    """Swept learner groups are labelled by ids and params, not their agent ranges: a
    second config with the same label but other ranges would be averaged into that point."""

    def groups(split: int) -> list[dict]:
        return [
            {"id": "q_learning", "agents": f"0:{split}"},
            {"id": "fixed", "agents": f"{split}:", "params": {"action": 0}},
        ]

    db = tmp_path / "lab.duckdb"
    base = tiny(name="ranges", game={"id": "prisoners_dilemma", "params": {"n_copies": 4}})
    first = write(tmp_path / "a.yaml", {**base, "sweep": {"learners": [groups(4)]}})
    assert invoke("run", first, "--db", db, "--workers", "1").exit_code == 0
    before = digest(db)
    other = write(tmp_path / "b.yaml", {**base, "sweep": {"learners": [groups(2)]}})
    line = assert_one_line_error(invoke("run", other, "--db", db), "sweep")
    assert "q_learning+fixed(action=0)" in line and "new experiment name" in line
    assert digest(db) == before
    assert invoke("run", first, "--db", db, "--workers", "1").exit_code == 0  # still resumes
