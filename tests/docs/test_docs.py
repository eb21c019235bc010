"""The documentation site: strict build, the generated reference, the plugin tutorial's code.

The site is built once per session (``mkdocs build --strict`` into a temporary directory,
so a broken link, anchor or API reference fails). Without mkdocs installed (the ``docs``
extra) the tests are skipped with the reason.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from incentive_lab.core.registry import KINDS, entries

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
TOOLS = ("mkdocs", "material", "mkdocstrings", "mkdocstrings_handlers.python")


def _missing_tools() -> list[str]:
    missing = []
    for name in TOOLS:
        try:
            found = importlib.util.find_spec(name) is not None
        except ModuleNotFoundError:
            found = False
        if not found:
            missing.append(name)
    return missing


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    missing = _missing_tools()
    if missing:
        reason = f"docs tooling not importable ({', '.join(missing)}): pip install -e '.[docs]'"
        print(reason)
        pytest.skip(reason)
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return out


def test_the_site_builds_in_strict_mode(site: Path) -> None:
    for page in ("index.html", "reference/cli/index.html", "reference/api/index.html"):
        assert (site / page).is_file(), page


@pytest.mark.parametrize("kind", KINDS)
def test_every_registered_id_has_a_section_in_its_reference_page(site: Path, kind: str) -> None:
    page = (site / "reference" / f"{kind}s" / "index.html").read_text()
    anchors = set(re.findall(r'<h2 id="([^"]+)"', page))
    # the package's own units (other tests in this process register throwaway ones)
    own = [
        entry.id
        for entry in entries(kind)
        if getattr(entry.factory, "__module__", "").startswith("incentive_lab.")
    ]
    assert len(own) >= 10
    missing = [unit for unit in own if re.sub(r"[^a-z0-9_-]+", "-", unit.lower()) not in anchors]
    assert not missing, f"{kind}s missing from the reference: {missing}"


def test_the_cli_reference_lists_every_command(site: Path) -> None:
    import typer

    from incentive_lab.cli import app

    page = (site / "reference" / "cli" / "index.html").read_text()
    root = typer.main.get_command(app)
    commands = [
        " ".join([name, *([sub] if sub else [])])
        for name, command in getattr(root, "commands", {}).items()
        for sub in [None, *getattr(command, "commands", {})]
    ]
    assert {"list", "run", "show", "report", "bench run"} <= set(commands)
    for command in commands:
        assert f"incentive-lab {command}</code>" in page, command


def python_blocks(markdown: Path) -> list[str]:
    """The fenced ``python`` code blocks of a Markdown page, in order."""
    return re.findall(r"^```python\n(.*?)^```", markdown.read_text(), re.S | re.M)


def test_the_plugin_tutorial_runs(tmp_path: Path) -> None:
    # A fresh interpreter: the tutorial registers units, which must not leak into this one.
    blocks = python_blocks(DOCS / "tutorials" / "plugins.md")
    assert len(blocks) >= 6
    script = tmp_path / "tutorial.py"
    script.write_text("\n\n".join(textwrap.dedent(block) for block in blocks))
    done = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    for unit in ("mechanism 'subsidy'", "game 'coordination", "learner 'greedy_average'"):
        assert unit in done.stdout and "checks passed" in done.stdout, done.stdout
    assert (tmp_path / "plugin.duckdb").is_file()
    for shown in text_blocks(DOCS / "tutorials" / "plugins.md"):
        for line in shown.strip().splitlines():
            assert line in done.stdout, (line, done.stdout)


def text_blocks(markdown: Path) -> list[str]:
    """The fenced ``text`` blocks (printed output shown on the page), in order."""
    return re.findall(r"^```text\n(.*?)^```", markdown.read_text(), re.S | re.M)


def test_the_pettingzoo_tutorial_runs(tmp_path: Path) -> None:
    blocks = python_blocks(DOCS / "tutorials" / "pettingzoo.md")
    script = tmp_path / "interop_tutorial.py"
    script.write_text("\n\n".join(blocks))
    done = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    for expected in text_blocks(DOCS / "tutorials" / "pettingzoo.md"):
        for line in expected.strip().splitlines():
            assert line in done.stdout, (line, done.stdout)


def test_the_sql_recipes_run_on_the_first_experiment(tmp_path: Path) -> None:
    import duckdb
    import yaml

    import incentive_lab

    guide = (DOCS / "getting-started.md").read_text()
    first = next(b for b in re.findall(r"^```yaml\n(.*?)^```", guide, re.S | re.M) if "pd-tax" in b)
    config = yaml.safe_load(first)
    config["steps"], config["game"]["params"]["n_copies"] = 1000, 20  # same shape, smaller
    db = tmp_path / "incentive-lab.duckdb"
    incentive_lab.run(config, db=db, workers=1, progress=False)
    queries = re.findall(
        r"^```sql\n(.*?)^```", (DOCS / "tutorials" / "sql.md").read_text(), re.S | re.M
    )
    assert len(queries) >= 6
    con = duckdb.connect(str(db), read_only=True)
    try:
        for query in queries:
            rows = con.execute(query).fetchall()
            assert rows, query
    finally:
        con.close()
