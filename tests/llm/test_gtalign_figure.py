"""The user–assistant report figure: strategy shares per question type, from a real store."""

from __future__ import annotations

import numpy as np
import pytest

from incentive_lab.evaluation.figures import gtalign
from incentive_lab.evaluation.figures.games import game_figures
from incentive_lab.evaluation.report.analysis import prepare
from incentive_lab.experiments.execution.orchestrate import run_experiment
from incentive_lab.experiments.execution.reporting import tables_of

CONFIG = {
    "name": "gtalign-small",
    "game": {"id": "user_assistant", "params": {"n_copies": 8}},
    "learners": [
        {
            "id": "q_learning",
            "params": {"alpha": 0.3, "gamma": 0.0, "epsilon": 0.0, "initial_q": 1.0},
        }
    ],
    "steps": 200,
    "seeds": 2,
    "record_every": 20,
    "sweep": {"mechanism": [{"id": "none"}, {"id": "mutual_welfare"}]},
}


@pytest.fixture(scope="module")
def prep(tmp_path_factory):
    results = run_experiment(CONFIG, db=tmp_path_factory.mktemp("ua") / "s.duckdb", workers=1)
    return prepare(tables_of(results))


def test_the_figure_is_chosen_for_the_game_and_draws_both_question_types(prep):
    figures = game_figures(prep, np.random.default_rng(0))
    assert [f.kind for f in figures] == ["strategy-shares"]
    axes = figures[0].figure.axes
    assert [ax.get_title(loc="left").split(":")[0] for ax in axes] == [
        "clear questions",
        "ambiguous questions",
    ]


def test_shares_follow_the_rubric_argmax(prep):
    """Optimistic greedy Q-learners: under none every answer ends AQ (verbose)."""
    summary = prep.summary
    rows = summary[(summary["mechanism"] == "none") & (summary["name"] == "verbose_share")]
    assert np.allclose(rows["value"].to_numpy(float), 1.0)
    mutual = summary[
        (summary["mechanism"] == "mutual_welfare") & (summary["name"] == "share_AQ_clear")
    ]
    assert (mutual["value"].to_numpy(float) < 0.6).all()  # only novices (1/3 expected) keep AQ


def test_no_share_metrics_no_figure(prep):
    class Empty:
        metric_names: list[str] = []

    assert gtalign.strategy_shares(Empty(), np.random.default_rng(0)) is None  # type: ignore[arg-type]
