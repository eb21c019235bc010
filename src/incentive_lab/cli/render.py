"""``incentive-lab render``: pictures of a stored run of a gridworld game, GIF or PNG strip.

::

    incentive-lab render RUN_ID [--db PATH] [-o FILE.gif|FILE.png] [--start N] [--frames N]
                         [--every N] [--copy N] [--scale N] [--duration MS] [--force]

Stored runs keep metrics, not states, so the run is played again from its stored config and
seed up to the last frame, by the runner itself (``experiments.execution.replay``: the loop
is deterministic, so the replay is the stored run, phases included); frames are
``render_rgb`` pictures of one copy at steps
``start, start + every, ...``. ``RUN_ID`` may be a unique prefix of a run id (``SELECT
run_id FROM runs`` in the store lists them). A ``.gif`` output is an animation, a ``.png``
one a strip of the frames side by side (``evaluation.figures.frames``). An existing file is
overwritten only if it is a picture written by this command (or with ``--force``). Bad input
(no such run, a run of a game that does not render, a window outside the run) prints one
``error:`` line and exits 2.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from incentive_lab.cli._common import DbOption, guard_output, user_errors
from incentive_lab.cli._common import out as console
from incentive_lab.core.errors import ConfigError
from incentive_lab.experiments.execution.orchestrate import DEFAULT_DB

MIN_PREFIX = 4
"""Shortest run-id prefix accepted."""


def find_run(db: Path, run_id: str) -> dict[str, Any]:
    """The stored row (``config`` parsed) of the run whose id is or starts with ``run_id``."""
    from incentive_lab.experiments.execution.store import RunStore

    with RunStore(db, read_only=True) as store:
        runs = store.runs()
    exact = runs[runs["run_id"] == run_id]
    hits = exact if not exact.empty else runs[runs["run_id"].str.startswith(run_id)]
    if hits.empty or (exact.empty and len(run_id) < MIN_PREFIX):
        raise ConfigError(
            "run_id",
            run_id,
            f"a run id of {db} or a unique prefix of at least {MIN_PREFIX} characters "
            f"({len(runs)} runs stored)",
        )
    if len(hits) > 1:
        shown = ", ".join(str(r) for r in hits["run_id"].head(3))
        raise ConfigError("run_id", run_id, f"a prefix of one run (it matches {shown}, ...)")
    row = {str(key): value for key, value in hits.iloc[0].to_dict().items()}
    config = row["config"]
    row["config"] = json.loads(config) if isinstance(config, str) else dict(config)
    return row


def render(
    run_id: Annotated[str, typer.Argument(help="Run id (or a unique prefix) in the store.")],
    db: DbOption = Path(DEFAULT_DB),
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="GIF (animation) or PNG (strip); default RUN.gif."),
    ] = None,
    start: Annotated[int, typer.Option("--start", help="First step shown (0: start).")] = 0,
    frames: Annotated[int, typer.Option("--frames", help="Number of frames.")] = 16,
    every: Annotated[int, typer.Option("--every", help="Steps between frames.")] = 1,
    copy: Annotated[int, typer.Option("--copy", help="Which copy of the game to draw.")] = 0,
    scale: Annotated[int, typer.Option("--scale", help="Pixels per map cell.")] = 8,
    duration: Annotated[
        int, typer.Option("--duration", min=10, help="Milliseconds per GIF frame.")
    ] = 200,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite an existing file that is not ours.")
    ] = False,
) -> None:
    """Render steps of a stored gridworld run (re-simulated from its seed) to a GIF or strip."""
    from incentive_lab.evaluation.episode_frames import FrameWindow, episode_frames
    from incentive_lab.evaluation.figures.frames import (
        gif_bytes,
        is_ours,
        picture_kind,
        png_bytes,
        strip,
    )
    from incentive_lab.experiments.execution.replay import replay_run

    with user_errors():
        row = find_run(db, run_id)
        target = out if out is not None else Path(f"{str(row['run_id'])[:12]}.gif")
        kind = picture_kind(target)
        guard_output(target, "out", "picture", force, is_ours)
        if not target.parent.is_dir():
            raise ConfigError("out", str(target), "a path whose directory exists")
        window = FrameWindow(start, frames, every)
        pictures = episode_frames(
            row["config"], int(row["seed"]), int(row["seed_index"]), window,
            copy=copy, scale=scale, replay=replay_run,
        )  # fmt: skip
        title = f"run {row['run_id']} copy {copy} steps {window.start}..{window.last}"
        data = (
            gif_bytes(pictures, duration)
            if kind == "gif"
            else png_bytes(strip(pictures, window.steps), title)
        )
        try:
            target.write_bytes(data)
        except OSError as error:
            raise ConfigError("out", str(target), f"a writable file ({error.strerror})") from None
    game = row["config"]["game"]["id"]
    console.print(
        f"{len(pictures)} frames of {game} run {row['run_id']} (copy {copy}, steps "
        f"{window.start}..{window.last} every {window.every}): {target.resolve()}",
        soft_wrap=True,
    )
