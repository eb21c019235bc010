"""Compute one run: build the units, roll out phase by phase, record, summarise.

:func:`execute_run` is pure (no I/O, no global state) and top-level, so executors can ship
it to worker processes or Ray tasks; the same
:class:`~incentive_lab.experiments.config.plan.RunTask`
always gives the same metrics and summary, bit for bit.

**Randomness.** The run's ``SeedSequence`` is ``core.seeding.run_seed(seed, seed_index)`` —
it depends only on the experiment seed and the seed index, never on the sweep point, so
paired runs at different sweep points share their random streams (common random numbers).
Children are spawned in a fixed order: ``[game, mechanism, learner group 0, 1, ...]``; the
mechanisms built by later phases draw from children spawned from the mechanism's sequence
(one per phase). Adding a learner group never shifts the game's or the mechanism's stream.

**Phases.** The simulation runs in segments split at each phase's ``at_step``; between
segments the game is reconfigured in place, the mechanism reconfigured or rebuilt
(:mod:`~incentive_lab.experiments.config.phases`), and the learners left alone.

**Step progress.** Inside :func:`step_progress` (the driver uses it around a run computed
inline, e.g. ``workers=1`` or a single run) the rollout advances in chunks of at most
:data:`STEP_CHUNKS`-th of the run and calls ``listener(steps_done, steps_total)`` after each;
chunking only splits the same sequence of steps, so results are unchanged. Worker processes
never see a listener.

**Live metrics.** Inside :func:`live_metrics` the rollout advances in the same chunks and
hands the metric rows ``(step, name, value)`` recorded since the last chunk to the listener
(finally the rows of the last, flushed window): trackers that watch runs as they go
(``experiments.execution.tracking``) get them in the driver, and from worker processes
through the executor's queue. The rows are the run's own, so results are unchanged.

**Frames.** A run of a game that renders keeps its last frames of copy 0
(``evaluation.episode_frames.FrameTap`` on ``end_window``, passing every step on to the
recorder) in ``extra["frames"]``; the report's episode strips draw them without a replay.
``experiments.execution.replay`` replays a stored run through :func:`simulate`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import numpy as np

import incentive_lab
from incentive_lab.core.errors import located
from incentive_lab.core.learner import LearnerContext
from incentive_lab.core.seeding import make_rng, run_seed
from incentive_lab.evaluation.convergence import dynamics_summary, price_of_anarchy
from incentive_lab.evaluation.episode_frames import STORED_SCALE, FrameTap, end_window
from incentive_lab.evaluation.metrics import summarise
from incentive_lab.evaluation.recorder import WindowRecorder
from incentive_lab.evaluation.snapshots import lattice_side, lattice_snapshot
from incentive_lab.experiments.config.plan import RunTask
from incentive_lab.experiments.config.records import RunResult
from incentive_lab.experiments.config.resolved import ResolvedRun
from incentive_lab.rollout import LearnerGroup, Simulation

STEP_CHUNKS = 200
"""A listened-to run advances in at most this many chunks (plus one per phase change)."""

StepListener = Callable[[int, int], None]
_listener: ContextVar[StepListener | None] = ContextVar("step_listener", default=None)
RowsListener = Callable[[list[tuple[int, str, float]]], None]
_rows_listener: ContextVar[RowsListener | None] = ContextVar("rows_listener", default=None)


@contextmanager
def step_progress(listener: StepListener | None) -> Iterator[None]:
    """Within the block, runs computed in this thread report ``(steps done, total)``."""
    token = _listener.set(listener)
    try:
        yield
    finally:
        _listener.reset(token)


@contextmanager
def live_metrics(listener: RowsListener | None) -> Iterator[None]:
    """Within the block, runs computed in this thread hand their new metric rows on."""
    token = _rows_listener.set(listener)
    try:
        yield
    finally:
        _rows_listener.reset(token)


def _send_rows(recorder: Any, sent: list[int]) -> None:
    """Hand the rows recorded since ``sent[0]`` to the live listener, if there is one."""
    listener = _rows_listener.get()
    rows = getattr(recorder, "rows", None)
    if listener is None or rows is None or len(rows) <= sent[0]:
        return
    fresh = list(rows[sent[0] :])
    sent[0] = len(rows)
    listener(fresh)


def _advance(sim: Simulation, steps: int, recorder: Any, total: int, sent: list[int]) -> None:
    """``sim.run(steps, recorder)``, in chunks that report to the listeners if there are any."""
    listener = _listener.get()
    if listener is None and _rows_listener.get() is None:
        sim.run(steps, recorder)
        return
    chunk = max(1, -(-total // STEP_CHUNKS))
    end = sim.step_count + steps
    while sim.step_count < end:
        sim.run(min(chunk, end - sim.step_count), recorder)
        _send_rows(recorder, sent)
        if listener is not None:
            listener(sim.step_count, total)


def build_simulation(
    run: ResolvedRun, sequence: np.random.SeedSequence
) -> tuple[Simulation, list[np.random.SeedSequence]]:
    """The simulation of a resolved ``run`` and the seed sequences for phase mechanisms.

    Units are built by their registered factories from the already validated params.
    """
    game_seq, mechanism_seq, *learner_seqs = sequence.spawn(2 + len(run.learners))
    phase_seqs = mechanism_seq.spawn(len(run.phases))
    game = run.game.build()
    mechanism = run.mechanism.build(game, make_rng(mechanism_seq))
    groups = []
    for k, (group, learner_seq) in enumerate(zip(run.learners, learner_seqs, strict=True)):
        context = LearnerContext.for_game(game, group.start, group.stop)
        with located("learner", f"learners.{k}"):
            learner = group.unit.build(context, make_rng(learner_seq))
        groups.append(LearnerGroup(group.start, group.stop, learner))
    return Simulation(game, groups, mechanism, make_rng(game_seq)), phase_seqs


def simulate(
    run: ResolvedRun,
    sequence: np.random.SeedSequence,
    recorder: WindowRecorder | None = None,
    frames: FrameTap | None = None,
) -> tuple[Simulation, WindowRecorder]:
    """Run a resolved ``run`` from ``sequence``; the final simulation and its recorder.

    ``recorder``: the recorder to fill (a ``WindowRecorder`` or a subclass that keeps more);
    default a new ``WindowRecorder`` for the game. ``frames``: pictures to keep of a game
    that renders (``evaluation.episode_frames.FrameTap``; it passes every step on).
    """
    sim, phase_seqs = build_simulation(run, sequence)
    game = sim.game
    if recorder is None:
        recorder = WindowRecorder(game.n_agents, run.record_every, game.metadata.cooperative_action)
    watched = recorder if frames is None else frames.watch(game, recorder)
    sent = [0]  # rows already handed to a live listener
    for phase, unit, phase_seq in zip(run.phases, run.phase_mechanisms, phase_seqs, strict=True):
        _advance(sim, phase.at_step - sim.step_count, watched, run.steps, sent)
        if phase.game_changes:
            game.reconfigure(**phase.game_changes)
        if phase.new_mechanism:
            sim.mechanism = unit.build(game, make_rng(phase_seq))
        elif phase.mechanism_changes:
            sim.mechanism.reconfigure(**phase.mechanism_changes)
    _advance(sim, run.steps - sim.step_count, watched, run.steps, sent)
    recorder.flush()
    _send_rows(recorder, sent)
    return sim, recorder


def run_summary(
    sim: Simulation, rows: list[tuple[int, str, float]], run: ResolvedRun
) -> dict[str, float]:
    """Final outcomes, plus when they settled (SPEC §4) and the price of anarchy if known.

    ``convergence_step/<m>``, ``stability/<m>`` and, per phase ``k``,
    ``adaptation_time/<m>/<k>`` come from :func:`evaluation.convergence.dynamics_summary`;
    ``price_of_anarchy`` = the game's known optimal mean reward / the learned mean reward
    (reward games; a game that reports its own ``price_of_anarchy`` metric keeps it).
    """
    summary = summarise(rows, float(run.summary_window))
    shifts = [phase.at_step for phase in run.phases]
    summary.update(dynamics_summary(rows, shifts))
    optimum = sim.game.metadata.social_optimum
    if "price_of_anarchy" not in summary and "mean_reward" in summary:
        value = price_of_anarchy(optimum, summary["mean_reward"])
        if value == value:  # not nan
            summary["price_of_anarchy"] = value
    return summary


def execute_run(task: RunTask, recorder: WindowRecorder | None = None) -> RunResult:
    """Compute the run ``task``: metrics time series, summary and timings.

    ``recorder``: a recorder to fill instead of the default one (a subclass that keeps more,
    e.g. the design search's per-agent means).
    """
    started_at = time.time()
    clock = time.perf_counter()
    frames = FrameTap(end_window(task.run.steps), scale=STORED_SCALE)  # games that render
    sim, recorder = simulate(task.run, run_seed(task.seed, task.seed_index), recorder, frames)
    elapsed = time.perf_counter() - clock
    steps = task.run.steps
    extra: dict[str, Any] = {
        "seconds": elapsed,
        "steps_per_second": steps / elapsed if elapsed > 0 else 0.0,
        "episodes": sim.episodes,
        "n_agents": sim.game.n_agents,
    }
    # Learners that keep transcripts (``llm``: prompts and raw answers) store a sample.
    transcripts = {
        f"learner{k}": group.learner.transcripts
        for k, group in enumerate(sim.groups)
        if group.learner.transcripts
    }
    if sim.game.transcripts:  # a game's own model calls (LLM simulated users)
        transcripts["game"] = list(sim.game.transcripts)
    if transcripts:
        extra["transcripts"] = transcripts
    # Games that render: the run's last frames of copy 0, for the report's episode strip.
    kept = frames.stored()
    if kept is not None:
        extra["frames"] = kept
    # Lattice games: the final strategy field, downsampled, for the report's snapshot image.
    if lattice_side(sim.game) is not None:
        extra["snapshot"] = lattice_snapshot(sim.game, sim.act(sim.obs))
    return RunResult(
        run_id=task.run_id,
        experiment=task.experiment,
        seed=task.seed,
        seed_index=task.seed_index,
        config=task.config,
        point=task.point,
        metrics=recorder.rows,
        summary=run_summary(sim, recorder.rows, task.run),
        started_at=started_at,
        finished_at=time.time(),
        package_version=incentive_lab.__version__,
        extra=extra,
    )
