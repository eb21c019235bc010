"""Shared pieces of the CLI tests: a small sweep config, invoking the CLI, hashing files."""

from __future__ import annotations

import copy
import hashlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml
from typer.testing import CliRunner

from incentive_lab.cli import app

# Prisoner's dilemma, 2 sweep points x 2 seeds, 10 records of 40 steps, summary = last 3.
SMALL: dict[str, Any] = {
    "name": "small-pd",
    "game": {"id": "prisoners_dilemma", "params": {"n_copies": 20}},
    "mechanism": {"id": "none"},
    "learners": [{"id": "q_learning", "params": {"alpha": 0.2, "epsilon": 0.1}}],
    "steps": 400,
    "seeds": 2,
    "record_every": 40,
    "summary_window": 0.3,
    "sweep": {"mechanism": [{"id": "none"}, {"id": "action_tax", "params": {"taxes": [0.0, 3.0]}}]},
}
RECORDS = 10
WINDOW = 3


def small(**changes: Any) -> dict[str, Any]:
    config = copy.deepcopy(SMALL)
    config.update(changes)
    return config


def write_config(path: Path, config: dict[str, Any] | str) -> Path:
    path.write_text(config if isinstance(config, str) else yaml.safe_dump(config))
    return path


def invoke(*args: str | Path):
    return CliRunner().invoke(app, [str(a) for a in args])


def cli_subprocess(*args: str | Path, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "incentive_lab.cli", *map(str, args)]
    return subprocess.run(
        command, capture_output=True, text=True, timeout=300, check=False, **kwargs
    )


def cli_popen(*args: str | Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "incentive_lab.cli", *map(str, args)]
    return subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # own process group: the kill reaches pool workers too
        env={**os.environ, "COLUMNS": "120"},
    )


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def files_of(directory: Path) -> dict[str, str]:
    return {p.name: digest(p) for p in sorted(directory.iterdir()) if p.is_file()}
