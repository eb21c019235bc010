"""``incentive-lab render``: GIF and PNG strip of a stored gridworld run; bad input."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pytest
from cli_helpers import invoke, write_config
from PIL import Image

HARVEST = {
    "name": "harvest-render",
    "game": {"id": "harvest", "params": {"preset": "small", "n_agents": 3, "n_copies": 2,
                                         "episode_length": 30}},
    "mechanism": {"id": "none"},
    "learners": [{"id": "fixed", "params": {"probs": [0.2, 0.3, 0.1, 0.1, 0.1, 0.1, 0.1, 0.0]}}],
    "steps": 40,
    "record_every": 20,
}  # fmt: skip
PD = {"name": "pd", "game": {"id": "prisoners_dilemma"}, "learners": [{"id": "q_learning"}],
      "steps": 10}  # fmt: skip


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> tuple[Path, str, str]:
    folder = tmp_path_factory.mktemp("render")
    db = folder / "r.duckdb"
    for config in (HARVEST, PD):
        path = write_config(folder / f"{config['name']}.yaml", config)
        result = invoke("run", path, "--db", db, "--workers", "1")
        assert result.exit_code == 0, result.output
    with duckdb.connect(str(db), read_only=True) as con:
        ids = dict(con.execute("SELECT experiment, run_id FROM runs").fetchall())
    return db, ids["harvest-render"], ids["pd"]


def test_a_gif_and_a_strip_of_a_stored_run(store, tmp_path: Path):
    db, run_id, _ = store
    gif = tmp_path / "e.gif"
    result = invoke("render", run_id[:8], "--db", db, "-o", gif, "--start", "5", "--frames", "6")
    assert result.exit_code == 0, result.output
    assert f"6 frames of harvest run {run_id}" in " ".join(result.stdout.split())
    animation = Image.open(gif)
    assert animation.n_frames == 6 and animation.size == (16 * 8, 9 * 8)
    png = tmp_path / "e.png"
    args = ("--start", "10", "--frames", "3", "--every", "15", "--scale", "4")
    result = invoke("render", run_id, "--db", db, "-o", png, *args)
    assert result.exit_code == 0, result.output
    strip = np.asarray(Image.open(png).convert("RGB"))
    assert strip.shape[1] == 3 * (16 * 4 + 4) + 4  # three frames side by side
    again = invoke("render", run_id, "--db", db, "-o", png, *args)  # its own file: rewritten
    assert again.exit_code == 0 and np.array_equal(
        np.asarray(Image.open(png).convert("RGB")), strip
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["zzzzzzzz"], "run_id: got 'zzzzzzzz'; a run id of"),
        (["{harvest}", "--frames", "10", "--every", "5"], "a window inside the run's 40 steps"),
        (["{harvest}", "--copy", "2"], "copy: got 2; a copy index in 0..1"),
        (["{harvest}", "-o", "x.jpg"], "a file name ending in .gif (animation) or .png (strip)"),
        (["{pd}"], "run: got 'prisoners_dilemma'; a run of a game that renders (cleanup, coins"),
        (["{harvest}", "--frames", "0"], "frames: got 0"),
    ],
)
def test_bad_input_exits_2_with_one_line(store, tmp_path, monkeypatch, args, message):
    db, harvest, pd = store
    monkeypatch.chdir(tmp_path)
    args = [a.format(harvest=harvest, pd=pd) for a in args]
    result = invoke("render", *args, "--db", db)
    assert result.exit_code == 2, result.output
    assert len(result.stderr.strip().splitlines()) == 1 and message in result.stderr
    assert not list(tmp_path.glob("*.gif"))


def test_an_existing_file_that_is_not_a_picture_of_ours_is_kept(store, tmp_path: Path):
    db, run_id, _ = store
    target = tmp_path / "notes.gif"
    target.write_bytes(b"GIF89a someone else's")
    result = invoke("render", run_id, "--db", db, "-o", target, "--frames", "2")
    assert result.exit_code == 2 and "pass --force" in result.stderr
    assert target.read_bytes() == b"GIF89a someone else's"
    forced = invoke("render", run_id, "--db", db, "-o", target, "--frames", "2", "--force")
    assert forced.exit_code == 0 and Image.open(target).n_frames == 2


def test_a_database_is_never_an_output_even_with_force(store, tmp_path: Path):
    db, run_id, _ = store
    copy = tmp_path / "store.gif"
    copy.write_bytes(db.read_bytes())
    result = invoke("render", run_id, "--db", db, "-o", copy, "--frames", "2", "--force")
    assert result.exit_code == 2 and "not a database" in result.stderr
    assert copy.read_bytes() == db.read_bytes()
