"""Replays across phases, and the frames a run keeps while it runs.

``experiments.execution.replay.replay_run`` replays a stored run with the runner itself, so
a run with phases (a game rule change and a new mechanism) is reproduced after them too:
its recorded metrics bit for bit, and its frames equal to the ones the run kept while it ran
(``extra["frames"]``, written by the runner's ``FrameTap``). This layer's own replay stops at
the first phase.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import incentive_lab
from incentive_lab.core import ConfigError
from incentive_lab.core.seeding import run_seed
from incentive_lab.evaluation.episode_frames import (
    STORED_SCALE,
    FrameWindow,
    end_window,
    episode_frames,
    stored_frames,
    window_ending,
)
from incentive_lab.experiments.execution.replay import cut, replay_run, resolved_stored
from incentive_lab.experiments.execution.runner import simulate
from incentive_lab.experiments.execution.store import RunStore

PHASED = {
    "name": "phased-frames",
    "game": {"id": "harvest", "params": {"preset": "small", "n_agents": 3, "n_copies": 2,
                                         "episode_length": 30}},
    "mechanism": {"id": "inequity_aversion", "params": {"alpha": 1.0, "beta": 0.5}},
    "learners": [{"id": "actor_critic", "params": {"lr": 0.05, "hidden": 8}}],
    "steps": 60,
    "seeds": 2,
    "record_every": 10,
    "phases": [
        {"at_step": 20, "overrides": {"game.params.regrowth_probabilities": [1.0, 1.0, 1.0, 1.0]}},
        {"at_step": 35, "overrides": {"mechanism": {"id": "team_reward"}}},
    ],
}  # fmt: skip
PLAIN = {**{k: v for k, v in PHASED.items() if k != "phases"}, "name": "plain-frames"}
PD = {"name": "pd-frames", "game": {"id": "prisoners_dilemma"},
      "learners": [{"id": "q_learning"}], "steps": 10}  # fmt: skip


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    db = tmp_path_factory.mktemp("phased") / "p.duckdb"
    for config in (PHASED, PLAIN, PD):
        incentive_lab.run(dict(config), db=db, workers=1, progress=False)
    with RunStore(db, read_only=True) as store:
        return store.runs(), store.metrics()


def _rows(stored, experiment):
    runs, metrics = stored
    for _, row in runs[runs["experiment"] == experiment].iterrows():
        mine = metrics[metrics["run_id"] == row["run_id"]]
        yield json.loads(row["config"]), row, mine


def test_a_replay_of_a_phased_run_reproduces_its_stored_metrics_after_the_phases(stored):
    for config, row, metrics in _rows(stored, "phased-frames"):
        for last in (60, 50):  # the whole run, and cut after both phases
            run = cut(resolved_stored(config), last)
            assert [p.at_step for p in run.phases] == [20, 35] and run.steps == last
            _, recorder = simulate(run, run_seed(int(row["seed"]), int(row["seed_index"])))
            replayed = {(step, name): value for step, name, value in recorder.rows}
            kept = metrics[metrics["step"] <= last]
            assert len(kept) == len(replayed) > 0
            assert max(step for step, _ in replayed) == last
            for step, name, value in kept[["step", "name", "value"]].itertuples(index=False):
                assert replayed[(int(step), name)] == pytest.approx(
                    value, rel=0, abs=0, nan_ok=True
                )
    # the phases matter: the same run without them records other rewards after step 20
    phased = next(_rows(stored, "phased-frames"))[2]
    plain = next(_rows(stored, "plain-frames"))[2]

    def late(frame):
        part = frame[(frame["name"] == "mean_reward") & (frame["step"] > 20)]
        return part.sort_values("step")["value"].to_numpy()

    assert not np.array_equal(late(phased), late(plain))


def test_replayed_frames_after_the_phases_are_the_frames_the_run_kept(stored):
    for config, row, _ in _rows(stored, "phased-frames"):
        seed, index = int(row["seed"]), int(row["seed_index"])
        steps, kept = stored_frames(row["extra"])
        assert steps == [40, 44, 48, 52, 56, 60] == end_window(60).steps
        assert kept[0].shape == (9 * STORED_SCALE, 16 * STORED_SCALE, 3)
        window = end_window(60)
        again = episode_frames(config, seed, index, window, scale=STORED_SCALE, replay=replay_run)
        for mine, theirs in zip(again, kept, strict=True):
            np.testing.assert_array_equal(mine, theirs)
        # a window across the first phase, replayed with the runner, drawn at another scale
        across = episode_frames(
            config, seed, index, FrameWindow(15, 3, 5), copy=1, scale=4, replay=replay_run
        )
        assert [f.shape for f in across] == [(36, 64, 3)] * 3
        with pytest.raises(ConfigError, match="first phase"):  # this layer alone stops at 20
            episode_frames(config, seed, index, FrameWindow(15, 3, 5))
    # the kept frames of the run without phases differ after the phases (eaten apples
    # regrow at once under the phase's rules)
    pairs = zip(_rows(stored, "phased-frames"), _rows(stored, "plain-frames"), strict=True)
    differ = [
        not np.array_equal(x, y)
        for (_, a, _), (_, b, _) in pairs
        for x, y in zip(stored_frames(a["extra"])[1], stored_frames(b["extra"])[1], strict=True)
    ]
    assert any(differ)


def test_only_games_that_render_keep_frames(stored):
    runs, _ = stored
    for _, row in runs.iterrows():
        extra = json.loads(row["extra"])
        assert ("frames" in extra) == (row["experiment"] != "pd-frames")
        if "frames" in extra:
            assert set(extra["frames"]) == {"copy", "scale", "steps", "png"}


def test_the_kept_window_and_a_config_that_resolves_otherwise(stored):
    assert window_ending(60) == FrameWindow(40, 6, 4)
    assert window_ending(3) == FrameWindow(0, 4, 1)  # a short run: every step
    assert window_ending(12) == FrameWindow(2, 6, 2)
    config, row, _ = next(_rows(stored, "plain-frames"))
    changed = json.loads(json.dumps(config))
    del changed["learners"][0]["params"]["lr"]  # resolves to the default: another run
    with pytest.raises(ConfigError, match="resolves unchanged") as error:
        episode_frames(changed, int(row["seed"]), 0, FrameWindow(0, 2, 1), replay=replay_run)
    assert "\n" not in str(error.value)
