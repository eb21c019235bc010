"""Inputs that used to slip through: duplicate keys, huge seeds, NaN, loosely typed params."""

from pathlib import Path

import pytest

from incentive_lab.core import ConfigError, make_game
from incentive_lab.experiments import load_config

BASE = "name: x\nlearners: [{id: q_learning}]\nsteps: 10\n"


def error_of(text: str, tmp_path: Path) -> ConfigError:
    path = tmp_path / "c.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    return info.value


def test_duplicate_yaml_keys_are_an_error(tmp_path):
    error = error_of(BASE + "game: {id: prisoners_dilemma}\ngame: {id: stag_hunt}\n", tmp_path)
    assert "duplicate key 'game'" in str(error) and error.field.endswith(":5")


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ("seeds: [3000000000]\n", "seeds"),
        ("seeds: 3000000000\n", "seeds"),
        ("seed: 100000000000000000000000\n", "seed"),
        ("steps: 100000000000000000000\n", "steps"),
    ],
)
def test_seeds_and_steps_beyond_what_the_store_keeps_are_refused(tmp_path, line, field):
    text = BASE.replace("steps: 10\n", "") + "game: {id: prisoners_dilemma}\n" + line
    if field != "steps":
        text += "steps: 10\n"
    assert error_of(text, tmp_path).field == field


def test_nan_in_yaml_is_named_as_nan(tmp_path):
    error = error_of(BASE + "game: {id: public_goods, params: {r_c: .nan}}\n", tmp_path)
    assert str(error).startswith("game.params.r_c: got nan;")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"n_agents": "10"}, "game.params.n_agents: got '10'; a number, not a string"),
        ({"regroup": "yes"}, "game.params.regroup: got 'yes'; true or false, not a string"),
        ({"r_c": True}, "game.params.r_c: got True; a number, not true/false"),
        ({"regroup": 1}, "game.params.regroup: got 1; true or false"),
    ],
)
def test_unit_params_are_not_coerced_from_the_wrong_scalar_type(params, message):
    with pytest.raises(ConfigError) as info:
        make_game("public_goods", params)
    assert str(info.value) == message


def test_ints_are_still_fine_for_float_params():
    assert make_game("public_goods", {"r_c": 4}).params.r_c == 4.0


def test_lio_torch_has_no_exact_gradient_option():
    from incentive_lab.core import get

    entry = get("learner", "lio_torch")
    with pytest.raises(ConfigError) as info:
        entry.validate({"gradient": "exact"}, "learners.0.params")
    assert info.value.field == "learners.0.params.gradient"
    assert entry.validate({}, "learners.0.params").gradient == "sampled"
