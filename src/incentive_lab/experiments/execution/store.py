"""The run store: one embedded DuckDB file that every finished run lands in.

Tables::

    runs(run_id PK, experiment, config JSON, point JSON, seed, seed_index, status,
         started_at, finished_at, duration_s, package_version, extra JSON)
    metrics(run_id, step, name, value)      -- recorded time series, long form
    summary(run_id, name, value)            -- final outcome per metric
    schema_info(key, value)                 -- schema version, for later migrations
    experiments(name PK, config_hash, config JSON, created_at)  -- a name's identity

Each run is written in one transaction (its ``runs`` row, then its metrics and summary rows
bulk-inserted from DataFrames), so a process killed at any moment leaves either the whole
run or nothing. ``write`` is idempotent on ``run_id``: a run already stored is skipped.
Only the driver process writes; workers just return :class:`RunResult` objects.

Opening never damages a file that is not ours: a path that is a directory, a special file
(FIFO, device), ``:memory:``, unreadable, not a DuckDB file, or a DuckDB file holding other
tables or a broken schema raises :class:`ConfigError` naming the file and the cause, before
anything is written. A read-only file opens for reading. A store another process has open
(DuckDB allows one writer *or* several readers) is retried for up to ``wait`` seconds.
Disk and permission failures while writing surface as :class:`ConfigError` with the real
cause; the run being written is rolled back, nothing stored before is touched.

The ``experiments`` table binds each experiment name to the hash of its config
(:func:`incentive_lab.experiments.config.plan.identity`); :meth:`RunStore.bind` reports an
earlier binding, and the driver then refuses a different config under that name.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Literal, Self

import duckdb
import numpy as np
import pandas as pd

from incentive_lab.core.errors import ConfigError
from incentive_lab.experiments.config.records import RunResult, canonical_json
from incentive_lab.experiments.execution.store_export import (
    TABLES,
    experiment_filter,
    export_tables,
)
from incentive_lab.experiments.execution.store_files import (  # noqa: F401 (re-exported)
    DUCKDB_MAGIC,
    busy,
    cause,
    check_database_file,
    ensure_directory,
    shown,
)

Experiments = str | Sequence[str] | None
"""One experiment name, several, or ``None`` for all."""

SCHEMA_VERSION = 1
OPEN_WAIT = 60.0
"""Seconds to keep retrying a store another process has open (a reader or the writer)."""

_EXPERIMENTS = (
    "CREATE TABLE IF NOT EXISTS experiments (name VARCHAR PRIMARY KEY, "
    "config_hash VARCHAR NOT NULL, config JSON NOT NULL, created_at TIMESTAMP)"
)

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS schema_info (key VARCHAR PRIMARY KEY, value VARCHAR)",
    """CREATE TABLE IF NOT EXISTS runs (
        run_id VARCHAR PRIMARY KEY,
        experiment VARCHAR NOT NULL,
        config JSON NOT NULL,
        point JSON NOT NULL,
        seed BIGINT NOT NULL,
        seed_index INTEGER NOT NULL,
        status VARCHAR NOT NULL,
        started_at TIMESTAMP,
        finished_at TIMESTAMP,
        duration_s DOUBLE,
        package_version VARCHAR,
        extra JSON
    )""",
    "CREATE TABLE IF NOT EXISTS metrics (run_id VARCHAR NOT NULL, step BIGINT NOT NULL, "
    "name VARCHAR NOT NULL, value DOUBLE)",
    "CREATE TABLE IF NOT EXISTS summary (run_id VARCHAR NOT NULL, name VARCHAR NOT NULL, "
    "value DOUBLE)",
    _EXPERIMENTS,
)


def _timestamp(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC).replace(tzinfo=None)


class RunStore:
    """A DuckDB run store; use as a context manager (``with RunStore(path) as store``).

    ``read_only=True`` opens an existing store for queries (``show``, ``export``, results)
    and fails with :class:`ConfigError` when the file does not exist.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        read_only: bool = False,
        wait: float = OPEN_WAIT,
        on_wait: Callable[[str], None] | None = None,
    ) -> None:
        self.path = Path(path)
        check_database_file(self.path, read_only=read_only)
        if read_only and not self.path.exists():
            raise ConfigError("db", shown(self.path), "an existing incentive-lab database")
        self._con = self._connect(read_only, wait, on_wait)
        try:
            self._prepare(read_only)
        except duckdb.Error as error:
            self._con.close()
            raise ConfigError(
                "db", shown(self.path), f"a readable incentive-lab database ({cause(error)})"
            ) from None
        except BaseException:
            self._con.close()
            raise

    def _connect(
        self, read_only: bool, wait: float, on_wait: Callable[[str], None] | None
    ) -> duckdb.DuckDBPyConnection:
        """Connect, retrying for up to ``wait`` s while another process holds the lock."""
        deadline = time.monotonic() + wait
        told = False
        while True:
            try:
                return duckdb.connect(str(self.path), read_only=read_only)
            except duckdb.Error as error:
                if not busy(error):
                    raise ConfigError(
                        "db", shown(self.path), f"an openable DuckDB file ({cause(error)})"
                    ) from None
                if time.monotonic() >= deadline:
                    raise ConfigError(
                        "db",
                        shown(self.path),
                        f"a database no other process holds for over {wait:g} s "
                        "(close it and retry)",
                    ) from None
                if on_wait is not None and not told:
                    on_wait(f"{self.path} is open in another process; waiting up to {wait:g} s")
                    told = True
                time.sleep(0.05)

    @classmethod
    def open(cls, path: str | Path, *, read_only: bool = False) -> RunStore:
        """Same as the constructor."""
        return cls(path, read_only=read_only)

    def _prepare(self, read_only: bool) -> None:
        tables = {row[0] for row in self._con.execute("SHOW TABLES").fetchall()}
        if tables and "schema_info" not in tables:
            raise ConfigError(
                "db",
                shown(self.path),
                "an incentive-lab database (this DuckDB file holds other tables)",
            )
        if "schema_info" in tables:
            self._check_schema(tables)
            if not read_only and "experiments" not in tables:
                self._con.execute(_EXPERIMENTS)  # added in place: stores before identities
            return
        if read_only:
            raise ConfigError("db", shown(self.path), "an incentive-lab database (it is empty)")
        self._con.execute("BEGIN TRANSACTION")
        for statement in _SCHEMA:
            self._con.execute(statement)
        self._con.execute(
            "INSERT INTO schema_info VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)]
        )
        self._con.execute("COMMIT")

    def _check_schema(self, tables: set[str]) -> None:
        """The schema version is a known integer and every table is there."""
        rows = self._con.execute(
            "SELECT value FROM schema_info WHERE key = 'schema_version'"
        ).fetchall()
        raw = rows[0][0] if rows else "0"
        try:
            version = int(str(raw))
        except ValueError:
            raise ConfigError(
                "db", shown(self.path), f"an integer schema_version (the file has {raw!r})"
            ) from None
        if version > SCHEMA_VERSION:
            raise ConfigError(
                "db",
                shown(self.path),
                f"schema version <= {SCHEMA_VERSION} (file has {version}; upgrade incentive-lab)",
            )
        missing = [table for table in TABLES if table not in tables]
        if missing:
            raise ConfigError(
                "db",
                shown(self.path),
                f"an incentive-lab database with tables {', '.join(TABLES)} "
                f"(missing: {', '.join(missing)})",
            )

    # -- identity ---------------------------------------------------------------------------
    def bound_hash(self, name: str) -> str | None:
        """The config hash ``name`` is bound to (``None``: not bound yet)."""
        tables = {row[0] for row in self._con.execute("SHOW TABLES").fetchall()}
        if "experiments" not in tables:
            return None
        rows = self._con.execute(
            "SELECT config_hash FROM experiments WHERE name = ?", [name]
        ).fetchall()
        return str(rows[0][0]) if rows else None

    def bind(self, name: str, digest: str, config: dict[str, object]) -> str | None:
        """Bind ``name`` to ``digest`` unless bound already; return the previous hash.

        A name whose earlier config stored no run (it failed early) is rebound to this one.
        """
        previous = self.bound_hash(name)
        runs = "SELECT count(*) FROM runs WHERE experiment = ?"
        if previous not in (None, digest) and not self._con.execute(runs, [name]).fetchone()[0]:  # type: ignore[index]
            self._guarded("DELETE FROM experiments WHERE name = ?", [name])
            previous = None
        if previous is None:
            self._guarded(
                "INSERT INTO experiments VALUES (?, ?, ?, ?)",
                [name, digest, canonical_json(config), _timestamp(time.time())],
            )
        return previous

    def _guarded(self, sql: str, params: list[object]) -> None:
        try:
            self._con.execute(sql, params)
        except duckdb.Error as error:
            raise ConfigError(
                "db", shown(self.path), f"a writable database ({cause(error)})"
            ) from None

    # -- lifecycle -------------------------------------------------------------------------
    def defer_checkpoint(self) -> None:
        """Keep the write-ahead log on close (a plain close later merges it into the file)."""
        self._con.execute("PRAGMA disable_checkpoint_on_shutdown")

    def close(self) -> None:
        """Close the connection (checkpointing the write-ahead log)."""
        self._con.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- writing ---------------------------------------------------------------------------
    def finished_ids(self, run_ids: Iterable[str]) -> set[str]:
        """The subset of ``run_ids`` already stored as finished."""
        wanted = pd.DataFrame({"run_id": pd.Series(list(run_ids), dtype=object)})
        if wanted.empty:
            return set()
        self._con.register("_wanted", wanted)
        try:
            rows = self._query(
                "SELECT r.run_id FROM runs r JOIN _wanted w USING (run_id) "
                "WHERE r.status = 'finished' {where}",
                None,
            )
        finally:
            self._con.unregister("_wanted")
        return {str(run_id) for run_id in rows["run_id"]}

    def write(self, result: RunResult) -> bool:
        """Store one finished run in one transaction; return False if it was already there."""
        con = self._con
        try:
            con.execute("BEGIN TRANSACTION")
            present = con.execute(
                "SELECT count(*) FROM runs WHERE run_id = ?", [result.run_id]
            ).fetchall()
            if present[0][0]:
                con.execute("ROLLBACK")
                return False
            con.execute(
                "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, 'finished', ?, ?, ?, ?, ?)",
                [
                    result.run_id,
                    result.experiment,
                    canonical_json(result.config),
                    canonical_json(result.point),
                    int(result.seed),
                    int(result.seed_index),
                    _timestamp(result.started_at),
                    _timestamp(result.finished_at),
                    float(result.finished_at - result.started_at),
                    result.package_version,
                    canonical_json(result.extra),
                ],
            )
            self._insert_frame("metrics", _metrics_frame(result))
            self._insert_frame("summary", _summary_frame(result))
            con.execute("COMMIT")
        except BaseException as error:
            try:
                con.execute("ROLLBACK")
            except duckdb.Error:
                pass  # the failed statement already ended the transaction
            if isinstance(error, duckdb.Error | OSError):
                raise ConfigError(
                    "db", shown(self.path), f"a writable database ({cause(error)})"
                ) from None
            raise
        return True

    def _insert_frame(self, table: str, frame: pd.DataFrame) -> None:
        if frame.empty:
            return
        self._con.register("_rows", frame)
        try:
            columns = ", ".join(frame.columns)
            self._con.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM _rows")
        finally:
            self._con.unregister("_rows")

    # -- reading ---------------------------------------------------------------------------
    def _query(self, sql: str, experiment: Experiments) -> pd.DataFrame:
        where, params = experiment_filter(experiment)
        try:
            return self._con.execute(sql.format(where=where), params).df()
        except duckdb.Error as error:  # a damaged file shows up when its blocks are read
            raise ConfigError(
                "db", shown(self.path), f"a readable incentive-lab database ({cause(error)})"
            ) from None

    def runs(self, experiment: Experiments = None, columns: str = "r.*") -> pd.DataFrame:
        """The ``runs`` table (``columns`` of it), ordered by experiment, point, seed index."""
        return self._query(
            f"SELECT {columns} FROM runs r {{where}} "
            "ORDER BY r.experiment, r.point, r.seed_index, r.run_id",
            experiment,
        )

    def summary(self, experiment: Experiments = None) -> pd.DataFrame:
        """Long form: run_id, experiment, point (JSON), seed, seed_index, name, value."""
        return self._query(
            "SELECT s.run_id, r.experiment, r.point, r.seed, r.seed_index, s.name, s.value "
            "FROM summary s JOIN runs r USING (run_id) {where} "
            "ORDER BY r.experiment, r.point, r.seed_index, s.run_id, s.name",
            experiment,
        )

    def metrics(self, experiment: Experiments = None) -> pd.DataFrame:
        """Long form: run_id, experiment, point (JSON), seed_index, step, name, value."""
        return self._query(
            "SELECT m.run_id, r.experiment, r.point, r.seed_index, m.step, m.name, m.value "
            "FROM metrics m JOIN runs r USING (run_id) {where} "
            "ORDER BY r.experiment, r.point, r.seed_index, m.run_id, m.name, m.step",
            experiment,
        )

    def experiments(self) -> list[str]:
        """Names of the experiments stored, sorted."""
        names = self._query("SELECT DISTINCT r.experiment FROM runs r {where} ORDER BY 1", None)
        return [str(name) for name in names.iloc[:, 0]] if not names.empty else []

    def export(
        self,
        out_dir: str | Path,
        fmt: Literal["parquet", "csv"] = "parquet",
        experiments: Sequence[str] | None = None,
    ) -> list[Path]:
        """One file per table in ``out_dir`` (:func:`.store_export.export_tables`)."""
        return export_tables(self._con, out_dir, fmt, experiments)


def _metrics_frame(result: RunResult) -> pd.DataFrame:
    rows = result.metrics
    steps = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
    values = np.fromiter((row[2] for row in rows), dtype=np.float64, count=len(rows))
    names = pd.Series([str(row[1]) for row in rows], dtype=object)
    return pd.DataFrame({"run_id": result.run_id, "step": steps, "name": names, "value": values})


def _summary_frame(result: RunResult) -> pd.DataFrame:
    names = pd.Series([str(name) for name in result.summary], dtype=object)
    values = np.fromiter(
        (float(value) for value in result.summary.values()), dtype=np.float64, count=len(names)
    )
    return pd.DataFrame({"run_id": result.run_id, "name": names, "value": values})
