"""Replay a stored run with the runner itself, phases included: frames of any window.

:func:`replay_run` is the full ``evaluation.episode_frames.Replay`` (``incentive-lab render``
and :func:`incentive_lab.evaluation.episode_frames.episode_frames` take it as ``replay=``):
it resolves the run's stored config again (``config.resolve.resolve_run``; a config this
version resolves to something else is refused, since the replay would not be the stored
run), cuts it at the window's last step — the same run with ``steps = last`` and only the
phases that start before it — and plays it with :func:`.runner.simulate` with the
:class:`~incentive_lab.evaluation.episode_frames.FrameTap` watching. ``simulate`` applies the
phases exactly as the run did (game reconfigured, mechanism rebuilt from the mechanism
sequence's phase children or reconfigured, learners left alone), and cutting keeps every
random stream (the phase children are spawned in order, so the first ones are unchanged):
the replay's first ``last`` steps are the stored run's, bit for bit, before and after any
phase (``tests/games/gridworld/test_episode_frames.py``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from incentive_lab.core.errors import ConfigError
from incentive_lab.core.seeding import run_seed
from incentive_lab.evaluation.episode_frames import FrameTap
from incentive_lab.experiments.config.records import canonical_json
from incentive_lab.experiments.config.resolve import resolve_run
from incentive_lab.experiments.config.resolved import ResolvedRun
from incentive_lab.experiments.execution.runner import simulate


def cut(run: ResolvedRun, steps: int) -> ResolvedRun:
    """``run`` stopped after ``steps`` steps: the phases starting before then, no others."""
    kept = [k for k, phase in enumerate(run.phases) if phase.at_step < steps]
    return dataclasses.replace(
        run,
        steps=steps,
        phases=tuple(run.phases[k] for k in kept),
        phase_mechanisms=tuple(run.phase_mechanisms[k] for k in kept),
        stored_phases=tuple(run.stored_phases[k] for k in kept),
        _json={},
    )


def resolved_stored(config: Mapping[str, Any]) -> ResolvedRun:
    """The resolved run of a stored config, refused unless it resolves to that config."""
    run = resolve_run(dict(config))
    if canonical_json(run.to_json()) != canonical_json(dict(config)):
        raise ConfigError(
            "run",
            str(config.get("name", "?")),
            "a run whose stored config this version resolves unchanged (a default or a "
            "unit changed since it was stored, so a replay would not be that run)",
        )
    return run


def replay_run(config: Mapping[str, Any], seed: int, seed_index: int, tap: FrameTap) -> None:
    """Play the stored run up to ``tap.window.last`` steps with ``tap`` watching (module doc)."""
    run = cut(resolved_stored(config), tap.window.last)
    simulate(run, run_seed(seed, seed_index), None, tap)
