"""Config validation: every error names the field, the bad value and what is allowed."""

from __future__ import annotations

from pathlib import Path

import pytest
from toy_units import toy_config

from incentive_lab.core.errors import ConfigError
from incentive_lab.experiments import ExperimentConfig, load_config, plan_runs


def error_of(config: object) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load_config(config)  # type: ignore[arg-type]
    return info.value


def test_defaults_are_filled_in_and_loading_is_idempotent() -> None:
    config = load_config(toy_config(mechanism={"id": "test_tax"}, record_every=None))
    assert config.game.params == {
        "n_agents": 6,
        "reward": 3.0,
        "sucker": 0.0,
        "temptation": 5.0,
        "punishment": 1.0,
    }
    assert config.mechanism.params == {"tax": 1.0}
    assert config.learners[0].agents is None  # "all agents", resolved per run
    assert config.record_every == 2  # steps // 100
    assert config.summary_window == 0.1
    assert config.seed_indices == (0, 1)
    assert load_config(config) == config
    assert isinstance(config, ExperimentConfig)


def test_mechanism_defaults_to_none() -> None:
    raw = toy_config()
    del raw["mechanism"]
    assert load_config(raw).mechanism.id == "none"


def test_seed_list_gives_seed_indices() -> None:
    assert load_config(toy_config(seeds=[3, 7])).seed_indices == (3, 7)


@pytest.mark.parametrize(
    ("changes", "field", "fragment"),
    [
        ({"stpes": 10}, "stpes", "did you mean 'steps'"),
        ({"game": {"id": "test_pairs", "parms": {}}}, "game.parms", "did you mean 'params'"),
        ({"learners": [{"id": "test_q", "agnets": "0:6"}]}, "learners.0.agnets", "'agents'"),
        ({"game": {"id": "test_pair"}}, "game.id", "did you mean 'test_pairs'"),
        ({"mechanism": {"id": "test_taxx"}}, "mechanism.id", "did you mean 'test_tax'"),
        ({"learners": [{"id": "test_qq"}]}, "learners.0.id", "did you mean 'test_q'"),
        ({"steps": "many"}, "steps", "integer"),
        ({"steps": 0}, "steps", "greater than 0"),
        ({"steps": 2.5}, "steps", "integer"),
        ({"record_every": 500}, "record_every", "at most steps (200)"),
        ({"seeds": 0}, "seeds", "count >= 1"),
        ({"seeds": [1, 1]}, "seeds", "distinct"),
        ({"seed": -1}, "seed", "greater than or equal to 0"),
        ({"summary_window": 0.0}, "summary_window", "greater than 0"),
        ({"name": ""}, "name", "at least 1 character"),
        ({"learners": []}, "learners", "at least 1"),
    ],
)
def test_structural_errors_name_field_and_allowed(changes: dict, field: str, fragment: str) -> None:
    error = error_of(toy_config(**changes))
    assert error.field == field
    assert fragment in str(error)


def test_missing_required_field() -> None:
    raw = toy_config()
    del raw["steps"]
    error = error_of(raw)
    assert error.field == "steps" and "required" in str(error)


def test_unit_params_are_validated_against_the_registry() -> None:
    error = error_of(toy_config(game={"id": "test_pairs", "params": {"n_agents": 99_999}}))
    assert error.field == "game.params.n_agents"
    assert str(error).startswith("game.params.n_agents: got 99999; ")
    error = error_of(toy_config(learners=[{"id": "test_q", "params": {"alpah": 0.1}}]))
    assert error.field == "learners.0.params.alpah"
    assert "did you mean 'alpha'" in str(error)
    error = error_of(toy_config(mechanism={"id": "test_tax", "params": {"tax": "high"}}))
    assert error.field == "mechanism.params.tax"


def test_learner_groups_must_tile_the_population() -> None:
    group = {"id": "test_q"}
    ok = load_config(toy_config(learners=[{**group, "agents": "0:2"}, {**group, "agents": "2:"}]))
    assert [g.agents for g in ok.learners] == ["0:2", "2:"]
    assert [g["agents"] for g in plan_runs(ok)[0].config["learners"]] == ["0:2", "2:6"]
    cases = [
        ([{**group, "agents": "0:2"}, {**group, "agents": "3:6"}], "learners.1.agents"),
        ([{**group, "agents": "0:2"}, {**group, "agents": "2:4"}], "learners.1.agents"),
        ([{**group, "agents": "0:7"}], "learners.0.agents"),
        ([{**group, "agents": "0:2"}, group], "learners.1.agents"),
        ([{**group, "agents": "zero:2"}, group], "learners.0.agents"),
        ([{**group, "agents": 50}], "learners.0.agents"),
    ]
    for learners, field in cases:
        assert error_of(toy_config(learners=learners)).field == field


def test_unquoted_yaml_range_is_a_range(tmp_path: Path) -> None:
    path = tmp_path / "ranges.yaml"
    path.write_text(
        "name: x\ngame: {id: test_pairs}\nsteps: 10\n"
        "learners: [{id: test_q, agents: '0:2'}, {id: test_q, agents: 2:4}]\n"
    )
    config = load_config(path)
    assert [group.agents for group in config.learners] == ["0:2", "2:4"]


def test_malformed_yaml_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("name: x\nsteps: 10\ngame: {id: test_pairs\nlearners: []\n")
    error = error_of(path)
    assert error.field.startswith(f"{path}:")
    assert int(error.field.rsplit(":", 1)[1]) >= 3


def test_unreadable_and_non_mapping_files(tmp_path: Path) -> None:
    assert error_of(tmp_path / "missing.yaml").field == str(tmp_path / "missing.yaml")
    path = tmp_path / "list.yaml"
    path.write_text("- 1\n- 2\n")
    assert error_of(path).field == "config"


def test_yaml_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text(
        "name: ok\ngame: {id: test_pairs, params: {n_agents: 4}}\n"
        "learners: [{id: test_q}]\nsteps: 50\nrecord_every: 10\n"
    )
    config = load_config(path)
    assert config.name == "ok" and config.learners[0].agents is None
    assert plan_runs(config)[0].config["learners"][0]["agents"] == "0:4"


@pytest.mark.parametrize(
    ("phases", "field"),
    [
        ([{"at_step": 0, "overrides": {"mechanism": {"id": "none"}}}], "phases.0.at_step"),
        ([{"at_step": 200, "overrides": {"mechanism": {"id": "none"}}}], "phases.0.at_step"),
        (
            [
                {"at_step": 100, "overrides": {"mechanism.params.tax": 1.0}},
                {"at_step": 50, "overrides": {"mechanism.params.tax": 2.0}},
            ],
            "phases.1.at_step",
        ),
        ([{"at_step": 50, "overrides": {"steps": 10}}], "phases.0.overrides.steps"),
        (
            [{"at_step": 50, "overrides": {"game.params.n_agents": 8}}],
            "phases.0.overrides.game.params.n_agents",
        ),
        (
            [{"at_step": 50, "overrides": {"game.params.reward": 1000}}],
            "phases.0.game.params.reward",
        ),
        ([{"at_step": 50, "overrides": {"game.params.rewrd": 1}}], "phases.0.game.params.rewrd"),
        (
            [{"at_step": 50, "overrides": {"mechanism": {"id": "nope"}}}],
            "phases.0.overrides.mechanism.id",
        ),
        ([{"at_step": 50, "overrides": {}}], "phases.0.overrides"),
        ([{"at_step": 50, "overrides": {"mechanism": {"id": "none"}}, "when": 1}], "phases.0.when"),
    ],
)
def test_bad_phases(phases: list, field: str) -> None:
    assert error_of(toy_config(phases=phases)).field == field


def test_phase_with_a_whole_mechanism_is_stored_resolved() -> None:
    config = load_config(
        toy_config(phases=[{"at_step": 100, "overrides": {"mechanism": {"id": "test_tax"}}}])
    )
    assert config.phases[0].overrides == {"mechanism": {"id": "test_tax", "params": {"tax": 1.0}}}


def test_misspelt_required_key_is_reported_as_unknown_with_suggestion() -> None:
    raw = toy_config()
    raw["stepz"] = raw.pop("steps")
    error = error_of(raw)
    assert error.field == "stepz" and "did you mean 'steps'" in str(error)


def test_default_agent_range_follows_a_swept_population_size() -> None:
    raw = toy_config(sweep={"game.params.n_agents": [4, 8]})
    ranges = [task.config["learners"][0]["agents"] for task in plan_runs(raw)]
    assert sorted(set(ranges)) == ["0:4", "0:8"]
