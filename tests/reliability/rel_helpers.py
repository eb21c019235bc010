"""Shared pieces of the reliability tests: a tiny valid config, the CLI, one-line errors."""

from __future__ import annotations

import copy
import hashlib
from pathlib import Path
from typing import Any

import yaml
from typer.testing import CliRunner

from incentive_lab.cli import app

# Prisoner's dilemma, one point, one seed, 40 steps: a run takes milliseconds.
TINY: dict[str, Any] = {
    "name": "tiny-pd",
    "game": {"id": "prisoners_dilemma", "params": {"n_copies": 4}},
    "learners": [{"id": "q_learning", "params": {"alpha": 0.2, "epsilon": 0.1}}],
    "steps": 40,
    "seeds": 1,
    "record_every": 10,
}


def tiny(**changes: Any) -> dict[str, Any]:
    config = copy.deepcopy(TINY)
    config.update(changes)
    return config


def write(path: Path, config: dict[str, Any] | str) -> Path:
    path.write_text(config if isinstance(config, str) else yaml.safe_dump(config))
    return path


def invoke(*args: str | Path):
    return CliRunner().invoke(app, [str(a) for a in args])


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_one_line_error(result, needle: str = "") -> str:
    """Exit status 2, exactly one ``error:`` line on stderr (containing ``needle``)."""
    assert result.exit_code == 2, (result.exit_code, result.output)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), lines[0]
    assert needle in lines[0], lines[0]
    assert "Traceback" not in result.output
    return lines[0]
