"""``-v``/``-q``: progress lines through ``logging`` where stderr is a file, or silence."""

from __future__ import annotations

import logging
from pathlib import Path

from cli_helpers import cli_subprocess, small, write_config

from incentive_lab.cli import _logging


def test_verbose_logs_each_finished_run_and_quiet_prints_nothing(tmp_path: Path) -> None:
    config = write_config(tmp_path / "c.yaml", small(seeds=1))
    loud = cli_subprocess("-v", "run", config, "--db", tmp_path / "a.duckdb", "--workers", "1")
    assert loud.returncode == 0, loud.stderr
    lines = [line for line in loud.stderr.splitlines() if line.startswith("INFO ")]
    assert lines[-1] == "INFO incentive_lab.progress: runs of c: 2/2 finished"
    assert len(lines) == 3  # 0, 1 and 2 of 2

    silent = cli_subprocess("-q", "run", config, "--db", tmp_path / "b.duckdb", "--workers", "1")
    assert silent.returncode == 0, silent.stderr
    assert silent.stderr == ""
    assert "cooperation" in silent.stdout  # the results table still prints

    default = cli_subprocess("run", config, "--db", tmp_path / "c.duckdb", "--workers", "1")
    assert "INFO" not in default.stderr and "2/2" in default.stderr  # the bar's last state


def test_levels() -> None:
    try:
        for verbose, quiet, level in [
            (0, False, 30),
            (1, False, 20),
            (2, False, 10),
            (3, True, 40),
        ]:
            _logging.configure(verbose, quiet)
            logger = logging.getLogger(_logging.LOGGER)
            assert logger.level == level and _logging.quiet() is quiet
            assert sum(getattr(h, "_incentive_lab_cli", False) for h in logger.handlers) == 1
    finally:
        _logging.configure(0, False)
