"""Game-specific report figures: small real experiments of each game, one report.

Every experiment runs through ``run_experiment`` into one temporary store; the report of
the whole store must hold each game's figures as non-empty inline SVG with their titles,
and no game-specific figure where it does not belong.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from incentive_lab.evaluation.snapshots import decode_snapshot
from incentive_lab.experiments.execution.orchestrate import run_experiment
from incentive_lab.experiments.execution.results import report_store
from incentive_lab.experiments.execution.store import RunStore

EXPERIMENTS: dict[str, dict[str, Any]] = {
    "auction": {
        "game": {"id": "auction", "params": {"n_bidders": 2, "n_copies": 40, "n_value_buckets": 5}},
        "learners": [{"id": "q_learning", "params": {"alpha": 0.1, "epsilon": 0.2}}],
        "steps": 150,
        "sweep": {"mechanism": [{"id": "first_price"}, {"id": "second_price"}]},
    },
    "congestion": {
        "game": {"id": "congestion", "params": {"preset": "pigou", "n_agents": 60}},
        "learners": [{"id": "boltzmann_q", "params": {"alpha": 0.1, "tau": 0.05}}],
        "steps": 100,
        "sweep": {"mechanism": [{"id": "none"}, {"id": "marginal_cost_toll"}]},
    },
    "spatial": {
        "game": {"id": "spatial_public_goods", "params": {"side": 10}},
        "learners": [{"id": "fermi_imitation", "params": {"K": 0.5}}],
        "steps": 20,
        "sweep": {"game.params.r": [3.0, 5.0]},
    },
    "subsample": {
        "game": {"id": "global_local", "params": {"instance": "median", "n_agents": 4}},
        "learners": [{"id": "subsample_q", "params": {"k": 1, "m": 5, "sweeps": 10}}],
        "steps": 100,
        "sweep": {"learners.0.params.k": [1, 2, 4]},
    },
    "recommender": {
        "game": {"id": "recommender", "params": {"n_users": 200, "n_items": 100, "n_agents": 2}},
        "learners": [{"id": "bandit", "params": {"algorithm": "ucb", "c": 0.05}}],
        "steps": 30,
        "sweep": {"mechanism": [{"id": "none"}, {"id": "exposure_fairness"}]},
    },
    "pgg": {
        "game": {"id": "differentiable_pgg", "params": {"n_players": 2, "p": 1.5, "n_copies": 4}},
        "learners": [{"id": "simul_ind", "params": {"lr": 1.0}}],
        "steps": 30,
        "sweep": {
            "learners": [
                [{"id": "simul_ind", "params": {"lr": 1.0}}],
                [{"id": "simul_co", "params": {"lr": 1.0}}],
            ]
        },
    },
}
EXPECTED = {
    "auction": {"bid-curves": "Bid vs value", "auction-outcomes": "Revenue (mean, 95% CI)"},
    "congestion": {"congestion-flows": "Price of anarchy (mean, 95% CI)"},
    "spatial": {"cooperation-vs-r": "Cooperation vs r", "lattice-snapshots": "cooperator"},
    "subsample": {"gap-vs-k": "SUB-SAMPLE-Q gap vs k"},
    "recommender": {"platform-outcomes": "Provider exposure Gini (lower is better)"},
    "pgg": {"phase-portrait": "Phase portrait: differentiable_pgg"},
}
GAME_KINDS = {kind for kinds in EXPECTED.values() for kind in kinds}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    pytest.importorskip("torch")
    directory = tmp_path_factory.mktemp("game-figures")
    db = directory / "store.duckdb"
    for name, body in EXPERIMENTS.items():
        config = {"name": name, "mechanism": {"id": "none"}, "seeds": 2, "record_every": 10}
        run_experiment({**config, **body}, db=db, workers=1)
    html = report_store(db, directory / "report.html").read_text(encoding="utf-8")
    return db, html


def _figures(html: str, experiment: str) -> dict[str, str]:
    pattern = rf'<figure id="fig-{experiment}-([a-z-]+)" data-kind="[a-z-]+">(.*?)</figure>'
    return dict(re.findall(pattern, html, re.S))


@pytest.mark.parametrize("experiment", list(EXPECTED))
def test_each_game_gets_its_figures(store: tuple[Path, str], experiment: str) -> None:
    _, html = store
    found = _figures(html, experiment)
    for kind, title in EXPECTED[experiment].items():
        body = found[kind]
        assert body.lstrip().startswith("<svg"), kind
        assert body.count("<path") > 5, kind
        assert title in body, (kind, title)
    # no other game's figure
    assert not (set(found) & GAME_KINDS) - set(EXPECTED[experiment])


def test_figure_ids_stay_unique(store: tuple[Path, str]) -> None:
    _, html = store
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids))


def test_lattice_runs_store_their_final_field(store: tuple[Path, str]) -> None:
    db, _ = store
    with RunStore(db, read_only=True) as runs_store:
        runs = runs_store.runs("spatial")
        other = runs_store.runs("congestion")
    for raw in runs["extra"]:
        field = decode_snapshot(json.loads(raw)["snapshot"])
        assert field.shape == (10, 10)
        assert set(field.ravel()) <= {0, 1}
    assert all("snapshot" not in json.loads(raw) for raw in other["extra"])


def test_the_auction_records_bids_per_value_bucket(store: tuple[Path, str]) -> None:
    db, _ = store
    with RunStore(db, read_only=True) as runs_store:
        summary = runs_store.summary("auction")
    names = set(summary["name"])
    assert {f"bid_fraction_bucket_{k}" for k in range(5)} <= names
    bids = summary[summary["name"].str.startswith("bid_fraction_bucket_")]["value"]
    assert bids.between(0.0, 1.0).all()
