"""The report in a real browser: headless Chromium loads it, draws it, logs no errors.

Renders a report of a small real experiment with Debian's ``chromium`` (installed by
``.ci/run`` when missing; the test is skipped without it): a full-page screenshot must be
a non-blank image, the DOM Chromium built must hold every figure as a non-empty SVG and
name every mechanism, and Chromium's console log must show no errors.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from incentive_lab.experiments.execution.orchestrate import run_experiment

CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")

MECHANISMS = ("none", "team_reward", "action_tax", "pigouvian_tax")
CONFIG = {
    "name": "browser-pd",
    "game": {"id": "prisoners_dilemma", "params": {"n_copies": 20}},
    "learners": [{"id": "q_learning", "params": {"alpha": 0.2, "epsilon": 0.1}}],
    "steps": 300,
    "seeds": 3,
    "record_every": 30,
    "sweep": {
        "mechanism": [
            {"id": "none"},
            {"id": "team_reward"},
            {"id": "action_tax", "params": {"taxes": [0.0, 3.0]}},
            {"id": "pigouvian_tax"},
        ]
    },
}
FIGURES = ("learning-curves", "final-outcomes", "pareto")


def _chromium(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [
        str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-dev-shm-usage", f"--user-data-dir={tmp / 'profile'}",
        "--enable-logging=stderr", "--log-level=0", *args,
    ]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def _console_errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("browser")
    results = run_experiment(CONFIG, db=directory / "store.duckdb", workers=1)
    return results.report(directory / "report.html")


def test_report_renders_without_console_errors(page: Path) -> None:
    tmp = page.parent
    shot = tmp / "shot.png"
    done = _chromium(
        tmp, f"--screenshot={shot}", "--window-size=1280,4000", page.resolve().as_uri()
    )
    assert shot.is_file() and shot.stat().st_size > 10_000, done.stderr[-2000:]
    assert _console_errors(done.stderr) == []

    from matplotlib import image

    pixels = image.imread(str(shot))[..., :3]
    assert pixels.shape[0] == 4000 and pixels.shape[1] == 1280
    assert float(pixels.std()) > 0.05  # not a blank page
    # the figures are drawn: many distinct colours (mechanism palette, bands, text)
    colours = np.unique((pixels[::4, ::4] * 255).astype(np.uint8).reshape(-1, 3), axis=0)
    assert len(colours) > 200


def test_dom_holds_every_figure_and_mechanism(page: Path) -> None:
    done = _chromium(page.parent, "--dump-dom", page.resolve().as_uri())
    dom = done.stdout
    assert "<h1>incentive-lab report</h1>" in dom, done.stderr[-2000:]
    for kind in FIGURES:
        match = re.search(rf'<figure id="fig-browser-pd-{kind}"[^>]*>\s*<svg(.*?)</svg>', dom, re.S)
        assert match is not None, kind
        assert match.group(1).count("<path") > 10, kind
    summary = dom[dom.index("<h3>Summary</h3>") : dom.index("<h3>Figures</h3>")]
    assert "statistically clear" in summary
    for mechanism in MECHANISMS:
        assert mechanism in dom
        assert f">{mechanism}<" in dom  # as text inside a figure or table cell


def test_console_errors_are_detected(tmp_path: Path) -> None:
    broken = tmp_path / "broken.html"
    broken.write_text('<html><body><script>console.error("boom"); nope();</script></body></html>')
    done = _chromium(tmp_path, f"--screenshot={tmp_path / 'b.png'}", broken.as_uri())
    errors = _console_errors(done.stderr)
    assert any("boom" in line for line in errors) and any("Uncaught" in line for line in errors)
