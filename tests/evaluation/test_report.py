"""The HTML report of a small real experiment: self-contained, complete, reproducible."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from report_fixtures import FIGURE_KINDS, MECHANISMS, small_results

from incentive_lab.core.errors import ConfigError
from incentive_lab.evaluation.figures.pareto import pareto_front
from incentive_lab.evaluation.report.analysis import prepare, short_names
from incentive_lab.experiments.execution.reporting import tables_of
from incentive_lab.experiments.execution.results import report_store


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    directory = tmp_path_factory.mktemp("report")
    results = small_results(directory)
    path = results.report(directory / "report.html")
    return directory, path.read_text(encoding="utf-8")


def _figure_bodies(html: str) -> dict[str, str]:
    found = re.findall(
        r'<figure id="fig-small-pgg-([a-z-]+)" data-kind="[a-z-]+">(.*?)</figure>', html, re.S
    )
    return dict(found)


def test_report_is_self_contained(report: tuple[Path, str]) -> None:
    _, html = report
    assert html.startswith("<!DOCTYPE html>")
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", html, re.I)
    # one inline script: the legend toggling of figures.interactive, nothing fetched
    from incentive_lab.evaluation.figures.interactive import SCRIPT

    assert html.lower().count("<script") == 1 and f"<script>{SCRIPT}</script>" in html
    assert "<link" not in html.lower()
    assert "@import" not in html and "url(http" not in html


def test_every_figure_is_present_and_non_empty(report: tuple[Path, str]) -> None:
    _, html = report
    bodies = _figure_bodies(html)
    assert set(bodies) == set(FIGURE_KINDS)
    for kind, body in bodies.items():
        assert body.lstrip().startswith("<svg"), kind
        assert body.count("<path") > 10, kind  # drawn lines, markers, bands
    # one figure's ids never collide with another's
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids))


def test_summary_names_mechanisms_and_objectives(report: tuple[Path, str]) -> None:
    _, html = report
    summary = html[html.index("<h3>Summary</h3>") : html.index("<h3>Figures</h3>")]
    for objective in ("Social welfare", "Cooperation", "Fairness (Gini)", "Incentive cost"):
        assert objective in summary
    kinds = re.findall(r'data-verdict="([a-z ]+)"', summary)
    assert len(kinds) == 2 * 4  # two sweep points (r_c = 3, 6) x four objectives
    assert set(kinds) <= {"clear", "tie", "not clear", "no effect"}
    for mechanism in MECHANISMS:
        assert mechanism in html
    # each sweep point on its own: at r_c = 3 < group size 5 defection dominates and the
    # tax leads clearly; at r_c = 6 > 5 contributing already dominates: nothing to improve
    welfare = re.findall(
        r'data-verdict="([a-z ]+)"><span[^>]*>[a-z ]+</span> '
        r"Social welfare: ([a-z_, ]+?) (\(tie\) )?—",
        summary,
    )
    assert welfare[0][:2] == ("clear", "pigouvian_tax")
    assert welfare[1][0] == "no effect" and "none" in welfare[1][1]
    assert "No effect here (equal to none within the threshold): pigouvian_tax." in summary
    assert "Effects against the baseline none" in html
    assert "only 3 seeds (fewer than 5)" in html  # the warning
    assert "game.params.r_c = 3.0, mechanism = none" in html  # resolved configs
    assert "runs produced by incentive-lab 0.1.0" in html


def test_prepared_conditions_and_pooled_scores(report: tuple[Path, str]) -> None:
    directory, _ = report
    from incentive_lab.experiments.execution.results import Results

    prep = prepare(tables_of(Results(directory / "store.duckdb", "small-pgg")))
    assert prep.mechanisms[0] == prep.baseline == "none"
    assert sorted(prep.mechanisms) == sorted(MECHANISMS)
    assert prep.swept == ["game.params.r_c"]
    assert prep.conditions == ["r_c=3.0", "r_c=6.0"]


def test_bad_requests_are_config_errors(report: tuple[Path, str], tmp_path: Path) -> None:
    directory, _ = report
    with pytest.raises(ConfigError, match="experiment"):
        report_store(directory / "store.duckdb", tmp_path / "r.html", ["nope"])
    with pytest.raises(ConfigError, match="out"):
        report_store(directory / "store.duckdb", tmp_path / "missing" / "r.html")
    with pytest.raises(ConfigError, match="db"):
        report_store(tmp_path / "absent.duckdb", tmp_path / "r.html")


def test_pareto_front_by_hand() -> None:
    welfare = np.array([10.0, 8.0, 12.0, 12.0, 5.0])
    cost = np.array([1.0, 0.0, 3.0, 4.0, 0.0])
    # (8,0) beats (5,0); (12,3) beats (12,4); (10,1) is between (8,0) and (12,3)
    assert pareto_front(welfare, cost).tolist() == [True, True, True, False, False]


def test_short_names_keep_labels_unique() -> None:
    labels = ["none", "action_tax(taxes=[0,1])", "toll(scale=1)", "toll(scale=2)"]
    assert short_names(labels) == {
        "none": "none",
        "action_tax(taxes=[0,1])": "action_tax",
        "toll(scale=1)": "toll(scale=1)",
        "toll(scale=2)": "toll(scale=2)",
    }


def _synthetic(seed: int = 3):
    from incentive_lab.evaluation.report.analysis import ExperimentTables

    rng = np.random.default_rng(seed)
    rows, metrics = [], []
    for mechanism in ("none", "team_reward"):
        for a in (1.0, 2.0):
            for b in (10.0, 20.0, 30.0):
                for seed_index in range(3):
                    base = a * b + (5.0 if mechanism == "team_reward" else 0.0)
                    for name, value in (
                        ("social_welfare", base + rng.normal()),
                        ("incentive_cost", 0.0 if mechanism == "none" else 1.0),
                    ):
                        key = {"run_id": f"{mechanism}{a}{b}{seed_index}", "mechanism": mechanism,
                               "a": a, "b": b, "seed_index": seed_index, "name": name}  # fmt: skip
                        rows.append({**key, "value": value})
                        for step in (10, 20):
                            metrics.append({**key, "step": step, "value": value})
    runs = pd.DataFrame(
        {
            "run_id": ["x"],
            "point": ['{"a": 1.0}'],
            "config": ['{"game": {"id": "toy"}}'],
            "package_version": ["0.1.0"],
        }
    )
    return ExperimentTables(
        "toy", pd.DataFrame(rows), pd.DataFrame(metrics), runs, ("a", "mechanism", "b")
    )


def test_two_numeric_sweeps_give_heatmaps_and_reports_are_reproducible() -> None:
    from incentive_lab.evaluation.report.page import build_report

    html = build_report([_synthetic()], seed=0)
    body = html[html.index('id="fig-toy-phase-diagram"') :]
    assert body.index("<svg") < 200 and "<image" in body[: body.index("</figure>")]
    assert "team_reward" in html and "none" in html
    # team_reward is 5 above none at every point: a clear lead in welfare at each of them
    leads = re.findall(r"Social welfare: team_reward — highest social welfare ([0-9.]+)", html)
    assert len(leads) == 6  # the conditions: a = 1, 2 x b = 10, 20, 30 (never pooled)
    assert html.count("clear: paired difference to none +") == 6
    assert build_report([_synthetic()], seed=0) == html  # same data and seed: same bytes
    assert build_report([_synthetic()], seed=1) != html  # the seed drives the bootstrap
