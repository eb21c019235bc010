"""``report.json`` agrees with the HTML, and the report prints ``show``'s intervals."""

from __future__ import annotations

import html as htmllib
import json
import re
from pathlib import Path

import pytest
from report_fixtures import small_results

from incentive_lab.evaluation.report.page import json_path, score_text
from incentive_lab.evaluation.report.sections import ci_text
from incentive_lab.experiments.execution.results import Results


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> tuple[Results, str, dict]:
    directory = tmp_path_factory.mktemp("report-json")
    results = small_results(directory)
    path = results.report(directory / "report.html")
    record = json.loads(json_path(path).read_text(encoding="utf-8"))
    return results, htmllib.unescape(path.read_text(encoding="utf-8")), record


def test_json_sits_beside_the_html_with_its_schema(made: tuple[Results, str, dict]) -> None:
    _, _, record = made
    assert record["schema"] == "incentive-lab/report/1"
    (experiment,) = record["experiments"]
    assert experiment["name"] == "small-pgg"
    assert [c["label"] for c in experiment["candidates"]] == [
        "none",
        "team_reward",
        "pigouvian_tax",
    ]
    assert experiment["conditions"] == ["r_c=3.0", "r_c=6.0"]
    assert experiment["seeds"] == 3 and "fewer than 5" in experiment["warnings"][0]
    assert {v["verdict"] for v in experiment["verdicts"]} <= {
        "clear",
        "tie",
        "not clear",
        "no effect",
    }
    assert record["aggregates"]["tasks"] == ["small-pgg r_c=3.0", "small-pgg r_c=6.0"]


def test_every_json_verdict_and_estimate_is_in_the_html(made: tuple[Results, str, dict]) -> None:
    _, html, record = made
    (experiment,) = record["experiments"]
    items = re.findall(r'<li data-verdict="([a-z ]+)">(.*?)</li>', html, re.S)
    assert len(items) == len(experiment["verdicts"])
    for v, (kind, text) in zip(experiment["verdicts"], items, strict=True):
        assert kind == v["verdict"]
        assert v["reason"] in text
        if not v["best"]:
            assert "no eligible candidate" in text
            continue
        e = v["estimate"]
        assert f"{e['mean']:.4g} [95% CI {e['ci_low']:.4g}, {e['ci_high']:.4g}]" in text
        assert ", ".join(v["best"]) in text
    for e in experiment["estimates"]:
        assert ci_text(e["mean"], e["ci_low"], e["ci_high"]) in html
    for row in record["aggregates"]["aggregates"]:
        assert score_text(row["value"], row["ci_low"], row["ci_high"]) in html


def test_show_and_report_print_the_same_interval(made: tuple[Results, str, dict]) -> None:
    results, _, record = made
    (experiment,) = record["experiments"]
    shown = results.aggregate()  # what `incentive-lab show` prints
    labels = {"none": "none", "team_reward": "team_reward", "pigouvian_tax": "pigouvian_tax"}
    checked = 0
    for e in experiment["estimates"]:
        r_c = float(e["condition"].split("=")[1])
        row = shown[
            (shown["mechanism"] == labels[e["candidate"]])
            & (shown["game.params.r_c"] == r_c)
            & (shown["name"] == e["metric"])
        ].iloc[0]
        assert (row["mean"], row["ci_low"], row["ci_high"]) == (
            pytest.approx(e["mean"], abs=0, rel=1e-12),
            pytest.approx(e["ci_low"], abs=0, rel=1e-12),
            pytest.approx(e["ci_high"], abs=0, rel=1e-12),
        )
        checked += 1
    assert checked == len(experiment["estimates"]) > 0


def test_json_path_never_collides_with_the_html(tmp_path: Path) -> None:
    assert json_path(tmp_path / "r.html") == tmp_path / "r.json"
    assert json_path(tmp_path / "r.json") == tmp_path / "r.report.json"
