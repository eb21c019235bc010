"""Pictures of a stored run: re-simulate it from its stored config and seed, keep frames.

A stored run keeps metrics, never states. Its episode is recovered by playing the run again:
the loop is deterministic given the run's stored config (``runs.config``, the resolved
config hashed into its ``run_id``) and its seed sequence ``core.seeding.run_seed(seed,
seed_index)``. :func:`simulation_from_config` rebuilds the simulation exactly as the
runner does (``experiments.execution.runner.build_simulation``): the sequence spawns
``[game, mechanism, learner group 0, 1, ...]``, each unit is built by its registered factory
from its stored (complete) params, the loop's generator is the game's child. Replaying the
first ``t`` steps therefore reproduces the stored run's first ``t`` steps bit for bit
(``tests/evaluation/test_episode_frames.py`` checks the re-simulated metrics against the
stored ones).

:class:`FrameWindow` chooses the frames: steps ``start, start + every, ...`` (``frames`` of
them). Frame ``t`` is copy ``copy`` after ``t`` steps of the run (``t = 0``: the first
episode's initial state); a frame at an episode's last step shows the final state before
the game restarts. Only the first ``start + (frames − 1)·every`` steps are simulated.

:func:`episode_frames` does both for any game with a ``render_rgb(copy, scale)`` method
(the gridworld games ``coins``, ``harvest``, ``cleanup``); other games are refused with one
line naming those that render. Runs with ``phases`` are replayed up to their first phase
only (the phases' rule changes are applied by the experiments layer, which this layer does
not import): a window past it is refused with one line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from incentive_lab.core import registry
from incentive_lab.core.errors import ConfigError
from incentive_lab.core.learner import LearnerContext
from incentive_lab.core.seeding import make_rng, run_seed
from incentive_lab.rollout import LearnerGroup, Simulation, StepRecord

MAX_FRAMES = 500
"""Most frames one window may hold."""


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


class FrameRecorder:
    """A ``rollout.Recorder`` keeping ``game.render_rgb(copy, scale)`` at the window's steps."""

    def __init__(self, game: Any, window: FrameWindow, copy: int = 0, scale: int = 8) -> None:
        self.game, self.copy, self.scale = game, copy, scale
        self.wanted = set(window.steps)
        self.frames: dict[int, np.ndarray] = {}
        if 0 in self.wanted:  # the simulation has just reset the game: the initial state
            self.frames[0] = game.render_rgb(copy, scale)

    def record(self, record: StepRecord) -> None:
        """Keep the picture after step ``record.step`` if the window shows it."""
        t = record.step + 1
        if t in self.wanted:
            self.frames[t] = self.game.render_rgb(self.copy, self.scale)


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


def episode_frames(
    config: Mapping[str, Any],
    seed: int,
    seed_index: int,
    window: FrameWindow,
    *,
    copy: int = 0,
    scale: int = 8,
) -> list[np.ndarray]:
    """``uint8[H·scale, W·scale, 3]`` pictures of ``copy`` at ``window.steps`` of a stored run.

    ``config``: the run's stored config; ``seed`` / ``seed_index``: its experiment seed and
    seed index (the ``runs`` table's columns). Raises :class:`ConfigError` (one line) for a
    game that does not render, a window outside the run or past its first phase, a bad copy.
    """
    game_id = str(config["game"]["id"])
    allowed = renderable_games()
    if game_id not in allowed:
        raise ConfigError("run", game_id, f"a run of a game that renders ({', '.join(allowed)})")
    window.check(int(config["steps"]))
    phases = config.get("phases") or []
    if phases and window.last > int(phases[0]["at_step"]):
        at = int(phases[0]["at_step"])
        raise ConfigError(
            "start", window.start, f"a window ending by step {at}, where the run's first phase "
            "starts (frames are re-simulated up to the first phase only)",
        )  # fmt: skip
    if scale < 3:
        raise ConfigError("scale", scale, "at least 3 pixels per cell")
    simulation = simulation_from_config(config, run_seed(seed, seed_index))
    n_copies = int(np.max(simulation.game.copies)) + 1
    if not 0 <= copy < n_copies:
        raise ConfigError("copy", copy, f"a copy index in 0..{n_copies - 1}")
    recorder = FrameRecorder(simulation.game, window, copy, scale)
    simulation.run(window.last, recorder)
    return [recorder.frames[t] for t in window.steps]
