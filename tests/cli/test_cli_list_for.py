"""``incentive-lab list KIND --for GAME``: only the units whose declared needs the game meets."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from incentive_lab.cli import app


def listed(*args: str) -> dict:
    result = CliRunner().invoke(app, ["list", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_mechanisms_for_a_matrix_game():
    ids = [u["id"] for u in listed("mechanisms", "--for", "prisoners_dilemma")["mechanisms"]]
    assert "adaptive_planner" in ids and "team_reward" in ids and "none" in ids
    assert not {"vcg", "first_price", "marginal_cost_toll", "exposure_fairness"} & set(ids)


def test_learners_for_a_generative_game_include_the_planners():
    ids = [u["id"] for u in listed("learners", "--for", "global_local")["learners"]]
    assert {"subsample_q", "mean_field_vi", "myopic", "q_learning"} <= set(ids)
    assert "aga" not in ids


def test_records_show_declarations():
    record = listed("games", "auction")["games"][0]
    assert record["offers"] == ["auction_outcome"]
    vcg = listed("mechanisms", "vcg")["mechanisms"][0]
    assert vcg["requires"] == ["auction_outcome"]


def test_for_a_game_on_games_or_an_unknown_game_exits_2():
    runner = CliRunner()
    assert runner.invoke(app, ["list", "games", "--for", "auction"]).exit_code == 2
    result = runner.invoke(app, ["list", "mechanisms", "--for", "auctoin"])
    assert result.exit_code == 2 and "did you mean 'auction'" in result.output
