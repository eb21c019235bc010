"""Report figures of recommenders competing for users (``evaluation.figures.recommender``)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from incentive_lab.evaluation.figures.recommender import _band
from incentive_lab.experiments.execution.orchestrate import run_experiment
from incentive_lab.experiments.execution.results import report_store

CONFIG = {
    "name": "competition",
    "game": {
        "id": "recommender",
        "params": {
            "n_users": 60, "n_items": 30, "n_topics": 4, "n_agents": 3, "drift": 0.0,
            "agents_choose": "items", "competition": "logit_switching", "switching_cost": 0.1,
        },
    },
    "mechanism": {"id": "none"},
    "learners": [
        {"id": "recsys_bpr", "agents": "0:1"},
        {"id": "recsys_linucb", "agents": "1:2"},
        {"id": "recsys_slateq", "agents": "2:3"},
    ],
    "steps": 20,
    "seeds": 2,
    "record_every": 5,
    "sweep": {"mechanism": [{"id": "none"}, {"id": "exposure_fairness"}]},
}  # fmt: skip


@pytest.fixture(scope="module")
def html(tmp_path_factory: pytest.TempPathFactory) -> str:
    directory = tmp_path_factory.mktemp("recommender-figures")
    db = directory / "store.duckdb"
    run_experiment(CONFIG, db=db, workers=1)
    return Path(report_store(db, directory / "report.html")).read_text(encoding="utf-8")


def figures(html: str) -> dict[str, str]:
    pattern = r'<figure id="fig-competition-([a-z-]+)" data-kind="[a-z-]+">(.*?)</figure>'
    return dict(re.findall(pattern, html, re.S))


def test_the_report_draws_share_return_and_fairness(html: str) -> None:
    found = figures(html)
    for kind, title in {
        "market-share": "Market share over time",
        "ctr-return-fairness": "CTR vs long-term return",
        "platform-outcomes": "Novelty",
    }.items():
        body = found[kind]
        assert body.lstrip().startswith("<svg") and body.count("<path") > 5, kind
        assert title in body, (kind, title)
    assert "recsys_slateq" in found["market-share"]  # agents named by their learner
    assert "Provider exposure Gini vs CTR" in found["ctr-return-fairness"]


def test_band_is_the_t_interval_over_seeds() -> None:
    rows = pd.DataFrame(
        {"step": [5, 5, 5, 10, 10, 10], "seed_index": [0, 1, 2] * 2,
         "value": [0.2, 0.4, 0.6, 0.5, 0.5, 0.5]}
    )  # fmt: skip
    steps, mean, low, high = _band(rows)
    np.testing.assert_array_equal(steps, [5, 10])
    np.testing.assert_allclose(mean, [0.4, 0.5])
    half = 4.303 * 0.2 / np.sqrt(3)  # t(2) 97.5 %, sd 0.2
    np.testing.assert_allclose(low, [0.4 - half, 0.5])
    np.testing.assert_allclose(high, [0.4 + half, 0.5])
