"""Declared capabilities: mismatched units are refused when the config is resolved.

Each unit's needs are declared (``requires=`` in its registration, ``capabilities`` on game
and mechanism classes); ``experiments.config.resolve.check_fit`` compares them with what the game
offers before any run starts, and the CLI exits 2 with one line naming the unit, the
capability and the games that offer it, without creating a database.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from incentive_lab.core import registry
from incentive_lab.core.capabilities import Capability
from incentive_lab.core.errors import ConfigError
from incentive_lab.experiments.config.loading import load_config

MISMATCHES = [
    (
        {"game": {"id": "prisoners_dilemma"}, "mechanism": {"id": "vcg"}, "learner": "q_learning"},
        "mechanism.id",
        "auction_outcome",
        "auction",
    ),
    (
        {"game": {"id": "public_goods"}, "learner": "subsample_q"},
        "learners.0.id",
        "generative_model",
        "global_local",
    ),
    (
        {"game": {"id": "matrix", "params": {"preset": "prisoners_dilemma"}}, "learner": "aga"},
        "learners.0.id",
        "differentiable",
        "differentiable_pgg",
    ),
    (
        {"game": {"id": "public_goods"}, "mechanism": {"id": "marginal_cost_toll"}},
        "mechanism.id",
        "routing_outcome",
        "congestion",
    ),
    (
        {"game": {"id": "stag_hunt"}, "mechanism": {"id": "exposure_fairness"}},
        "mechanism.id",
        "recommender_outcome",
        "recommender",
    ),
    (
        {"game": {"id": "public_goods"}, "mechanism": {"id": "adaptive_planner"}},
        "mechanism.id",
        "payoff_tensor",
        "prisoners_dilemma",
    ),
    (
        {"game": {"id": "prisoners_dilemma"}, "learner": "lio"},
        "learners.0.id",
        "tabular_model",
        "escape_room",
    ),
]


def config(spec: dict) -> dict:
    return {
        "name": "mismatch",
        "game": spec["game"],
        "mechanism": spec.get("mechanism", {"id": "none"}),
        "learners": [{"id": spec.get("learner", "q_learning")}],
        "steps": 10,
    }


@pytest.mark.parametrize(("spec", "field", "capability", "offerer"), MISMATCHES)
def test_a_missing_capability_is_a_config_error(spec, field, capability, offerer):
    with pytest.raises(ConfigError) as info:
        load_config(config(spec))
    error = info.value
    assert error.field == field
    assert capability in error.allowed and offerer in error.allowed


def test_a_capability_the_game_offers_under_other_params_names_the_setting():
    raw = config({"game": {"id": "recommender"}, "learner": "recsys_linucb"})
    with pytest.raises(ConfigError) as info:
        load_config(raw)
    assert info.value.field == "learners.0.id"
    assert "'recommender' offers only with game.params.agents_choose: items" in info.value.allowed
    raw["game"]["params"] = {"agents_choose": "items"}
    load_config(raw)
    raw["learners"] = [{"id": "recsys_bpr", "params": {"warm_start": "logged"}}]
    load_config(raw)  # the warm start's need is checked when the learner is built
    raw = config({"game": {"id": "escape_room", "params": {"n_agents": 5}}, "learner": "lio"})
    with pytest.raises(ConfigError, match=r"'escape_room' offers only with game.params.n_agents"):
        load_config(raw)
    raw["game"]["params"]["n_agents"] = 4
    load_config(raw)


def test_every_declared_condition_withholds_its_capability_at_the_defaults():
    # a condition names a setting that offers a declared capability the defaults withhold
    for entry in registry.entries("game"):
        conditions = getattr(entry.factory, "capability_conditions", {})
        assert set(conditions) <= entry.offers, entry.id
    game = registry.make_game("recommender", {})
    assert not set(game.capability_conditions) & game.offers()


def test_params_can_lift_a_need():
    # The sampled planner and sampled LIO need no model of the game.
    load_config(
        config(
            {
                "game": {"id": "public_goods"},
                "mechanism": {"id": "adaptive_planner", "params": {"gradient": "sampled"}},
            }
        )
    )
    load_config(
        config({"game": {"id": "prisoners_dilemma"}, "learner": "q_learning"})
        | {"learners": [{"id": "lio", "params": {"gradient": "sampled"}}]}
    )


def test_a_phase_mechanism_is_checked_too():
    raw = config({"game": {"id": "prisoners_dilemma"}})
    raw["phases"] = [{"at_step": 5, "overrides": {"mechanism": {"id": "second_price"}}}]
    with pytest.raises(ConfigError, match="auction_outcome") as info:
        load_config(raw)
    assert info.value.field == "phases.0.overrides.mechanism.id"


def test_a_sweep_point_is_checked_before_anything_runs():
    raw = config({"game": {"id": "auction"}, "mechanism": {"id": "vcg"}})
    raw["sweep"] = {"game.id": ["auction", "prisoners_dilemma"]}
    with pytest.raises(ConfigError, match=r"auction_outcome.*sweep point"):
        load_config(raw)


def test_gradient_play_needs_a_differentiable_shaping():
    raw = config({"game": {"id": "differentiable_pgg"}, "learner": "simul_ind"})
    raw["mechanism"] = {"id": "mutual_welfare"}
    with pytest.raises(ConfigError, match="loss_shaping") as info:
        load_config(raw)
    assert info.value.field == "mechanism.id"
    raw["mechanism"] = {"id": "team_reward"}
    load_config(raw)


def test_declarations_agree_with_the_units():
    # Every capability a game class declares is delivered by an instance of the defaults,
    # and the registry's offers equal the class declaration.
    for entry in registry.entries("game"):
        try:
            game = entry.factory(entry.params())
        except (ValueError, ImportError):
            continue  # parameters without defaults / optional extras
        assert game.offers() <= entry.offers, entry.id
        for capability in game.offers():
            if capability in (
                Capability.AUCTION_OUTCOME,
                Capability.ROUTING_OUTCOME,
                Capability.RECOMMENDER_OUTCOME,
                Capability.PUBLIC_GOODS_OUTCOME,
            ):
                continue
            from incentive_lab.core.capabilities import provided

            assert provided(game, capability) is not None, (entry.id, capability)


def test_fitting_lists_what_a_game_supports():
    offered = registry.get("game", "auction").offers
    mechanisms = [e.id for e in registry.fitting("mechanism", offered)]
    assert {"vcg", "first_price", "second_price", "none", "team_reward"} <= set(mechanisms)
    assert "marginal_cost_toll" not in mechanisms
    learners = [e.id for e in registry.fitting("learner", offered)]
    assert "q_learning" in learners and "subsample_q" not in learners and "aga" not in learners


def test_cli_exits_2_before_any_run(tmp_path: Path):
    path = tmp_path / "vcg.yaml"
    path.write_text(yaml.safe_dump(config(MISMATCHES[0][0])))
    db = tmp_path / "lab.duckdb"
    result = subprocess.run(
        [str(Path(sys.executable).parent / "incentive-lab"), "run", str(path), "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "mechanism.id" in result.stderr + result.stdout
    assert "auction_outcome" in result.stderr + result.stdout
    assert not db.exists()
