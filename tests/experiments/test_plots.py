"""Results' notebook plots draw exactly the store's numbers."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np
import pytest

import incentive_lab
from incentive_lab.core.errors import ConfigError
from incentive_lab.experiments.execution import plots

matplotlib.use("Agg")

CONFIG = {
    "name": "plotted",
    "game": {"id": "prisoners_dilemma", "params": {"n_copies": 8}},
    "learners": [{"id": "q_learning", "params": {"alpha": 0.2, "epsilon": 0.1}}],
    "steps": 200,
    "seeds": 3,
    "record_every": 50,
    "sweep": {
        "mechanism": [
            {"id": "none"},
            {"id": "action_tax", "params": {"taxes": [0, 1]}},
            {"id": "action_tax", "params": {"taxes": [0, 3]}},
        ]
    },
}


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    db = tmp_path_factory.mktemp("plots") / "lab.duckdb"
    return incentive_lab.run(CONFIG, db=db, workers=1, progress=False)


def test_curves_are_the_mean_over_seeds_with_a_normal_band(results) -> None:
    fig = results.plot_curves("cooperation_rate")
    ax = fig.axes[0]
    metrics = results.metrics()
    rows = metrics[metrics["name"] == "cooperation_rate"]
    assert len(ax.lines) == 3
    for line in ax.lines:
        label = line.get_label()
        part = rows[rows["mechanism"].astype(str) == label.split("=", 1)[1]]
        expected = part.groupby("step")["value"].mean()
        assert np.allclose(line.get_xdata(), expected.index)
        assert np.allclose(line.get_ydata(), expected.to_numpy())
    table = plots.curve_table(metrics, "cooperation_rate", ["mechanism"])
    first = table.iloc[0]
    values = rows[(rows["step"] == first["step"])]
    values = values[values["mechanism"].astype(str) == first["label"].split("=", 1)[1]]["value"]
    half = 1.96 * values.std(ddof=1) / np.sqrt(len(values))
    assert first["high"] - first["mean"] == pytest.approx(half)


def test_outcomes_show_the_same_interval_as_show_and_the_report(results) -> None:
    fig = results.plot_outcomes("social_welfare")
    ax = fig.axes[0]
    aggregated = results.aggregate()
    rows = aggregated[aggregated["name"] == "social_welfare"]
    (container,) = ax.containers
    xs = container.lines[0].get_xdata()
    assert np.allclose(xs, rows["mean"].to_numpy())
    segments = container.lines[2][0].get_segments()
    assert np.allclose([s[0][0] for s in segments], rows["ci_low"].to_numpy())
    assert np.allclose([s[1][0] for s in segments], rows["ci_high"].to_numpy())


def test_pareto_front_is_the_undominated_points(results) -> None:
    aggregated = results.aggregate()
    _fig, front = plots.pareto(aggregated, "incentive_spend", "social_welfare", ["mechanism"])
    spend = aggregated[aggregated["name"] == "incentive_spend"]["mean"].to_numpy()
    welfare = aggregated[aggregated["name"] == "social_welfare"]["mean"].to_numpy()
    for i in range(len(spend)):  # dominated iff another point is at least as good in both
        dominated = any(
            welfare[j] >= welfare[i]
            and spend[j] <= spend[i]
            and (welfare[j] > welfare[i] or spend[j] < spend[i])
            for j in range(len(spend))
        )
        assert front[i] == (not dominated)
    assert results.plot_pareto().axes[0].get_xlabel().startswith("incentive_spend")


def test_unknown_metric_is_a_config_error(results) -> None:
    with pytest.raises(ConfigError, match="did you mean 'cooperation_rate'"):
        results.plot_curves("cooperation_rat")


def test_no_sweep_is_one_series(tmp_path: Path) -> None:
    config = {**CONFIG, "name": "flat", "sweep": {}, "seeds": 2}
    results = incentive_lab.run(config, db=tmp_path / "flat.duckdb", workers=1, progress=False)
    assert [line.get_label() for line in results.plot_curves().axes[0].lines] == ["all runs"]
