"""Pictures of a run: frames kept while it runs, or re-simulated from its config and seed.

A stored run keeps metrics, and (since 0.x, runs of games that render) the last frames of
copy 0 (:func:`stored_frames`); any other window of its episode is recovered by playing the
run again: the loop is deterministic given the run's stored config (``runs.config``, the
resolved config hashed into its ``run_id``) and its seed sequence
``core.seeding.run_seed(seed, seed_index)``.

Replays. :func:`episode_frames` plays a run with a :class:`FrameTap` watching it. Who plays
it is the ``replay`` argument (a :data:`Replay`): the experiments layer offers the full one
(``experiments.execution.replay.replay_run``: the runner's own ``simulate`` on the run cut
at the window's last step, so phases are applied exactly as the run applied them); without
it this layer's :func:`replay_first_phase` rebuilds the simulation as the runner does
(:func:`simulation_from_config`: the sequence spawns ``[game, mechanism, learner group 0, 1,
...]``, each unit is built by its registered factory from its stored params, the loop's
generator is the game's child) and refuses a window past the run's first phase, whose rule
changes only the experiments layer applies. Either way the first ``t`` steps of the replay
are the stored run's first ``t`` steps bit for bit (``tests/games/gridworld/
test_episode_frames.py`` checks the re-simulated metrics against the stored ones, also
after a phase).

:class:`FrameWindow` chooses the frames: steps ``start, start + every, ...`` (``frames`` of
them). Frame ``t`` is copy ``copy`` after ``t`` steps of the run (``t = 0``: the first
episode's initial state); a frame at an episode's last step shows the final state before
the game restarts. Only the first ``start + (frames − 1)·every`` steps are simulated.

Frames kept while running. The runner lets a :class:`FrameTap` on :func:`end_window` watch
every run of a game that renders (:data:`STORED_SCALE` pixels per cell, copy 0) and stores
:meth:`FrameTap.stored` in the run's ``extra["frames"]``: ``{"copy", "scale", "steps",
"png"}``, the frames side by side in one base64 PNG. :func:`stored_frames` decodes them. The
report draws its episode strips from them without replaying anything.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from incentive_lab.core import registry
from incentive_lab.core.errors import ConfigError
from incentive_lab.core.learner import LearnerContext
from incentive_lab.core.seeding import make_rng, run_seed
from incentive_lab.rollout import LearnerGroup, Recorder, Simulation, StepRecord

MAX_FRAMES = 500
"""Most frames one window may hold."""
END_FRAMES = 6
"""Frames a run keeps of its last steps (:func:`end_window`)."""
END_EVERY = 4
"""Steps between the kept frames (fewer in runs shorter than ``5·END_EVERY`` steps)."""
STORED_SCALE = 6
"""Pixels per map cell of the kept frames (the report's strips)."""


@dataclass(frozen=True)
class FrameWindow:
    """Frames at steps ``start + k·every`` for ``k = 0..frames−1`` (module docstring)."""

    start: int = 0
    frames: int = 16
    every: int = 1

    @property
    def steps(self) -> list[int]:
        """The steps shown, in order."""
        return [self.start + k * self.every for k in range(self.frames)]

    @property
    def last(self) -> int:
        """The last step shown (the steps to simulate)."""
        return self.start + (self.frames - 1) * self.every

    def check(self, steps: int) -> None:
        """Raise a one-line :class:`ConfigError` unless the window fits a run of ``steps``."""
        if self.start < 0:
            raise ConfigError("start", self.start, "a step >= 0")
        if not 1 <= self.frames <= MAX_FRAMES:
            raise ConfigError("frames", self.frames, f"1..{MAX_FRAMES} frames")
        if self.every < 1:
            raise ConfigError("every", self.every, "a step interval >= 1")
        if self.last > steps:
            raise ConfigError(
                "start",
                self.start,
                f"a window inside the run's {steps} steps (the last frame would be step "
                f"{self.last}; frames at start + k*every, k < frames)",
            )


def window_ending(end: int, frames: int = END_FRAMES, every: int = END_EVERY) -> FrameWindow:
    """Up to ``frames`` frames ``every`` steps apart (closer in short runs) ending at ``end``."""
    every = max(1, min(every, end // max(1, frames - 1)))
    count = min(frames, end // every + 1)
    return FrameWindow(start=end - (count - 1) * every, frames=count, every=every)


def end_window(steps: int) -> FrameWindow:
    """The frames a run of ``steps`` steps keeps: its last :data:`END_FRAMES` frames."""
    return window_ending(steps)


class FrameTap:
    """A ``rollout.Recorder`` keeping ``game.render_rgb(copy, scale)`` at a window's steps.

    :meth:`watch` binds it to a game (reset, at step 0) and to the recorder it passes every
    step on to; ``frames[t]`` is the picture after ``t`` steps.
    """

    def __init__(self, window: FrameWindow, copy: int = 0, scale: int = 8) -> None:
        self.window, self.copy, self.scale = window, copy, scale
        self.wanted = set(window.steps)
        self.frames: dict[int, np.ndarray] = {}
        self.game: Any = None
        self.inner: Recorder | None = None

    def watch(self, game: Any, inner: Recorder | None = None) -> Recorder | None:
        """Watch ``game`` (just reset) and pass steps on to ``inner``; return the recorder.

        A game without ``render_rgb`` is not watched: ``inner`` itself is returned. A copy
        outside the game is a one-line :class:`ConfigError`.
        """
        if not callable(getattr(game, "render_rgb", None)):
            return inner
        n_copies = int(np.max(game.copies)) + 1
        if not 0 <= self.copy < n_copies:
            raise ConfigError("copy", self.copy, f"a copy index in 0..{n_copies - 1}")
        self.game, self.inner = game, inner
        if 0 in self.wanted:
            self.frames[0] = game.render_rgb(self.copy, self.scale)
        return self

    @property
    def rows(self) -> Any:
        """The watched recorder's metric rows (the runner's live listener reads them)."""
        return getattr(self.inner, "rows", None)

    def record(self, record: StepRecord) -> None:
        """Pass the step on; keep the picture after step ``record.step`` if it is wanted."""
        if self.inner is not None:
            self.inner.record(record)
        t = record.step + 1
        if t in self.wanted:
            self.frames[t] = self.game.render_rgb(self.copy, self.scale)

    def pictures(self) -> list[np.ndarray]:
        """The frames in window order (all of them must have been seen)."""
        return [self.frames[t] for t in self.window.steps]

    def stored(self) -> dict[str, Any] | None:
        """The run's ``extra["frames"]`` (module docstring); ``None`` if no frame was kept."""
        if set(self.frames) != self.wanted:
            return None
        from PIL import Image

        row = np.concatenate(self.pictures(), axis=1)
        buffer = io.BytesIO()
        Image.fromarray(np.ascontiguousarray(row, dtype=np.uint8)).save(buffer, format="PNG")
        return {
            "copy": self.copy,
            "scale": self.scale,
            "steps": self.window.steps,
            "png": base64.b64encode(buffer.getvalue()).decode("ascii"),
        }


def stored_frames(extra: Any) -> tuple[list[int], list[np.ndarray]] | None:
    """``(steps, frames)`` kept in a run's ``extra`` (JSON text or dict), or ``None``."""
    import json

    from PIL import Image

    if isinstance(extra, str):
        try:
            extra = json.loads(extra)
        except ValueError:
            return None
    kept = extra.get("frames") if isinstance(extra, Mapping) else None
    if not isinstance(kept, Mapping) or not kept.get("steps") or "png" not in kept:
        return None
    steps = [int(t) for t in kept["steps"]]
    image = np.asarray(Image.open(io.BytesIO(base64.b64decode(kept["png"]))).convert("RGB"))
    if image.shape[1] % len(steps):
        return None
    return steps, list(np.split(image, len(steps), axis=1))


Replay = Callable[[Mapping[str, Any], int, int, FrameTap], None]
"""``replay(config, seed, seed_index, tap)``: play the stored run up to ``tap.window.last``
steps with ``tap`` watching it (``tap.watch(game)`` on the fresh game, then every step)."""


def renderable_games() -> list[str]:
    """The registered game ids that draw pictures (a ``render_rgb`` method)."""
    return [
        e.id for e in registry.entries("game") if callable(getattr(e.factory, "render_rgb", None))
    ]


def _range(text: Any, field: str) -> tuple[int, int]:
    try:
        start, stop = (int(part) for part in str(text).split(":"))
    except ValueError:
        raise ConfigError(field, text, "a stored range 'start:stop'") from None
    return start, stop


def simulation_from_config(
    config: Mapping[str, Any], sequence: np.random.SeedSequence
) -> Simulation:
    """The simulation of a stored run config at step 0, built as the runner builds it."""
    game_seq, mechanism_seq, *learner_seqs = sequence.spawn(2 + len(config["learners"]))
    game = registry.make_game(config["game"]["id"], config["game"]["params"], "game")
    mechanism_spec = config["mechanism"]
    mechanism = registry.make_mechanism(
        mechanism_spec["id"], mechanism_spec["params"], game, make_rng(mechanism_seq), "mechanism"
    )
    groups = []
    for k, (spec, seq) in enumerate(zip(config["learners"], learner_seqs, strict=True)):
        start, stop = _range(spec["agents"], f"learners.{k}.agents")
        context = LearnerContext.for_game(game, start, stop)
        learner = registry.make_learner(
            spec["id"], spec["params"], context, make_rng(seq), f"learners.{k}"
        )
        groups.append(LearnerGroup(start, stop, learner))
    return Simulation(game, groups, mechanism, make_rng(game_seq))


def replay_first_phase(
    config: Mapping[str, Any], seed: int, seed_index: int, tap: FrameTap
) -> None:
    """The :data:`Replay` of this layer: up to the run's first phase only (module docstring)."""
    phases = config.get("phases") or []
    if phases and tap.window.last > int(phases[0]["at_step"]):
        at = int(phases[0]["at_step"])
        raise ConfigError(
            "start", tap.window.start, f"a window ending by step {at}, where the run's first "
            "phase starts (without the experiments layer's replay, frames are re-simulated up "
            "to the first phase only)",
        )  # fmt: skip
    simulation = simulation_from_config(config, run_seed(seed, seed_index))
    simulation.run(tap.window.last, tap.watch(simulation.game))


def episode_frames(
    config: Mapping[str, Any],
    seed: int,
    seed_index: int,
    window: FrameWindow,
    *,
    copy: int = 0,
    scale: int = 8,
    replay: Replay | None = None,
) -> list[np.ndarray]:
    """``uint8[H·scale, W·scale, 3]`` pictures of ``copy`` at ``window.steps`` of a stored run.

    ``config``: the run's stored config; ``seed`` / ``seed_index``: its experiment seed and
    seed index (the ``runs`` table's columns); ``replay``: who plays the run (default
    :func:`replay_first_phase`). Raises :class:`ConfigError` (one line) for a game that does
    not render, a window outside the run (or past its first phase without a phase-aware
    ``replay``), a bad copy or scale.
    """
    game_id = str(config["game"]["id"])
    allowed = renderable_games()
    if game_id not in allowed:
        raise ConfigError("run", game_id, f"a run of a game that renders ({', '.join(allowed)})")
    window.check(int(config["steps"]))
    if scale < 3:
        raise ConfigError("scale", scale, "at least 3 pixels per cell")
    tap = FrameTap(window, copy, scale)
    (replay or replay_first_phase)(config, seed, seed_index, tap)
    return tap.pictures()
