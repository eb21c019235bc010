"""Exporting the store: one Parquet or CSV file per table, optionally for some experiments.

``runs.parquet``, ``metrics.parquet`` and ``summary.parquet`` (or ``.csv``) hold the rows of
the store's tables, ordered (``ORDER BY ALL``) so that two exports of the same runs are the
same bytes. With ``experiments`` only their runs and the metric and summary rows of those
runs are written.

Reading the files back: ``pandas.read_parquet`` needs ``pyarrow`` (the ``parquet`` extra,
``pip install -e ".[parquet]"``, included in ``dev``); without it DuckDB, a core dependency,
reads them: ``duckdb.sql("SELECT * FROM 'runs.parquet'").df()``. CSV needs nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import duckdb

from incentive_lab.core.errors import ConfigError
from incentive_lab.experiments.execution.store_files import ensure_directory

TABLES = ("runs", "metrics", "summary")

_SELECT = {
    "runs": "SELECT * FROM runs r {where}",
    "metrics": "SELECT m.* FROM metrics m JOIN runs r USING (run_id) {where}",
    "summary": "SELECT s.* FROM summary s JOIN runs r USING (run_id) {where}",
}


def experiment_filter(experiments: str | Sequence[str] | None) -> tuple[str, list[str]]:
    """The ``WHERE`` clause on ``r.experiment`` (alias ``r`` = runs) and its parameters."""
    if experiments is None:
        return "", []
    names = [experiments] if isinstance(experiments, str) else list(experiments)
    marks = ", ".join("?" for _ in names)
    return f"WHERE r.experiment IN ({marks})", names


def export_tables(
    con: duckdb.DuckDBPyConnection,
    out_dir: str | Path,
    fmt: Literal["parquet", "csv"] = "parquet",
    experiments: Sequence[str] | None = None,
) -> list[Path]:
    """Write ``runs``, ``metrics`` and ``summary`` of ``experiments`` (default all) to files."""
    if fmt not in ("parquet", "csv"):
        raise ConfigError("format", fmt, "allowed: csv, parquet")
    out = ensure_directory(out_dir, "--out")
    where, params = experiment_filter(experiments)
    options = "FORMAT parquet" if fmt == "parquet" else "FORMAT csv, HEADER true"
    written = []
    for table in TABLES:
        target = out / f"{table}.{fmt}"
        escaped = str(target).replace("'", "''")
        select = _SELECT[table].format(where=where)
        con.execute(f"COPY ({select} ORDER BY ALL) TO '{escaped}' ({options})", params)
        written.append(target)
    return written
