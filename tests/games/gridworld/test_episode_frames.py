"""Episode pictures of stored runs: the replay is the stored run, frames are its states.

``evaluation.episode_frames`` rebuilds a run from its stored config and seed; the replay's
recorded metrics must equal the stored ones bit for bit (the loop is deterministic), and
each frame must be ``render_rgb`` of the game after that many steps.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest

import incentive_lab
from incentive_lab.core import ConfigError
from incentive_lab.core.seeding import run_seed
from incentive_lab.evaluation.episode_frames import (
    FrameWindow,
    episode_frames,
    renderable_games,
    simulation_from_config,
)
from incentive_lab.evaluation.figures.frames import (
    LABEL_HEIGHT,
    gif_bytes,
    is_ours,
    png_bytes,
    strip,
)
from incentive_lab.evaluation.recorder import WindowRecorder
from incentive_lab.experiments.execution.store import RunStore

CONFIG = {
    "name": "frames",
    "game": {"id": "coins", "params": {"n_copies": 3, "episode_length": 25}},
    "mechanism": {"id": "inequity_aversion", "params": {"alpha": 1.0, "beta": 0.5}},
    "learners": [{"id": "actor_critic", "params": {"lr": 0.05, "hidden": 8}}],
    "steps": 60,
    "seeds": 2,
    "record_every": 20,
}


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    db = tmp_path_factory.mktemp("frames") / "f.duckdb"
    incentive_lab.run(dict(CONFIG), db=db, workers=1, progress=False)
    with RunStore(db, read_only=True) as store:
        runs, metrics = store.runs(), store.metrics()
    return runs, metrics


def _row(stored, seed_index: int):
    runs, metrics = stored
    row = runs[runs["seed_index"] == seed_index].iloc[0]
    return json.loads(row["config"]), int(row["seed"]), row["run_id"], metrics


def test_the_replay_reproduces_the_stored_metrics_bit_for_bit(stored):
    config, seed, run_id, metrics = _row(stored, 1)
    simulation = simulation_from_config(config, run_seed(seed, 1))
    recorder = WindowRecorder(simulation.game.n_agents, config["record_every"], None)
    simulation.run(config["steps"], recorder)
    recorder.flush()
    replayed = {(step, name): value for step, name, value in recorder.rows}
    mine = metrics[metrics["run_id"] == run_id]
    assert len(mine) == len(replayed) > 0
    for step, name, value in mine[["step", "name", "value"]].itertuples(index=False):
        assert replayed[(int(step), name)] == pytest.approx(value, rel=0, abs=0, nan_ok=True)


def test_frames_are_the_games_pictures_after_that_many_steps(stored):
    config, seed, _, _ = _row(stored, 0)
    window = FrameWindow(start=0, frames=4, every=7)
    frames = episode_frames(config, seed, 0, window, copy=2, scale=5)
    assert [f.shape for f in frames] == [(15, 15, 3)] * 4 and frames[0].dtype == np.uint8
    simulation = simulation_from_config(config, run_seed(seed, 0))
    by_hand = [simulation.game.render_rgb(2, 5)]
    for _ in range(3):
        simulation.run(7)
        by_hand.append(simulation.game.render_rgb(2, 5))
    for mine, theirs in zip(frames, by_hand, strict=True):
        np.testing.assert_array_equal(mine, theirs)
    assert any(not np.array_equal(frames[0], f) for f in frames[1:])  # the agents moved
    # a window may end at an episode's last step: the final state before the restart
    last = episode_frames(config, seed, 0, FrameWindow(25, 1, 1), copy=2, scale=5)[0]
    np.testing.assert_array_equal(last, _state_after(config, seed, 25))


def _state_after(config, seed, steps):
    simulation = simulation_from_config(config, run_seed(seed, 0))
    simulation.run(steps - 1)
    before = simulation.game.state.copy()
    simulation.run(1)  # the episode ends: the game restarts after the recorder saw it
    assert simulation.game.t == 0 and not np.array_equal(before.row, simulation.game.state.row)
    # replay once more, stopping the game's restart by reading inside a recorder
    seen = {}

    class Peek:
        def record(self, record):
            if record.step == steps - 1:
                seen["frame"] = fresh.game.render_rgb(2, 5)

    fresh = simulation_from_config(config, run_seed(seed, 0))
    fresh.run(steps, Peek())
    return seen["frame"]


def test_bad_windows_games_and_copies_are_refused_in_one_line(stored):
    config, seed, _, _ = _row(stored, 0)
    for window, field in (
        (FrameWindow(-1, 2, 1), "start"),
        (FrameWindow(0, 0, 1), "frames"),
        (FrameWindow(0, 2, 0), "every"),
        (FrameWindow(50, 3, 10), "start"),  # last frame 70 > 60 steps
    ):
        with pytest.raises(ConfigError, match=f"^{field}:") as error:
            episode_frames(config, seed, 0, window)
        assert "\n" not in str(error.value)
    with pytest.raises(ConfigError, match=r"copy index in 0\.\.2"):
        episode_frames(config, seed, 0, FrameWindow(0, 1, 1), copy=3)
    matrix = {**config, "game": {"id": "prisoners_dilemma", "params": {}}}
    with pytest.raises(ConfigError, match="cleanup, coins, harvest"):
        episode_frames(matrix, seed, 0, FrameWindow())
    phased = {**config, "phases": [{"at_step": 30, "overrides": {"mechanism": {"id": "none"}}}]}
    assert len(episode_frames(phased, seed, 0, FrameWindow(20, 2, 10))) == 2  # ends at 30
    with pytest.raises(ConfigError, match="first phase"):
        episode_frames(phased, seed, 0, FrameWindow(20, 3, 10))
    assert renderable_games() == ["cleanup", "coins", "harvest"]


def test_strips_pngs_and_gifs_hold_the_frames_and_our_marker(tmp_path: Path):
    from PIL import Image

    rng = np.random.default_rng(0)
    frames = [rng.integers(0, 256, (6, 10, 3), dtype=np.uint8) for _ in range(3)]
    image = strip(frames, [0, 5, 10], gap=2)
    assert image.shape == (6 + LABEL_HEIGHT + 4, 3 * 12 + 2, 3)
    np.testing.assert_array_equal(image[2 + LABEL_HEIGHT :][:6, 14:24], frames[1])
    png = png_bytes(image, "three frames")
    decoded = Image.open(io.BytesIO(png))
    np.testing.assert_array_equal(np.asarray(decoded), image)
    assert decoded.text["Title"] == "three frames"
    gif = Image.open(io.BytesIO(gif_bytes(frames, 100)))
    assert gif.n_frames == 3 and gif.info["loop"] == 0
    for k, path in enumerate((tmp_path / "a.png", tmp_path / "a.gif")):
        path.write_bytes(png if k == 0 else gif_bytes(frames))
        assert is_ours(path)
    other = tmp_path / "other.png"
    Image.fromarray(frames[0]).save(other)
    assert not is_ours(other)
