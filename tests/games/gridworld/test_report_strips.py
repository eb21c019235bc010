"""The report's episode strips: one PNG strip per candidate of a gridworld experiment.

The strip is inline (base64 PNG) and decodes to the last frames of the candidate's first
seed: the frames the run kept while it ran (no replay), which are the frames a replay from
the store draws. Runs stored without kept frames are replayed within the replay budget;
other games get no strip.
"""

from __future__ import annotations

import base64
import io
import json
import re
import shutil

import duckdb
import numpy as np
import pytest
from PIL import Image

import incentive_lab
from incentive_lab.core import ConfigError
from incentive_lab.evaluation.episode_frames import FrameWindow, episode_frames
from incentive_lab.evaluation.figures.frames import strip
from incentive_lab.evaluation.report import gridworld
from incentive_lab.evaluation.report.gridworld import BUDGET_SECONDS, affordable_window
from incentive_lab.experiments.execution.store import RunStore

COINS = {
    "name": "coins-strips",
    "game": {"id": "coins", "params": {"n_copies": 2, "episode_length": 20}},
    "mechanism": {"id": "none"},
    "learners": [{"id": "fixed", "params": {"probs": [0.2, 0.2, 0.2, 0.2, 0.2]}}],
    "steps": 30,
    "seeds": 2,
    "record_every": 10,
    "sweep": {"mechanism": [{"id": "none"}, {"id": "team_reward"}]},
}
PD = {
    "name": "pd-strips",
    "game": {"id": "prisoners_dilemma", "params": {"n_copies": 4}},
    "learners": [{"id": "q_learning"}],
    "steps": 20,
    "seeds": 2,
    "record_every": 10,
}
STRIP = re.compile(
    r'<figure id="fig-coins-strips-episode-(\d)" data-kind="episode-strip">'
    r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)".*?<figcaption>(.*?)</figcaption>',
    re.S,
)


def test_the_window_ends_as_late_as_the_replay_budget_allows():
    config = {"steps": 200}
    # unknown speed: the run's last steps, 6 frames 4 apart
    assert affordable_window(config, None) == FrameWindow(180, 6, 4)
    # 10 steps/s x 3 s = 30 steps affordable: frames at 10, 14, ..., 30
    assert BUDGET_SECONDS == 3.0
    assert affordable_window(config, 10.0) == FrameWindow(10, 6, 4)
    # a 3-step run: every step, 4 frames (0..3)
    assert affordable_window({"steps": 3}, None) == FrameWindow(0, 4, 1)
    # a phase at step 12 caps the replay: 12 // 5 = 2 steps apart, frames 2..12
    phased = {"steps": 200, "phases": [{"at_step": 12, "overrides": {}}]}
    assert affordable_window(phased, None) == FrameWindow(2, 6, 2)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("strips")
    db = folder / "s.duckdb"
    results = incentive_lab.run(dict(COINS), db=db, workers=1, progress=False)
    path = results.report(folder / "coins.html")
    pd = incentive_lab.run(dict(PD), db=db, workers=1, progress=False)
    pd_html = pd.report(folder / "pd.html").read_text(encoding="utf-8")
    with RunStore(db, read_only=True) as store:
        runs = store.runs("coins-strips")
    return path.read_text(encoding="utf-8"), pd_html, runs, db


def test_one_inline_strip_per_candidate_showing_its_first_seed(report):
    html, _, runs, _ = report
    _check_strips(html, runs, "kept while the run ran")


def _check_strips(html, runs, source):
    found = STRIP.findall(html)
    assert [k for k, _, _ in found] == ["0", "1"]
    for (_, data, caption), candidate in zip(found, ("none", "team_reward"), strict=True):
        assert caption.startswith(f"{candidate}: coins at seed index 0, copy 0, steps 10..30 ")
        assert caption.endswith(f"(the run&#x27;s last steps), every 4 step(s); {source}.")
        image = np.asarray(Image.open(io.BytesIO(base64.b64decode(data))).convert("RGB"))
        first = runs[(runs["seed_index"] == 0) & runs["point"].str.contains(candidate)]
        row = first.iloc[0]
        window = FrameWindow(10, 6, 4)
        frames = episode_frames(
            json.loads(row["config"]), int(row["seed"]), 0, window, scale=6
        )  # the 3x3 classic map is drawn 6 pixels per cell
        np.testing.assert_array_equal(image, strip(frames, window.steps))


def _without_kept_frames(db, folder):
    """A copy of the store whose runs look stored before runs kept frames."""
    old = folder / "old.duckdb"
    shutil.copy(db, old)
    with duckdb.connect(str(old)) as con:
        rows = con.execute("SELECT run_id, extra FROM runs").fetchall()
        for run_id, extra in rows:
            kept = {k: v for k, v in json.loads(extra).items() if k != "frames"}
            con.execute("UPDATE runs SET extra = ? WHERE run_id = ?", [json.dumps(kept), run_id])
    return old


def test_kept_frames_need_no_replay_and_old_runs_are_replayed(report, monkeypatch, tmp_path):
    _, pd_html, runs, db = report
    assert "episode-strip" not in pd_html and "No episode strip" not in pd_html
    old = _without_kept_frames(db, tmp_path)
    replayed = incentive_lab.experiments.Results(old, "coins-strips").report(tmp_path / "o.html")
    _check_strips(replayed.read_text(encoding="utf-8"), runs, "re-simulated from the run&#x27;s "
                  "stored config and seed")  # fmt: skip

    def broken(*args, **kwargs):
        raise ConfigError("learners.0.id", "mine", "a learner registered in this process")

    monkeypatch.setattr(gridworld, "episode_frames", broken)
    kept = incentive_lab.experiments.Results(db, "coins-strips").report(tmp_path / "k.html")
    _check_strips(kept.read_text(encoding="utf-8"), runs, "kept while the run ran")
    again = incentive_lab.experiments.Results(old, "coins-strips").report(tmp_path / "b.html")
    text = again.read_text(encoding="utf-8")
    assert 'data-kind="episode-strip"' not in text
    assert text.count("No episode strip for") == 2
    assert "learners.0.id: got &#x27;mine&#x27;" in text


def _strip_pixels(html):
    return [
        (caption, np.asarray(Image.open(io.BytesIO(base64.b64decode(data))).convert("RGB")))
        for _, data, caption in STRIP.findall(html)
    ]


def test_an_old_store_with_phases_is_replayed_past_them(tmp_path):
    # the report replays old runs with the experiments layer's phase-aware replay: the strip
    # shows the run's last steps, after a game-rule phase (coins may be picked by anyone at
    # no cost from step 12), and equals the frames the run itself kept
    phased = {
        **COINS,
        "phases": [{"at_step": 12, "overrides": {"game.params.coin_penalty": 0.0}}],
    }
    db = tmp_path / "p.duckdb"
    kept = incentive_lab.run(phased, db=db, workers=1, progress=False)
    kept_html = kept.report(tmp_path / "kept.html").read_text(encoding="utf-8")
    old = _without_kept_frames(db, tmp_path)
    replayed = incentive_lab.experiments.Results(old, "coins-strips").report(tmp_path / "r.html")
    old_html = replayed.read_text(encoding="utf-8")
    ours, theirs = _strip_pixels(kept_html), _strip_pixels(old_html)
    assert len(ours) == len(theirs) == 2
    for (kept_caption, kept_image), (caption, image) in zip(ours, theirs, strict=True):
        assert "steps 10..30 (the run&#x27;s last steps)" in caption
        assert caption.endswith("re-simulated from the run&#x27;s stored config and seed.")
        assert kept_caption.endswith("kept while the run ran.")
        np.testing.assert_array_equal(image, kept_image)
