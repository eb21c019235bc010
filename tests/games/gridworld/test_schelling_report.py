"""Stored Schelling analyses: runs in the store, the same diagram, a report section.

``experiments.execution.schelling`` stores every profile × seed as a run; the diagram read
back from the store is ``evaluation.schelling.schelling``'s bit for bit; a second call runs
nothing; the report gives the analysis its own section (figure, table, verdicts) and a
``schelling`` record in ``report.json``, with the same bytes for the same store, and leaves
the other experiments' numbers alone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import incentive_lab
from incentive_lab.core import ConfigError
from incentive_lab.evaluation.report.analysis import ExperimentTables
from incentive_lab.evaluation.report.page import build
from incentive_lab.evaluation.report.schelling import diagrams
from incentive_lab.evaluation.schelling import dilemma_conditions, schelling
from incentive_lab.experiments.execution.reporting import tables_of
from incentive_lab.experiments.execution.results import Results
from incentive_lab.experiments.execution.schelling import POINT, run_schelling, schelling_plan
from incentive_lab.experiments.execution.store import RunStore

GAME = {"id": "coins", "params": {"n_copies": 3, "episode_length": 20}}
TEAM = {"id": "team_reward", "params": {}}
OTHER = {
    "name": "coins-learn",
    "game": GAME,
    "learners": [{"id": "fixed", "params": {"probs": [0.2, 0.2, 0.2, 0.2, 0.2]}}],
    "steps": 20,
    "seeds": 2,
    "record_every": 10,
}


def _plan(name="coins-team", steps=20, seeds=(0, 1, 2)):
    return schelling_plan(name, GAME, TEAM, seeds=list(seeds), seed=7, steps=steps)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    db = tmp_path_factory.mktemp("schelling") / "s.duckdb"
    run_schelling(_plan(), db)
    incentive_lab.run(dict(OTHER), db=db, workers=1, progress=False)
    return db


def _tables(db, name):
    with RunStore(db, read_only=True) as store:
        runs, summary = store.runs(name), store.summary(name)
    return ExperimentTables(name=name, summary=summary, metrics=pd.DataFrame(), runs=runs)


def test_every_profile_and_seed_is_a_stored_run(store):
    plan = _plan()
    assert len(plan.tasks) == 3 * 3  # k = 0, 1, 2 cooperators x 3 seeds
    with RunStore(store, read_only=True) as db:
        runs = db.runs("coins-team")
    assert sorted(runs["run_id"]) == sorted(t.run_id for t in plan.tasks)
    configs = [t.config for t in plan.tasks if t.point[POINT] == 1]
    # one cooperator per copy: rows 0..2 (player 0 of each copy), the rest defect
    assert configs[0]["learners"] == [
        {"id": "scripted", "params": {"policy": "cooperator"}, "agents": "0:3"},
        {"id": "scripted", "params": {"policy": "defector"}, "agents": "3:6"},
    ]
    seen = []
    again = run_schelling(plan, store, progress=lambda done, total: seen.append((done, total)))
    assert again == [t.run_id for t in plan.tasks] and seen == [(9, 9)]  # nothing recomputed


def test_the_stored_diagram_is_the_functions_bit_for_bit(store):
    found = {d.rewards: d for d, _ in diagrams(_tables(store, "coins-team"))}
    assert sorted(found) == ["base", "shaped"]
    for rewards, stored in found.items():
        direct = schelling(
            "coins", GAME["params"], seeds=3, steps=20, mechanism=TEAM, rewards=rewards, seed=7
        )
        assert stored.names == direct.names == ("own_colour", "any_colour")
        assert stored.steps == direct.steps == 20 and stored.n_players == 2
        for part in ("cooperator", "defector", "collective"):
            np.testing.assert_array_equal(getattr(stored, part), getattr(direct, part))
    # base: the coin game's dilemma; shaped: team reward pays each the copy's total
    np.testing.assert_allclose(found["shaped"].collective, 2 * found["base"].collective, 1e-12)


def test_a_name_bound_to_another_analysis_is_refused(store):
    with pytest.raises(ConfigError, match=r"^name: got 'coins-team'; a name not yet used"):
        run_schelling(_plan(steps=21), store)
    with pytest.raises(ConfigError, match=r"^seeds:"):
        _plan(seeds=())


def test_a_second_driver_waits_for_the_store_lock_as_run_does(store):
    # another driver (run or schelling) holds the store: this one waits, then gives up
    import fcntl
    import os

    fd = os.open(store, os.O_RDONLY)
    told: list[str] = []
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        with pytest.raises(ConfigError, match=r"^db: .*still busy after 0.3 s"):
            run_schelling(_plan(name="coins-waits"), store, wait=0.3, on_wait=told.append)
    finally:
        os.close(fd)
    assert told and "waiting" in told[0]
    with RunStore(store, read_only=True) as db:
        assert db.runs("coins-waits").empty  # nothing was bound or written


def test_the_report_has_a_schelling_section_and_record(store, tmp_path):
    html, record = build([tables_of(Results(store, n)) for n in ("coins-learn", "coins-team")])
    again, _ = build([tables_of(Results(store, n)) for n in ("coins-learn", "coins-team")])
    assert html == again  # same store, same bytes
    assert "coins-team: Schelling diagram" in html
    for rewards in ("base", "shaped"):
        assert f'id="fig-coins-team-schelling-{rewards}" data-kind="schelling"' in html
    assert "R_d − R_c [95% CI]" in html and "Verdict: " in html
    [entry] = record["schelling"]
    assert (entry["name"], entry["game"], entry["mechanism"]) == (
        "coins-team",
        "coins",
        "team_reward",
    )
    by_kind = {d["rewards"]: d for d in entry["diagrams"]}
    for rewards, diagram in ((d.rewards, d) for d, _ in diagrams(_tables(store, "coins-team"))):
        check = dilemma_conditions(diagram)
        mine = by_kind[rewards]
        assert mine["is_dilemma"] == check.is_dilemma
        assert mine["defection_pays_at"] == check.defection_pays_at
        assert mine["seeds"] == 3 and mine["players"] == 2
        assert [c["others"] for c in mine["curves"]] == [0, 1]
        assert mine["curves"][1]["cooperator"]["value"] == pytest.approx(
            diagram.cooperator[1].mean(), rel=1e-12
        )
    # the learning experiment is analysed as before: the analysis changes none of its numbers
    alone, alone_record = build([tables_of(Results(store, "coins-learn"))])
    assert alone_record["experiments"] == record["experiments"]
    assert [e["name"] for e in record["experiments"]] == ["coins-learn"]
    assert "schelling" not in alone_record and "Schelling diagram" not in alone


def test_one_seed_gives_a_section_and_strict_json(store):
    import json

    run_schelling(_plan(name="coins-one", seeds=(0,)), store)
    html, record = build([tables_of(Results(store, "coins-one"))])
    assert "coins-one: Schelling diagram" in html and "Overview" not in html
    json.dumps(record, allow_nan=False)  # non-finite intervals are written as null
    assert record["experiments"] == [] and record["schelling"][0]["diagrams"][0]["seeds"] == 1
