"""Episode strips in the report: what each candidate's agents do on a gridworld game.

For an experiment on a game that renders (``coins``, ``harvest``, ``cleanup``:
``evaluation.episode_frames.renderable_games``), :func:`episode_strips` adds one figure per
candidate: a PNG strip of :data:`FRAMES` pictures of copy 0 of the candidate's first seed
(lowest seed index, first condition), re-simulated from the stored config and seed
(``evaluation.episode_frames``; the replay is the stored run), inline as a base64
``data:`` URI so the report stays one self-contained file.

Which steps. The strip shows the latest steps the report can afford: a replay costs what
the run cost, so at the experiment's stored speed (median steps per second of its runs,
from their stored durations) the replay of each candidate is capped at
:data:`BUDGET_SECONDS` seconds (and before its first phase, which
the replay does not apply). The run's last steps are shown when they fit, else the latest
affordable ones; frames are :data:`EVERY` steps apart (fewer in very short windows). The
caption says which steps each strip shows. The choice depends only on stored data, so the
same store gives the same report bytes. A candidate whose replay fails (a learner
registered only in another process, say) gets a one-line note instead of a strip; the
report never fails for lack of a picture.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pandas as pd

from incentive_lab.evaluation.episode_frames import FrameWindow, episode_frames, renderable_games
from incentive_lab.evaluation.figures.frames import png_bytes, strip
from incentive_lab.evaluation.game_series import game_id
from incentive_lab.evaluation.report.analysis import CONDITION, MECHANISM, Prepared
from incentive_lab.evaluation.report.template import Markup, figure, tag

FRAMES = 6
"""Frames per strip."""
EVERY = 4
"""Steps between frames (fewer when the affordable window is shorter)."""
BUDGET_SECONDS = 3.0
"""Replay time per candidate, at the stored run's own speed."""
SCALE = 6
"""Pixels per map cell (a wide strip is shrunk to the page width by the browser)."""
MAX_CANDIDATES = 12
"""Strips per experiment at most (the first candidates in display order)."""


def affordable_window(config: dict[str, Any], rate: float | None) -> FrameWindow:
    """The window of :data:`FRAMES` frames ending as late as the budget allows.

    ``rate``: the experiment's stored speed in steps per second (``None``: unknown, no cap).
    """
    steps = int(config["steps"])
    end = steps if rate is None else min(steps, int(rate * BUDGET_SECONDS))
    phases = config.get("phases") or []
    if phases:
        end = min(end, int(phases[0]["at_step"]))
    every = max(1, min(EVERY, end // (FRAMES - 1)))
    frames = min(FRAMES, end // every + 1)
    return FrameWindow(start=end - (frames - 1) * every, frames=frames, every=every)


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
        window = affordable_window(config, rate)
        where = f"seed index {int(row['seed_index'])}, copy 0, steps {window.start}..{window.last}"
        try:
            frames = episode_frames(
                config, int(row["seed"]), int(row["seed_index"]), window, scale=SCALE
            )
        except Exception as error:  # a picture must never sink the report
            text = " ".join(str(error).split())
            made.append(tag("p", f"No episode strip for {candidate}: {text}", class_="lead"))
            continue
        png = png_bytes(strip(frames, window.steps), f"{candidate}: {where}")
        last = int(config["steps"])
        when = "the run's last steps" if window.last == last else f"of {last} steps"
        caption = (
            f"{candidate}: {game} at {where} ({when}), every {window.every} step(s); "
            "re-simulated from the run's stored config and seed."
        )
        made.append(figure(_image(png, caption), caption, f"{ident}-{k}", "episode-strip"))
    return made
