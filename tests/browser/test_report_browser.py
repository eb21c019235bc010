"""The report in a real browser: headless Chromium loads it, draws it, logs no errors.

Renders one report holding every page type — a plain mechanism comparison, a sweep over a
game parameter, a run with phases, a MechBench scenario and a design search (when Optuna is
installed) — with Debian's ``chromium`` (installed by ``.ci/run`` when missing; the test is
skipped without it): a full-page screenshot must be a non-blank image, Chromium's console
log must show no errors, and in the DOM Chromium built every figure must be a non-empty SVG
with a title, axis labels and a legend, every mechanism must be named, and the verdicts
must be those of the ``report.json`` written beside the page. A legend click (simulated by
a script appended to a copy of the page) hides and shows one candidate's series, and the
points carry hover titles with the values of ``report.json``.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from incentive_lab.experiments.bench.suite import get_scenario
from incentive_lab.experiments.execution.orchestrate import run_experiment
from incentive_lab.experiments.execution.results import report_store

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
SWEEP = {
    "name": "browser-sweep",
    "game": {"id": "public_goods", "params": {"n_agents": 10, "group_size": 5, "r_d": 3.0}},
    "learners": [{"id": "faq", "params": {"alpha": 0.2, "beta": 0.1, "tau": 0.5}}],
    "steps": 150,
    "seeds": 2,
    "record_every": 30,
    "sweep": {"game.params.r_c": [3.0, 6.0], "mechanism": [{"id": "none"}, {"id": "team_reward"}]},
}
PHASES = {
    "name": "browser-phases",
    "game": {"id": "prisoners_dilemma", "params": {"n_copies": 20}},
    "mechanism": {"id": "action_tax", "params": {"taxes": [0.0, 3.0]}},
    "learners": [{"id": "q_learning", "params": {"alpha": 0.2, "epsilon": 0.1}}],
    "steps": 300,
    "seeds": 2,
    "record_every": 30,
    "phases": [{"at_step": 150, "overrides": {"mechanism": {"id": "none"}}}],
}
DESIGN = {
    "name": "browser-design",
    "game": {"id": "prisoners_dilemma", "params": {"n_copies": 20}},
    "mechanism": {"id": "action_tax", "params": {"taxes": [0.0, 0.0]}},
    "learners": [{"id": "q_learning", "params": {"alpha": 0.2, "epsilon": 0.1}}],
    "steps": 150,
    "seeds": 2,
    "record_every": 30,
    "design": {
        "space": {
            "mechanism.params.taxes.0": {"low": 0.0, "high": 1.0},
            "mechanism.params.taxes.1": {"low": 0.0, "high": 5.0},
        },
        "objective": "social_welfare",
        "budget": 25.0,
        "budget_mode": "constraint",
        "trials": 4,
        "startup_trials": 4,
        "seed": 0,
    },
}
# figure kind -> must it carry a legend (heatmaps carry a colour bar instead)
LABELLED = (
    "learning-curves",
    "final-outcomes",
    "pareto",
    "phase-diagram",
    "performance-profile",
    "design-history",
    "design-reevaluation",
)
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
    db = directory / "store.duckdb"
    bench = get_scenario("staghunt-pg-v1").experiment_config(seeds=2, steps=40)
    for config in (CONFIG, SWEEP, PHASES, bench):
        run_experiment(config, db=db, workers=1)
    if importlib.util.find_spec("optuna") is not None:
        from incentive_lab.experiments.search.design import run_design

        run_design(DESIGN, db=db, workers=1)
    return report_store(db, directory / "report.html")


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


def _figures(dom: str) -> list[tuple[str, str, str]]:
    """``(id, kind, svg body)`` of every figure in the DOM."""
    return re.findall(r'<figure id="([^"]+)" data-kind="([a-z-]+)">\s*<svg(.*?)</svg>', dom, re.S)


def _text_of(body: str, ident: str) -> str:
    """The text inside the group with id ``ident`` (matplotlib writes text as <text>)."""
    start = body.find(f'id="{ident}"')
    if start < 0:
        return ""
    return " ".join(re.findall(r"<text[^>]*>([^<]*)</text>", body[start : start + 4000]))


def test_dom_holds_every_figure_and_mechanism(page: Path) -> None:
    done = _chromium(page.parent, "--dump-dom", page.resolve().as_uri())
    dom = done.stdout
    assert "<h1>incentive-lab report</h1>" in dom, done.stderr[-2000:]
    for kind in FIGURES:
        match = re.search(rf'<figure id="fig-browser-pd-{kind}"[^>]*>\s*<svg(.*?)</svg>', dom, re.S)
        assert match is not None, kind
        assert match.group(1).count("<path") > 10, kind
    summary = dom[dom.index("<h3>Summary</h3>") : dom.index("<h3>Figures</h3>")]
    assert "data-verdict=" in summary
    for mechanism in MECHANISMS:
        assert mechanism in dom
        assert f">{mechanism}<" in dom  # as text inside a figure or table cell


def test_every_page_type_is_there_with_titled_labelled_figures(page: Path) -> None:
    dom = _chromium(page.parent, "--dump-dom", page.resolve().as_uri()).stdout
    figures = _figures(dom)
    kinds = {kind for _, kind, _ in figures}
    assert {"phase-diagram", "performance-profile"} <= kinds  # the sweep; the aggregates
    if importlib.util.find_spec("optuna") is not None:
        assert {"design-history", "design-reevaluation"} <= kinds
        design = dom[dom.index('id="exp-browser-design"') :]
        assert "Parameter importance (Optuna PED-ANOVA)" in design
        assert "budget (25/step)" in design  # the design's budget, read from its study
        assert "Chosen trial re-evaluated on fresh seeds" in design
    phases = next(
        body for ident, _, body in figures if ident == "fig-browser-phases-learning-curves"
    )
    assert "phase 1: mechanism=none" in phases  # the phase change is marked and labelled
    assert 'id="exp-staghunt-pg-v1-steps40"' in dom  # the bench scenario's section
    for ident, kind, body in figures:
        if kind not in LABELLED:
            continue
        for part in ("title", "xlabel", "ylabel", "legend"):
            assert _text_of(body, f"{ident}-{part}-0").strip(), (ident, part)


def test_the_dom_shows_the_verdicts_of_report_json(page: Path) -> None:
    dom = _chromium(page.parent, "--dump-dom", page.resolve().as_uri()).stdout
    record = json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))
    shown = re.findall(r'<li data-verdict="([a-z ]+)">', dom)
    wanted = [v["verdict"] for e in record["experiments"] for v in e["verdicts"]]
    assert shown == wanted and len(wanted) > 10
    assert "fewer than 5" in dom  # the 2- and 3-seed experiments are warned about


def test_console_errors_are_detected(tmp_path: Path) -> None:
    broken = tmp_path / "broken.html"
    broken.write_text('<html><body><script>console.error("boom"); nope();</script></body></html>')
    done = _chromium(tmp_path, f"--screenshot={tmp_path / 'b.png'}", broken.as_uri())
    errors = _console_errors(done.stderr)
    assert any("boom" in line for line in errors) and any("Uncaught" in line for line in errors)


CLICK = """
<script>
(function () {
  var svg = document.querySelector("#fig-browser-pd-learning-curves svg");
  var entry = svg.querySelector('[id$="-legend-item-1"]');
  var series = svg.querySelectorAll('[id^="fig-browser-pd-learning-curves-series-1-"]');
  var others = svg.querySelectorAll('[id^="fig-browser-pd-learning-curves-series-0-"]');
  function shown(list) {
    return Array.prototype.filter.call(list, function (e) {
      return getComputedStyle(e).display !== "none";
    }).length;
  }
  function click(element) {
    element.dispatchEvent(new MouseEvent("click", {bubbles: true, cancelable: true}));
  }
  var out = document.body.dataset;
  out.series = series.length;
  out.before = shown(series);
  click(entry.querySelector("text") || entry);
  out.hidden = shown(series);
  out.others = shown(others) + "/" + others.length;
  out.dimmed = entry.classList.contains("off");
  click(svg.querySelector('[id$="-legend-mark-1"]'));
  out.after = shown(series);
  out.undimmed = !entry.classList.contains("off");
})();
</script>
"""


def test_a_legend_click_toggles_its_series_and_points_have_hover_titles(page: Path) -> None:
    clicked = page.with_name("clicked.html")
    clicked.write_text(
        page.read_text(encoding="utf-8").replace("</body>", CLICK + "</body>"), encoding="utf-8"
    )
    done = _chromium(page.parent, "--dump-dom", clicked.resolve().as_uri())
    assert _console_errors(done.stderr) == [], done.stderr[-2000:]
    body = re.search(r"<body([^>]*)>", done.stdout)
    assert body is not None
    state = dict(re.findall(r'data-([a-z]+)="([^"]*)"', body.group(1)))
    # candidate 1 (team_reward) has a line and a band per objective panel
    count = int(state["series"])
    assert count >= 4 and state["before"] == str(count)
    assert state["hidden"] == "0" and state["dimmed"] == "true"  # every part hidden
    assert state["others"] == f"{count}/{count}"  # candidate 0 untouched
    assert state["after"] == str(count) and state["undimmed"] == "true"  # the mark shows it
    # hover: each point of the final outcomes carries its value as the report.json says
    record = json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))
    pd_record = next(e for e in record["experiments"] if e["name"] == "browser-pd")
    figure = re.search(
        r'<figure id="fig-browser-pd-final-outcomes"[^>]*>(.*?)</figure>', done.stdout, re.S
    )
    assert figure is not None
    titles = re.findall(r"<title>([^<]*)</title>", figure.group(1))
    coop = [e for e in pd_record["estimates"] if e["metric"] == "cooperation_rate"]
    assert len(coop) == len(MECHANISMS)
    for e in coop:
        value = f"{e['mean']:.4g} [{e['ci_low']:.4g}, {e['ci_high']:.4g}]"
        assert f"{e['candidate']}: Cooperation {value}" in titles
