"""Verdicts on hand-made data: candidates, thresholds, paired differences, no effect, cost."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from incentive_lab.evaluation.report.analysis import ExperimentTables, value_text
from incentive_lab.evaluation.report.model import analyse

TAXES = "mechanism.params.taxes"
SEEDS = range(5)


def _tables(values: dict[str, dict[str, list[float]]], **options: object) -> ExperimentTables:
    """Candidates = values of ``mechanism.params.taxes``; per metric one value per seed."""
    rows = []
    for point, metrics in values.items():
        for metric, per_seed in metrics.items():
            for seed, value in zip(SEEDS, per_seed, strict=True):
                rows.append({"run_id": f"{point}{seed}", TAXES: point, "seed_index": seed,
                             "name": metric, "value": value})  # fmt: skip
    summary = pd.DataFrame(rows)
    config = {"game": {"id": "prisoners_dilemma"}, "mechanism": {"id": "action_tax"}}
    runs = pd.DataFrame({"run_id": ["x"], "point": ["{}"], "config": [json.dumps(config)]})
    return ExperimentTables(
        "toy",
        summary,
        summary.assign(step=100),
        runs,
        (TAXES,),
        **options,  # type: ignore[arg-type]
    )


def _verdicts(tables: ExperimentTables) -> dict[str, object]:
    a = analyse(tables, np.random.default_rng(0), 0)
    return {v.objective.metric: v for v in a.verdicts} | {"_analysis": a}


SEED_NOISE = [0.0, 0.001, 0.002, 0.003, 0.004]


def _pd_tax_like() -> dict[str, dict[str, list[float]]]:
    def series(level: float) -> list[float]:
        return [level + e for e in SEED_NOISE]

    return {
        "[0.0,0.0]": {"cooperation_rate": series(0.02), "incentive_spend": series(0.0)},
        "[0.0,0.5]": {"cooperation_rate": series(0.021), "incentive_spend": series(5.0)},
        "[0.0,2.5]": {"cooperation_rate": series(0.97), "incentive_spend": series(1.0)},
    }


def test_candidates_are_sweep_points_labelled_by_value() -> None:
    found = _verdicts(_tables(_pd_tax_like()))
    a = found["_analysis"]
    assert a.prep.candidates == [  # type: ignore[attr-defined]
        "action_tax taxes=[0, 0]",
        "action_tax taxes=[0, 0.5]",
        "action_tax taxes=[0, 2.5]",
    ]
    assert value_text("[0.0,2.5]") == "[0, 2.5]"


def test_clear_lead_and_no_effect_here() -> None:
    found = _verdicts(_tables(_pd_tax_like(), objective="cooperation_rate"))
    coop = found["cooperation_rate"]
    # threshold 1% of the range 0.95; the paired difference to the runner-up is exactly 0.949
    assert coop.kind == "clear" and coop.best == ("action_tax taxes=[0, 2.5]",)  # type: ignore[attr-defined]
    assert coop.threshold == pytest.approx(0.0095)  # type: ignore[attr-defined]
    assert coop.difference.value == pytest.approx(0.949)  # type: ignore[attr-defined]
    # taxes [0, 0.5] is 0.001 above the baseline on every seed: below the threshold
    a = found["_analysis"]
    assert a.no_effect == {"all": ["action_tax taxes=[0, 0.5]"]}  # type: ignore[attr-defined]
    # cost: only [0, 2.5] improves the primary objective (here cooperation): the only candidate
    spend = found["incentive_spend"]
    assert spend.best == ("action_tax taxes=[0, 2.5]",) and spend.kind == "not clear"  # type: ignore[attr-defined]
    assert "action_tax taxes=[0, 0.5]" in spend.excluded  # type: ignore[attr-defined]


def test_tie_within_the_threshold_and_no_effect_when_the_baseline_ties() -> None:
    values = {
        "[0.0,0.0]": {"social_welfare": [10.0, 11, 12, 13, 14]},
        "[0.0,0.5]": {"social_welfare": [20.0, 21, 22, 23, 24]},
        "[0.0,2.5]": {"social_welfare": [20.05, 21.05, 22.05, 23.05, 24.05]},
    }
    v = _verdicts(_tables(values))["social_welfare"]
    # difference 0.05 <= 1% of the range 10.05: a tie although its CI excludes 0
    assert v.kind == "tie" and set(v.best) == {
        "action_tax taxes=[0, 0.5]",
        "action_tax taxes=[0, 2.5]",
    }  # type: ignore[attr-defined]
    flat = {k: {"social_welfare": [10.0, 11, 12, 13, 14]} for k in values}
    w = _verdicts(_tables(flat))["social_welfare"]
    assert w.kind == "no effect" and "action_tax taxes=[0, 0]" in w.best  # type: ignore[attr-defined]


def test_not_clear_when_the_paired_interval_includes_zero() -> None:
    values = {
        "[0.0,0.0]": {"social_welfare": [10.0, 10, 10, 10, 10]},
        "[0.0,2.5]": {"social_welfare": [20.0, 2, 19, 3, 11]},  # differences +10 -8 +9 -7 +1
    }
    v = _verdicts(_tables(values, objective="social_welfare"))["social_welfare"]
    assert v.difference.value == pytest.approx(1.0)  # type: ignore[attr-defined]
    assert v.kind == "not clear" and "includes 0" in v.reason  # type: ignore[attr-defined]
    # a configured threshold above the effect makes it a tie
    tied = _verdicts(_tables(values, thresholds={"social_welfare": 2.0}))["social_welfare"]
    assert tied.kind == "no effect" and tied.threshold == 2.0  # type: ignore[attr-defined]


def test_aggregates_use_the_candidates_every_task_ran() -> None:
    from incentive_lab.evaluation.report.model import cross_scenario

    rng = np.random.default_rng(0)
    one = _tables(
        {
            "[0.0,0.0]": {"social_welfare": [0.0, 0, 0, 0, 0]},
            "[0.0,0.5]": {"social_welfare": [1.0, 1, 1, 1, 1]},
            "[0.0,2.5]": {"social_welfare": [2.0, 2, 2, 2, 2]},
        }
    )
    two = _tables(
        {
            "[0.0,0.0]": {"social_welfare": [10.0, 10, 10, 10, 10]},
            "[0.0,0.5]": {"social_welfare": [30.0, 30, 30, 30, 30]},
        }
    )
    two = ExperimentTables("other", two.summary, two.metrics, two.runs, two.point_columns)
    cross = cross_scenario([analyse(one, rng, 0), analyse(two, rng, 0)], rng)
    assert cross is not None and cross.tasks == ["toy", "other"]
    # taxes [0, 2.5] ran in one task only; the other two are normalised 0 and 1 in each task
    assert sorted(cross.scores) == ["action_tax taxes=[0, 0.5]", "action_tax taxes=[0, 0]"]
    iqm = cross.table.set_index(["candidate", "aggregate"]).loc[
        ("action_tax taxes=[0, 0.5]", "iqm"), "value"
    ]
    assert iqm == pytest.approx(1.0)


def test_grouping_by_mechanism_only_when_asked_and_never_pooled() -> None:
    tables = _tables(_pd_tax_like())
    grouped = ExperimentTables(
        tables.name, tables.summary, tables.metrics, tables.runs, tables.point_columns,
        by_mechanism=True,
    )  # fmt: skip
    a = analyse(grouped, np.random.default_rng(0), 0)
    assert a.prep.candidates == ["action_tax"]
    assert a.prep.conditions == ["taxes=[0.0,0.0]", "taxes=[0.0,0.5]", "taxes=[0.0,2.5]"]
    coop = a.final[a.final["metric"] == "cooperation_rate"]["mean"].tolist()
    assert coop == pytest.approx([0.022, 0.023, 0.972])  # one estimate per tax level


def test_seed_curves_on_request() -> None:
    from incentive_lab.evaluation.report.page import build_report

    tables = _tables(_pd_tax_like())
    metrics = pd.concat([tables.metrics, tables.metrics.assign(step=200)], ignore_index=True)
    plain = ExperimentTables(tables.name, tables.summary, metrics, tables.runs, (TAXES,))
    thin = ExperimentTables(tables.name, tables.summary, metrics, tables.runs, (TAXES,),
                            seed_curves=True)  # fmt: skip

    def curves(html: str) -> str:
        start = html.index('id="fig-toy-learning-curves"')
        return html[start : html.index("</figure>", start)]

    # 3 candidates x 5 seeds x 2 objectives = 30 more lines
    extra = curves(build_report([thin])).count("<path") - curves(build_report([plain])).count(
        "<path"
    )
    assert extra == 30
    assert "thin lines: the single seeds" in build_report([thin])
