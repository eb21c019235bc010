"""Items 7, 8, 10, 12, 13: hostile values end in exit 2 with one line, or are shown safely."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from rel_helpers import assert_one_line_error, digest, invoke, tiny, write

from incentive_lab.core.errors import ConfigError, unknown_choice
from incentive_lab.experiments.config.plan import plan_runs


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("learners: [{id: q_learning, params: {initial_q: .nan}}]", "initial_q"),
        ("learners: [{id: q_learning, params: {tau: .inf}}]", "tau"),
        ("learners: [{id: q_learning, params: {alpha: -.inf}}]", "alpha"),
        ("summary_window: .nan", "summary_window"),
    ],
)
def test_nan_and_inf_in_parameters_exit_2_naming_the_field(db: Path, text: str, field: str) -> None:
    config = "name: nan\ngame: {id: prisoners_dilemma}\nsteps: 10\n" + text + "\n"
    if "learners" not in text:
        config += "learners: [{id: q_learning}]\n"
    before = digest(db)
    line = assert_one_line_error(invoke("run", write(db.parent / "nan.yaml", config), "--db", db))
    assert field in line
    assert digest(db) == before


def test_inf_in_a_game_parameter_is_refused() -> None:
    config = tiny(game={"id": "guess_average", "params": {"max_guess": float("inf")}})
    with pytest.raises(ConfigError, match=r"max_guess.*finite"):
        plan_runs(config)


def test_a_huge_population_exits_2_instead_of_a_memory_error(db: Path) -> None:
    config = tiny(name="huge", game={"id": "prisoners_dilemma", "params": {"n_copies": 10**12}})
    line = assert_one_line_error(invoke("run", write(db.parent / "h.yaml", config), "--db", db))
    assert "game.params" in line and "memory" in line


def test_a_huge_lattice_is_refused_before_its_topology_is_built(monkeypatch) -> None:
    """``side: 20000`` (the schema's maximum) is 4·10⁸ agents: refused from ``side²``.

    With 1 GiB available the estimate (64 B per agent, 23.8 GiB) cannot fit; building the
    lattice first would take minutes. The check reads the declared population only.
    """
    from incentive_lab.experiments.config import memory
    from incentive_lab.games import spatial_public_goods

    monkeypatch.setattr(memory, "available_memory", lambda: 2**30)
    monkeypatch.setattr(
        spatial_public_goods.Topology, "lattice", lambda *a: pytest.fail("lattice was built")
    )
    config = tiny(game={"id": "spatial_public_goods", "params": {"side": 20_000}})
    config["learners"] = [{"id": "fermi_imitation"}]
    with pytest.raises(ConfigError, match=r"400000000 agents.*23\.8 GiB"):
        plan_runs(config)


def test_a_markup_name_is_stored_and_shown_literally(db: Path) -> None:
    config = write(db.parent / "markup.yaml", tiny(name="[/bold]"))
    result = invoke("run", config, "--db", db, "--workers", "1")
    assert result.exit_code == 0, result.output
    shown = invoke("show", "--db", db)
    assert shown.exit_code == 0, shown.output
    assert "[/bold]" in shown.stdout


def test_config_error_survives_pickling_across_processes() -> None:
    error = ConfigError("learners.0.params.role_model", "neighbour", "a game with a topology")
    copy = pickle.loads(pickle.dumps(error))
    assert str(copy) == str(error)
    assert (copy.field, copy.value, copy.allowed) == (error.field, error.value, error.allowed)


def test_unknown_experiment_lists_a_bounded_number_of_names() -> None:
    names = [f"experiment-{i:04d}" for i in range(2000)]
    message = str(unknown_choice("experiment", "nope", names))
    assert len(message) < 600 and "1980 more" in message


def test_memory_db_is_refused_before_computing(tmp_path: Path) -> None:
    config = write(tmp_path / "tiny.yaml", tiny())
    assert_one_line_error(invoke("run", config, "--db", ":memory:"), "in-memory")
