"""Episode strips in the report: what each candidate's agents do on a gridworld game.

For an experiment on a game that renders (``coins``, ``harvest``, ``cleanup``:
``evaluation.episode_frames.renderable_games``), :func:`episode_strips` adds one figure per
candidate: a PNG strip of copy 0 of the candidate's first seed (lowest seed index, first
condition), inline as a base64 ``data:`` URI so the report stays one self-contained file.

Where the frames come from. A run keeps its last frames while it runs (the runner's
``FrameTap`` on ``episode_frames.end_window``: :data:`FRAMES` frames :data:`EVERY` steps apart
ending at its last step, ``extra["frames"]``); the strip shows them, replaying nothing, so it
costs a PNG decode and encode. These are the run's own states, phases included.

Runs stored before frames were kept are re-simulated from their stored config and seed
(``episode_frames.episode_frames``; the replay is the stored run). A replay costs what the
run cost, so at the experiment's stored speed (median steps per second of its runs, from
their stored durations) each candidate's replay is capped at :data:`BUDGET_SECONDS` seconds
and played by the tables' ``replay`` (the experiments layer's phase-aware
``experiments.execution.replay.replay_run``, so the window may lie after a phase); without
one, this layer's replay stops at the first phase. The run's last steps are shown when they
fit, else the latest affordable ones.

The caption says which steps each strip shows and where they come from. The choice depends
only on stored data, so the same store gives the same report bytes. A candidate whose
replay fails (a learner registered only in another process, say) gets a one-line note
instead of a strip; the report never fails for lack of a picture.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pandas as pd

from incentive_lab.evaluation.episode_frames import (
    END_EVERY,
    END_FRAMES,
    STORED_SCALE,
    FrameWindow,
    episode_frames,
    renderable_games,
    stored_frames,
    window_ending,
)
from incentive_lab.evaluation.figures.frames import png_bytes, strip
from incentive_lab.evaluation.game_series import game_id
from incentive_lab.evaluation.report.analysis import CONDITION, MECHANISM, Prepared
from incentive_lab.evaluation.report.template import Markup, figure, tag

FRAMES = END_FRAMES
"""Frames per strip."""
EVERY = END_EVERY
"""Steps between frames (fewer when the window is shorter)."""
BUDGET_SECONDS = 3.0
"""Replay time per candidate, at the stored run's own speed (runs without kept frames)."""
SCALE = STORED_SCALE
"""Pixels per map cell (a wide strip is shrunk to the page width by the browser)."""
MAX_CANDIDATES = 12
"""Strips per experiment at most (the first candidates in display order)."""


def affordable_window(
    config: dict[str, Any], rate: float | None, phases_replayed: bool = False
) -> FrameWindow:
    """The window of :data:`FRAMES` frames ending as late as the budget allows.

    ``rate``: the experiment's stored speed in steps per second (``None``: unknown, no cap);
    ``phases_replayed``: the replay applies phases (else the window ends by the first one).
    """
    steps = int(config["steps"])
    end = steps if rate is None else min(steps, int(rate * BUDGET_SECONDS))
    phases = config.get("phases") or []
    if phases and not phases_replayed:
        end = min(end, int(phases[0]["at_step"]))
    return window_ending(end, FRAMES, EVERY)


def stored_rate(runs: pd.DataFrame) -> float | None:
    """Median steps per second of the stored runs (their ``duration_s``), if recorded."""
    if "duration_s" not in runs.columns:
        return None
    steps = runs["config"].map(lambda c: int((json.loads(c) if isinstance(c, str) else c)["steps"]))
    seconds = pd.to_numeric(runs["duration_s"], errors="coerce")
    rates = (steps / seconds)[(seconds > 0) & seconds.notna()]
    return float(rates.median()) if not rates.empty else None


def _first_runs(prep: Prepared) -> list[tuple[str, pd.Series]]:
    """``(candidate, run row)``: each candidate's lowest seed index in the first condition."""
    summary = prep.summary
    first = prep.conditions[0] if prep.conditions else None
    if first is not None and CONDITION in summary.columns:
        summary = summary[summary[CONDITION] == first]
    runs = prep.tables.runs.set_index("run_id", drop=False)
    out = []
    for candidate in prep.mechanisms[:MAX_CANDIDATES]:
        mine = summary[summary[MECHANISM] == candidate]
        if mine.empty:
            continue
        run_id = mine.sort_values("seed_index", kind="stable")["run_id"].iloc[0]
        if run_id in runs.index:
            out.append((candidate, runs.loc[run_id]))
    return out


def _image(png: bytes, alt: str) -> Markup:
    data = base64.b64encode(png).decode("ascii")
    return tag(
        "img",
        src=f"data:image/png;base64,{data}",
        alt=alt,
        class_="episode-strip",
        style="max-width:100%; height:auto; display:block; margin:0 auto",
    )


def episode_strips(prep: Prepared, ident: str) -> list[Markup]:
    """One ``<figure>`` per candidate (module docstring); empty for games that do not render."""
    game = game_id(prep)
    if game is None or game not in renderable_games() or prep.tables.runs.empty:
        return []
    made: list[Markup] = []
    rate = stored_rate(prep.tables.runs)
    for k, (candidate, row) in enumerate(_first_runs(prep)):
        config = json.loads(row["config"]) if isinstance(row["config"], str) else row["config"]
        last = int(config["steps"])
        kept = stored_frames(row.get("extra"))
        if kept is not None:
            steps, frames = kept
            source = "kept while the run ran"
        else:
            replay = prep.tables.replay
            window = affordable_window(config, rate, replay is not None)
            steps = window.steps
            source = "re-simulated from the run's stored config and seed"
            try:
                frames = episode_frames(
                    config,
                    int(row["seed"]),
                    int(row["seed_index"]),
                    window,
                    scale=SCALE,
                    replay=replay,
                )
            except Exception as error:  # a picture must never sink the report
                text = " ".join(str(error).split())
                made.append(tag("p", f"No episode strip for {candidate}: {text}", class_="lead"))
                continue
        every = steps[1] - steps[0] if len(steps) > 1 else 1
        where = f"seed index {int(row['seed_index'])}, copy 0, steps {steps[0]}..{steps[-1]}"
        png = png_bytes(strip(frames, steps), f"{candidate}: {where}")
        when = "the run's last steps" if steps[-1] == last else f"of {last} steps"
        caption = f"{candidate}: {game} at {where} ({when}), every {every} step(s); {source}."
        made.append(figure(_image(png, caption), caption, f"{ident}-{k}", "episode-strip"))
    return made
