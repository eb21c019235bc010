"""Practical thresholds from the config, the bench scenario and Python, and where they are said.

Hand-made data (as ``test_report_verdicts``) for the verdict arithmetic; one tiny real run
for the path config → stored runs → ``incentive-lab report`` → ``report.json``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from test_report_verdicts import _pd_tax_like, _tables

from incentive_lab.core.errors import ConfigError
from incentive_lab.evaluation.report.analysis import LEGACY_COST, OBJECTIVES, ExperimentTables
from incentive_lab.evaluation.report.model import analyse, experiment_record
from incentive_lab.experiments.config.plan import plan_experiment
from incentive_lab.experiments.config.schema import Thresholds

NOT_CLEAR = {
    "[0.0,0.0]": {"social_welfare": [10.0, 10, 10, 10, 10]},
    "[0.0,2.5]": {"social_welfare": [20.0, 2, 19, 3, 11]},  # paired differences: mean +1.0
}


def _stored(tables: ExperimentTables, report: dict) -> ExperimentTables:
    """``tables`` whose stored run config carries ``report`` (as the store keeps it)."""
    config = {
        "game": {"id": "prisoners_dilemma"},
        "mechanism": {"id": "action_tax"},
        "report": report,
    }
    runs = pd.DataFrame({"run_id": ["x"], "point": ["{}"], "config": [json.dumps(config)]})
    return ExperimentTables(
        tables.name,
        tables.summary,
        tables.metrics,
        runs,
        tables.point_columns,
        objective=tables.objective,
        thresholds=tables.thresholds,
    )


def _verdict(tables: ExperimentTables, metric: str):  # type: ignore[no-untyped-def]
    a = analyse(tables, np.random.default_rng(0), 0)
    return next(v for v in a.verdicts if v.objective.metric == metric), a


def test_the_config_fields_are_the_report_objectives() -> None:
    metrics = {o.metric for o in OBJECTIVES} | {LEGACY_COST.metric}
    assert set(Thresholds.model_fields) == metrics


def test_default_is_one_percent_of_the_range_and_says_so() -> None:
    v, a = _verdict(_tables(_pd_tax_like(), objective="cooperation_rate"), "cooperation_rate")
    assert v.threshold == pytest.approx(0.01 * 0.95)
    assert v.record()["threshold_rule"] == {"kind": "relative", "value": 0.01, "source": "default"}
    assert experiment_record(a)["thresholds"]["cooperation_rate"]["source"] == "default"


def test_absolute_threshold_from_the_stored_config() -> None:
    plain, _ = _verdict(_tables(NOT_CLEAR), "social_welfare")
    assert plain.kind == "not clear"  # +1.0 exceeds 1% of the range 1.0, CI includes 0
    stored = _stored(_tables(NOT_CLEAR), {"thresholds": {"social_welfare": {"absolute": 2.0}}})
    v, a = _verdict(stored, "social_welfare")
    # |+1.0| <= 2.0: within the threshold, and the baseline is among the tied best
    assert v.kind == "no effect" and v.threshold == 2.0
    assert v.record()["threshold_rule"] == {"kind": "absolute", "value": 2.0, "source": "config"}
    record = experiment_record(a)
    assert record["thresholds"]["social_welfare"]["source"] == "config"
    assert {e["threshold"] for e in record["effects"]} == {2.0}


def test_relative_threshold_from_the_stored_config() -> None:
    tables = _tables(_pd_tax_like(), objective="cooperation_rate")
    half = _stored(tables, {"thresholds": {"cooperation_rate": {"relative": 0.5}}})
    v, _ = _verdict(half, "cooperation_rate")
    # range of the means 0.972 - 0.022 = 0.95; half of it 0.475 < the lead 0.949: still clear
    assert v.threshold == pytest.approx(0.475) and v.kind == "clear"
    whole = _stored(tables, {"thresholds": {"cooperation_rate": {"relative": 1.0}}})
    w, _ = _verdict(whole, "cooperation_rate")
    # the whole range 0.95 > 0.949: a tie, and the baseline is within it
    assert w.threshold == pytest.approx(0.95) and w.kind == "no effect"


def test_an_argument_overrides_the_config() -> None:
    stored = _stored(_tables(NOT_CLEAR), {"thresholds": {"social_welfare": {"absolute": 2.0}}})
    argued = ExperimentTables(
        stored.name, stored.summary, stored.metrics, stored.runs, stored.point_columns,
        thresholds={"social_welfare": 0.5},
    )  # fmt: skip
    v, _ = _verdict(argued, "social_welfare")
    assert v.threshold == 0.5 and v.kind == "not clear"
    assert v.rule.source == "argument"


def _tiny(name: str, report: dict | None = None) -> dict:
    config = {
        "name": name,
        "game": {"id": "prisoners_dilemma", "params": {"n_copies": 2}},
        "learners": [{"id": "q_learning"}],
        "steps": 20,
        "seeds": 2,
        "sweep": {"mechanism": [{"id": "none"}, {"id": "team_reward"}]},
    }
    return config if report is None else {**config, "report": report}


def test_absent_thresholds_change_no_run_id_and_given_ones_are_stored() -> None:
    plain = plan_experiment(_tiny("t"))
    empty = plan_experiment(_tiny("t", {}))
    given = plan_experiment(_tiny("t", {"thresholds": {"gini": 0.02}}))
    assert [t.run_id for t in plain.tasks] == [t.run_id for t in empty.tasks]
    assert plain.digest == empty.digest and "report" not in plain.tasks[0].config
    assert given.tasks[0].config["report"] == {"thresholds": {"gini": {"absolute": 0.02}}}


@pytest.mark.parametrize(
    ("report", "field"),
    [
        ({"thresholds": {"cooperation": 0.02}}, "report.thresholds.cooperation"),
        ({"thresholds": {"gini": -0.1}}, "report.thresholds.gini.absolute"),
        ({"thresholds": {"gini": {"relative": 1.5}}}, "report.thresholds.gini.relative"),
        ({"thresholds": {"gini": {"absolute": 1, "relative": 0.1}}}, "report.thresholds.gini"),
        ({"threshold": {"gini": 1}}, "report.threshold"),
    ],
)
def test_bad_thresholds_are_one_line_errors_naming_the_field(report: dict, field: str) -> None:
    with pytest.raises(ConfigError) as caught:
        plan_experiment(_tiny("t", report))
    assert caught.value.field == field and "\n" not in str(caught.value)


def test_config_and_bench_scenario_thresholds_reach_the_report_json(tmp_path: Path) -> None:
    from incentive_lab.experiments.bench.suite import _parse
    from incentive_lab.experiments.execution.orchestrate import run_experiment
    from incentive_lab.experiments.execution.results import report_store

    config = _tiny("thr-v1", {"thresholds": {"social_welfare": {"relative": 0.25}}})
    scenario = _parse("thr-v1", {"bench": {"version": 1}, "experiment": config})
    db = tmp_path / "s.duckdb"
    run_experiment(scenario.experiment_config(), db=db, workers=1)
    out = tmp_path / "r.html"
    report_store(db, out, None)  # what `incentive-lab report` calls
    (experiment,) = json.loads(out.with_suffix(".json").read_text("utf-8"))["experiments"]
    assert experiment["thresholds"]["social_welfare"] == {
        "kind": "relative",
        "value": 0.25,
        "source": "config",
    }
    assert experiment["thresholds"]["cooperation_rate"]["source"] == "default"
    welfare = next(v for v in experiment["verdicts"] if v["objective"] == "social_welfare")
    means = [e["mean"] for e in experiment["estimates"] if e["metric"] == "social_welfare"]
    assert welfare["threshold"] == pytest.approx(0.25 * (max(means) - min(means)))
    assert "Social welfare 25% of the candidates&#x27; range (config)" in out.read_text("utf-8")
    assert yaml.safe_dump(config)  # the scenario document is plain YAML
