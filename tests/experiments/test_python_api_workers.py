"""The Python API where users call it: a plain script without a ``__main__`` guard, code
with no file at all (a notebook's cells, ``python -`` here), units registered inline, two
worker processes; and a worker's own exception surfacing as itself.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import yaml

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_block(language: str, marker: str) -> str:
    """The first ``language`` code block of the README that contains ``marker``."""
    blocks = re.findall(rf"```{language}\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    return next(block for block in blocks if marker in block)


def python(cwd: Path, code: str, *, as_file: bool) -> subprocess.CompletedProcess[str]:
    if as_file:
        (cwd / "script.py").write_text(code)
        args = [sys.executable, "script.py"]
        return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=300)
    return subprocess.run(
        [sys.executable, "-"], input=code, cwd=cwd, capture_output=True, text=True, timeout=300
    )


INLINE = textwrap.dedent(
    """
    import numpy as np
    import incentive_lab
    from incentive_lab.core.mechanism import Adjustment, Mechanism
    from incentive_lab.core.params import Params
    from incentive_lab.core.registry import register

    class BonusParams(Params):
        bonus: float = 2.0

    @register("mechanism", "inline_bonus", params=BonusParams, description="A flat bonus.")
    class InlineBonus(Mechanism[BonusParams]):
        def adjust(self, game, actions, rewards, info):
            if {fail}:
                raise RuntimeError("boom from the worker: seven")
            bonus = np.full(len(rewards), self.params.bonus)
            return Adjustment.shaping(np.asarray(rewards, dtype=np.float64) + bonus)

    config = {{
        "name": "inline", "game": {{"id": "prisoners_dilemma", "params": {{"n_copies": 10}}}},
        "learners": [{{"id": "q_learning"}}], "steps": 50, "seeds": 2,
        "sweep": {{"mechanism": [{{"id": "none"}}, {{"id": "inline_bonus"}}]}},
    }}
    try:
        results = incentive_lab.run(config, db="inline.duckdb", workers=2, progress=None)
    except Exception as error:
        print("raised", type(error).__name__, error)
    else:
        print("runs", results.summary()["run_id"].nunique())
    """
)


def test_readme_snippet_as_a_script_without_main_guard(tmp_path: Path) -> None:
    config = yaml.safe_load(readme_block("yaml", "name: pd-tax"))
    config["steps"], config["seeds"] = 300, 2  # the README's experiment, shorter
    (tmp_path / "pd-tax.yaml").write_text(yaml.safe_dump(config))
    snippet = readme_block("python", "incentive_lab.run(")
    snippet = snippet.replace('db="lab.duckdb")', 'db="lab.duckdb", workers=2)')
    assert "workers=2" in snippet
    done = python(tmp_path, snippet + "\nprint('done', len(results.summary()))\n", as_file=True)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "done" in done.stdout
    assert (tmp_path / "pd.html").exists()


def test_inline_unit_with_two_workers_from_a_script_and_from_no_file(tmp_path: Path) -> None:
    for as_file in (True, False):
        folder = tmp_path / str(as_file)
        folder.mkdir()
        done = python(folder, INLINE.format(fail=False), as_file=as_file)
        assert done.returncode == 0, done.stderr[-3000:]
        assert "runs 4" in done.stdout, done.stdout + done.stderr[-3000:]


def test_a_worker_error_surfaces_as_itself(tmp_path: Path) -> None:
    done = python(tmp_path, INLINE.format(fail=True), as_file=True)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "raised RuntimeError boom from the worker: seven" in done.stdout, done.stdout
    assert "BrokenProcessPool" not in done.stdout + done.stderr
