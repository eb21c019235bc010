"""``incentive-lab schelling``: table, dilemma verdicts, figure, mechanisms, bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_helpers import invoke, write_config

COINS = {
    "name": "coins-schelling",
    "game": {"id": "coins", "params": {"n_copies": 4}},
    "mechanism": {"id": "none"},
    "learners": [{"id": "actor_critic"}],
    "steps": 100,
    "sweep": {"mechanism": [{"id": "none"}, {"id": "team_reward"}]},
}


@pytest.fixture()
def config(tmp_path: Path) -> Path:
    return write_config(tmp_path / "coins.yaml", COINS)


def _text(result) -> str:
    return " ".join(result.stdout.split())


def test_the_coin_game_is_a_dilemma_with_fear_and_greed(config: Path, tmp_path: Path):
    out, db = tmp_path / "s.png", tmp_path / "s.duckdb"
    result = invoke("schelling", config, "--seeds", "4", "-o", out, "--db", db)
    assert result.exit_code == 0, result.output
    text = _text(result)
    assert "coins: 2 players, 4 seeds, 50 steps, mechanism none" in text
    assert "own_colour" in text and "any_colour" in text
    assert "(1) mutual cooperation beats mutual defection" in text
    assert "defection pays (R_d(x) > R_c(x)) at x = 0, 1: holds" in text
    assert "fear (x = 0): yes, greed (x = 1): yes" in text
    assert "Verdict: a social dilemma" in text
    assert out.read_bytes()[:4] == b"\x89PNG"
    # 3 profiles x 4 seeds stored under the config's name; fewer seeds later: nothing new
    assert f"Stored as experiment coins-schelling-schelling in {db}: 12 runs (12 new)" in text
    again = invoke("schelling", config, "--seeds", "2", "-o", out, "--db", db)  # own file
    assert again.exit_code == 0, again.output
    assert "6 runs (0 new)" in _text(again)
    assert "coins: 2 players, 2 seeds, 50 steps" in _text(again)
    report = invoke("report", "--db", db, "-o", tmp_path / "r.html")
    assert report.exit_code == 0, report.output
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "coins-schelling-schelling: Schelling diagram" in html
    assert "Verdict: a social dilemma for these bots" in html


def test_team_reward_removes_the_dilemma_and_svg_is_written(config: Path, tmp_path: Path):
    out = tmp_path / "s.svg"
    result = invoke(
        "schelling", config, "--seeds", "4", "--steps", "40", "--mechanism", "team_reward",
        "-o", out, "--db", tmp_path / "t.duckdb", "--name", "coins-team",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    text = _text(result)
    assert "40 steps, mechanism team_reward, shaped returns" in text
    assert "defection pays (R_d(x) > R_c(x)) at no x: does not hold" in text
    assert "Verdict: not a social dilemma" in text
    svg = out.read_text(encoding="utf-8")
    assert "<svg" in svg and "team_reward" in svg
    assert "Stored as experiment coins-team" in text
    # another analysis under a stored name is refused
    clash = invoke(
        "schelling", config, "--seeds", "1", "--steps", "41", "-o", out,
        "--db", tmp_path / "t.duckdb", "--name", "coins-team",
    )  # fmt: skip
    assert clash.exit_code == 2 and "name: got 'coins-team'" in clash.stderr


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--mechanism", "no_such_mechanism"], "mechanism.id: got 'no_such_mechanism'"),
        (["--mechanism", "{id: svo, params: {angle: nope}}"], "mechanism.params.angle"),
        (["--mechanism", "[1, 2]"], "mechanism: got '[1, 2]'"),
        (["-o", "figure.pdf"], "out: got 'figure.pdf'; a file name ending in .png or .svg"),
        (["--cooperator", "saint"], "cooperator: got 'saint'; a bot of coins"),
        (["--seeds", "0"], "--seeds"),
    ],
)
def test_bad_input_exits_2_with_one_line(config, tmp_path, monkeypatch, extra, message):
    monkeypatch.chdir(tmp_path)
    result = invoke("schelling", config, "--seeds", "1", "--steps", "5", *extra)
    assert result.exit_code == 2, result.output
    assert len(result.stderr.strip().splitlines()) == 1 and message in result.stderr
    assert "Traceback" not in result.output


def test_games_without_bots_and_foreign_files_are_refused(tmp_path: Path):
    pd = write_config(
        tmp_path / "pd.yaml",
        {"name": "pd", "game": {"id": "prisoners_dilemma"}, "learners": [{"id": "q_learning"}],
         "steps": 10},
    )  # fmt: skip
    result = invoke("schelling", pd, "-o", tmp_path / "s.png")
    assert result.exit_code == 2 and "scripted_policy" in result.stderr
    foreign = tmp_path / "photo.png"
    foreign.write_bytes(b"\x89PNG not ours")
    coins = write_config(tmp_path / "coins.yaml", COINS)
    result = invoke("schelling", coins, "--seeds", "1", "-o", foreign)
    assert result.exit_code == 2 and "pass --force" in result.stderr
    assert foreign.read_bytes() == b"\x89PNG not ours"
