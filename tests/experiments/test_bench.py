"""MechBench scenarios: shipped, valid, versioned, each a mechanism comparison."""

from __future__ import annotations

import pytest

from incentive_lab.core.errors import ConfigError
from incentive_lab.experiments import plan_runs
from incentive_lab.experiments.bench.suite import (
    demo_configs,
    get_scenario,
    scenario_of,
    scenarios,
)


def test_scenarios_are_shipped_valid_and_versioned() -> None:
    found = {s.name: s for s in scenarios()}
    assert {"pd-q-v1", "pgg-faq-v1", "staghunt-pg-v1", "pigou-v1", "auction-v1"} <= set(found)
    for name, scenario in found.items():
        assert name.endswith(f"-v{scenario.version}")
        assert scenario.config["name"] == name
        tasks = plan_runs(scenario.experiment_config())
        labels = {task.point["mechanism"] for task in tasks}
        assert labels == set(scenario.mechanisms) and len(labels) >= 2
        assert scenario.objective == "social_welfare"


def test_pd_scenario_compares_the_promised_mechanisms() -> None:
    ids = [m.split("(")[0] for m in get_scenario("pd-q-v1").mechanisms]
    assert ids == [
        "none", "team_reward", "action_tax", "pigouvian_tax", "inequity_aversion",
        "adaptive_planner",
    ]  # fmt: skip
    assert "action_tax(taxes=[0.0,2.5])" in get_scenario("pd-q-v1").mechanisms


def test_demo_is_several_scenarios_of_at_least_five_mechanisms_and_five_seeds() -> None:
    configs = demo_configs()
    assert len(configs) >= 3
    for config in configs:
        assert len(config["sweep"]["mechanism"]) >= 5 and config["seeds"] == 5


def test_shrinking_renames_only_when_steps_change() -> None:
    scenario = get_scenario("pd-q-v1")
    assert scenario.experiment_config(seeds=2)["name"] == "pd-q-v1"
    small = scenario.experiment_config(seeds=1, steps=60)
    assert small["name"] == "pd-q-v1-steps60" and small["steps"] == 60
    assert 1 <= small["record_every"] <= 60
    assert scenario_of("pd-q-v1-steps60") is scenario and scenario_of("other") is None
    full = {t.run_id for t in plan_runs(scenario.experiment_config())}
    fewer = {t.run_id for t in plan_runs(scenario.experiment_config(seeds=2))}
    assert fewer < full  # the same runs, so a store resumes across seed counts


def test_unknown_scenario_and_bad_overrides_are_config_errors() -> None:
    with pytest.raises(ConfigError, match=r"scenario.*pd-q-v1"):
        get_scenario("pd-q")
    with pytest.raises(ConfigError, match="seeds"):
        get_scenario("pd-q-v1").experiment_config(seeds=0)
    with pytest.raises(ConfigError, match="steps"):
        get_scenario("pd-q-v1").experiment_config(steps=0)


def test_overrides_change_the_scenario_under_a_name_of_their_own() -> None:
    scenario = get_scenario("pd-q-v1")
    sets = ["steps=200", "learners.0.params.alpha=0.3"]
    changed = scenario.experiment_config(seeds=2, overrides=sets)
    assert changed["steps"] == 200 and changed["learners"][0]["params"]["alpha"] == 0.3
    assert changed["name"].startswith("pd-q-v1-set-") and len(changed["name"]) == 20
    assert scenario.config["steps"] != 200  # the shipped scenario is untouched
    again = scenario.experiment_config(seeds=2, overrides=sets)
    assert again["name"] == changed["name"]  # the same overrides find their runs again
    other = scenario.experiment_config(seeds=2, overrides=["steps=300"])
    assert other["name"] != changed["name"]
    assert scenario_of(changed["name"]) is scenario
    shrunk = scenario.experiment_config(steps=60, overrides=["seeds=1"])
    assert shrunk["name"].startswith("pd-q-v1-steps60-set-") and shrunk["seeds"] == 1
    named = scenario.experiment_config(overrides=["name=mine", "steps=80"])
    assert named["name"] == "mine"
    plan_runs(changed)  # still a valid experiment
    with pytest.raises(ConfigError, match=r"--set.*a path starting with"):
        scenario.experiment_config(overrides=["stepz=3"])
    with pytest.raises(ConfigError, match="steps"):
        plan_runs(scenario.experiment_config(overrides=["steps=-3"]))
