"""The store's file checks: what ``--db`` may be before DuckDB ever opens it.

A path is refused (a :class:`ConfigError` naming the file and the cause) when it is
``:memory:``, a directory, a special file (a FIFO would block the open forever), unreadable,
not a DuckDB file, or, for writing, read-only, in a read-only directory or on a disk with
less than :data:`MIN_FREE_BYTES` free. Nothing here writes.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from incentive_lab.core.errors import ConfigError

DUCKDB_MAGIC = b"DUCK"  # bytes 8..12 of every DuckDB database file


def shown(path: Path, limit: int = 72) -> str:
    """``path`` for an error message: elided in the middle so the file name always shows."""
    text = str(path)
    if len(text) <= limit:
        return text
    tail = limit * 2 // 3
    return f"{text[: limit - tail - 3]}...{text[-tail:]}"


def check_database_file(path: Path, *, read_only: bool = False) -> None:
    """Raise :class:`ConfigError` unless ``path`` is absent or looks like a DuckDB file.

    Never opens a special file (a FIFO would block); reads at most 12 bytes; never writes.
    For writing (``read_only=False``) the file and its directory must be writable.
    """
    field = "db"
    if str(path) in (":memory:", "") or str(path).startswith(":memory:"):
        raise ConfigError(field, str(path), "a database file path (an in-memory store is lost)")
    try:
        info = path.stat()
    except FileNotFoundError:
        info = None
    except OSError as error:
        raise ConfigError(field, shown(path), f"an accessible path ({error.strerror})") from None
    if info is None:
        if not path.parent.is_dir():
            raise ConfigError(field, shown(path), "the parent directory does not exist")
        if not read_only:
            _check_directory(path)
        return
    if stat.S_ISDIR(info.st_mode):
        raise ConfigError(field, shown(path), "a DuckDB database file, not a directory")
    if not stat.S_ISREG(info.st_mode):
        raise ConfigError(field, shown(path), "a DuckDB database file, not a special file")
    try:
        with path.open("rb") as handle:
            header = handle.read(12)
    except OSError as error:
        raise ConfigError(field, shown(path), f"a readable file ({error.strerror})") from None
    if len(header) < 12 or header[8:12] != DUCKDB_MAGIC:
        raise ConfigError(field, shown(path), "a DuckDB database file (this file is not one)")
    if not read_only:
        if not os.access(path, os.W_OK):
            raise ConfigError(field, shown(path), "a writable file (it is read-only)")
        _check_directory(path)


MIN_FREE_BYTES = 16 * 2**20
"""Free disk space a store must have before runs start (a full disk is refused up front)."""


def _check_directory(path: Path) -> None:
    """DuckDB writes a write-ahead log beside the file: the directory must take it."""
    parent = path.parent
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ConfigError("db", shown(path), "a file in a writable directory (it is read-only)")
    try:
        free = os.statvfs(parent).f_bavail * os.statvfs(parent).f_frsize
    except (OSError, AttributeError):
        return
    if free < MIN_FREE_BYTES:
        raise ConfigError(
            "db", shown(path), f"a disk with at least {MIN_FREE_BYTES >> 20} MB free ({free} B)"
        )


def busy(error: BaseException) -> bool:
    """Whether DuckDB refused because another process holds the file's lock."""
    text = str(error).lower()
    return "could not set lock" in text or "conflicting lock" in text


def cause(error: BaseException) -> str:
    """The error's text on one line (at most 200 characters) for a message."""
    return " ".join(str(error).split())[:200] or type(error).__name__


def ensure_directory(path: str | Path, field: str) -> Path:
    """Create the directory ``path`` (and parents); a file in the way is a ConfigError."""
    out = Path(path)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise ConfigError(field, str(out), "a directory (a file of that name exists)") from None
    except OSError as error:
        raise ConfigError(field, str(out), f"a writable directory ({error.strerror})") from None
    return out
