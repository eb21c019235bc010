"""Sweep expansion: counts, resolved values, whole-spec values, run ids."""

from __future__ import annotations

import pytest
from toy_units import toy_config

from incentive_lab.core.errors import ConfigError
from incentive_lab.experiments import load_config, make_run_id, plan_runs
from incentive_lab.experiments.config.sweep import label, sweep_points


def test_product_over_keys_first_key_slowest() -> None:
    points = sweep_points({"a": [1, 2], "b": ["x", "y", "z"]})
    assert len(points) == 6
    assert points[:3] == [{"a": 1, "b": "x"}, {"a": 1, "b": "y"}, {"a": 1, "b": "z"}]
    assert sweep_points({}) == [{}]


def test_runs_are_points_times_seeds_with_resolved_values() -> None:
    tasks = plan_runs(
        toy_config(
            seeds=3,
            sweep={"game.params.reward": [3.0, 4.0], "learners.0.params.alpha": [0.1, 0.2, 0.5]},
        )
    )
    assert len(tasks) == 2 * 3 * 3
    assert [t.seed_index for t in tasks[:4]] == [0, 1, 2, 0]
    for task in tasks:
        assert task.config["game"]["params"]["reward"] == task.point["game.params.reward"]
        alpha = task.config["learners"][0]["params"]["alpha"]
        assert alpha == task.point["learners.0.params.alpha"]
        assert task.config["game"]["params"]["temptation"] == 5.0  # untouched default
        assert "sweep" not in task.config and "seeds" not in task.config
    assert tasks[-1].point == {"game.params.reward": 4.0, "learners.0.params.alpha": 0.5}


def test_whole_mechanism_specs_and_deeper_paths() -> None:
    tasks = plan_runs(
        toy_config(
            seeds=1,
            sweep={
                "mechanism": [{"id": "none"}, {"id": "test_tax", "params": {"tax": 0.5}}],
                "steps": [100, 200],
            },
        )
    )
    assert [t.point for t in tasks] == [
        {"mechanism": "none", "steps": 100},
        {"mechanism": "none", "steps": 200},
        {"mechanism": "test_tax(tax=0.5)", "steps": 100},
        {"mechanism": "test_tax(tax=0.5)", "steps": 200},
    ]
    assert tasks[0].config["mechanism"] == {"id": "none", "params": {}}
    assert tasks[2].config["mechanism"] == {"id": "test_tax", "params": {"tax": 0.5}}
    # a whole spec and a parameter of the new unit at the same time
    tasks = plan_runs(
        toy_config(
            seeds=1,
            mechanism={"id": "none"},
            sweep={"mechanism": [{"id": "test_tax"}], "mechanism.params.tax": [2.0, 4.0]},
        )
    )
    assert [t.config["mechanism"]["params"]["tax"] for t in tasks] == [2.0, 4.0]


def test_whole_learner_lists_and_missing_base() -> None:
    raw = toy_config(
        seeds=1,
        sweep={
            "learners": [
                [{"id": "test_q"}],
                [{"id": "test_q", "agents": "0:2"}, {"id": "test_q", "agents": "2:6"}],
            ]
        },
    )
    del raw["learners"]  # the first sweep value stands in for the base
    tasks = plan_runs(raw)
    assert [len(t.config["learners"]) for t in tasks] == [1, 2]
    assert tasks[0].point == {"learners": "test_q"}
    assert tasks[1].point == {"learners": "test_q+test_q"}
    assert tasks[1].config["learners"][1]["agents"] == "2:6"


@pytest.mark.parametrize(
    ("sweep", "field", "fragment"),
    [
        ({"gmae.params.reward": [1.0]}, "sweep.gmae.params.reward", "did you mean 'game'"),
        ({"game.params.rewrd": [1.0]}, "game.params.rewrd", "did you mean 'reward'"),
        ({"learners.3.params.alpha": [0.1]}, "sweep.learners.3.params.alpha", "list index"),
        ({"game.params.reward": [3.0, 999.0]}, "game.params.reward", "sweep point"),
        ({"learners.0.params.alpha": [0.0]}, "learners.0.params.alpha", "greater than 0"),
        ({"game.params.reward": []}, "sweep.game.params.reward", "non-empty"),
        ({"game.params.reward": [1.0, 1.0]}, "sweep.game.params.reward", "distinct"),
        ({"game.params.reward": 3.0}, "sweep.game.params.reward", "list"),
        ({"seeds": [1, 2]}, "sweep.seeds", "starting with one of"),
        ({"mechanism": [{"id": "none"}, {"id": "nope"}]}, "mechanism.id", "sweep point"),
    ],
)
def test_bad_sweeps_are_errors_before_anything_runs(sweep: dict, field: str, fragment: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(toy_config(sweep=sweep))
    assert info.value.field == field
    assert fragment in str(info.value)


def test_run_ids_are_stable_and_distinct() -> None:
    raw = toy_config(seeds=2, sweep={"mechanism.params.tax": [0.0, 1.0]})
    first, second = plan_runs(raw), plan_runs(raw)
    assert [t.run_id for t in first] == [t.run_id for t in second]
    assert len({t.run_id for t in first}) == 4
    assert first[0].run_id == make_run_id(first[0].config, 0, 0)
    # adding seeds or sweep values keeps the ids of existing runs
    more = plan_runs(toy_config(seeds=3, sweep={"mechanism.params.tax": [0.0, 1.0, 2.0]}))
    assert {t.run_id for t in first} < {t.run_id for t in more}
    # another experiment seed gives other ids
    other = plan_runs({**raw, "seed": 1})
    assert not {t.run_id for t in first} & {t.run_id for t in other}


def test_identical_points_are_planned_once() -> None:
    tasks = plan_runs(
        toy_config(
            seeds=1,
            sweep={"mechanism": [{"id": "test_tax"}, {"id": "test_tax", "params": {"tax": 1.0}}]},
        )
    )
    assert len(tasks) == 1


def test_labels() -> None:
    assert label(3.0) == 3.0
    assert label({"id": "none"}) == "none"
    assert label({"id": "x", "params": {"b": 1, "a": [0, 1]}}) == "x(a=[0,1],b=1)"
    assert label([0.5, 0]) == "[0.5,0]"
