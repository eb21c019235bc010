"""Schelling analyses as stored experiments: every profile of cooperators is a stored run.

``incentive-lab schelling CONFIG`` (and :func:`run_schelling`) measures the Schelling diagram
of a game's scripted bots (``evaluation.schelling``, Hughes et al. 2018) and keeps it in the
run store like any experiment, so it resumes, reproduces and reports:

* the profile with ``k`` cooperators among the ``N`` players of every copy (``k = 0..N``)
  is an ordinary run config: the game and mechanism of the analysis, learner groups
  ``scripted`` with ``policy: <cooperator>`` on agents ``0:k·C`` and ``policy: <defector>``
  on ``k·C:N·C`` (rows are player-major, ``C`` copies), ``steps`` (default one episode),
  one recorded window. It is resolved by ``config.resolve.resolve_run``, identified by
  ``make_run_id(config, seed, seed_index)`` and computed by ``runner.execute_run``, so a run
  already stored is skipped and the same spec gives the same run ids on any machine;
* the sweep point of a run is ``{"schelling.cooperators": k}`` (:data:`POINT`);
* :func:`execute_schelling_run` adds the diagram's raw numbers to the run's summary: per
  reward kind (``base``: the game's rewards; ``shaped``: what the mechanism pays) the mean
  return per agent over the run of the profile, of its cooperators and of its defectors
  (``schelling/<kind>/collective|cooperator|defector``; a side with no player is absent),
  computed by ``evaluation.schelling.profile_returns``. The seeds are built as
  ``evaluation.schelling.schelling`` builds them, so the stored diagram is the function's
  diagram bit for bit;
* the experiment's name (default ``<config name>-schelling``) is bound in the store to the
  hash of the analysis (game, mechanism, steps, bots, seed; not the number of seeds): a
  different analysis under a stored name is refused.

The report (``evaluation.report.schelling``) recognises such an experiment by its summary
names and draws its diagram with CIs and the dilemma verdicts instead of a candidate
comparison.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from incentive_lab.core import registry
from incentive_lab.core.capabilities import Capability, provided
from incentive_lab.core.errors import ConfigError
from incentive_lab.core.scripted import COOPERATOR, DEFECTOR
from incentive_lab.evaluation.recorder import WindowRecorder
from incentive_lab.evaluation.schelling import (
    PROFILE_SIDES,
    SUMMARY_PREFIX,
    player_count,
    profile_groups,
    profile_returns,
)
from incentive_lab.experiments.config.plan import Plan, RunTask
from incentive_lab.experiments.config.records import RunResult, canonical_json, make_run_id
from incentive_lab.experiments.config.resolve import resolve_run
from incentive_lab.experiments.execution.orchestrate import LOCK_WAIT, store_plan
from incentive_lab.experiments.execution.runner import execute_run
from incentive_lab.experiments.execution.store import check_database_file
from incentive_lab.rollout import StepRecord

POINT = "schelling.cooperators"
"""The sweep coordinate of a profile run: its number of cooperators per copy."""


class ReturnsRecorder(WindowRecorder):
    """A :class:`WindowRecorder` that also sums base and shaped rewards per agent."""

    def __init__(self, n_agents: int, record_every: int, cooperative_action: int | None) -> None:
        super().__init__(n_agents, record_every, cooperative_action)
        self.base = np.zeros(n_agents)
        self.shaped = np.zeros(n_agents)

    def record(self, record: StepRecord) -> None:
        """Add the step's rewards per agent, then record it."""
        self.base += record.base_rewards
        self.shaped += record.shaped_rewards
        super().record(record)


def schelling_plan(
    name: str,
    game: Mapping[str, Any],
    mechanism: Mapping[str, Any],
    *,
    seeds: Sequence[int],
    seed: int = 0,
    steps: int | None = None,
    cooperator: str = COOPERATOR,
    defector: str = DEFECTOR,
) -> Plan:
    """The runs of the analysis: profiles ``k = 0..N`` × ``seeds`` (module docstring).

    ``game`` / ``mechanism``: unit specs ``{"id", "params"}``; ``seeds``: seed indices.
    """
    if not seeds:
        raise ConfigError("seeds", list(seeds), "at least one seed")
    probe = registry.make_game(str(game["id"]), dict(game.get("params") or {}), "game")
    if provided(probe, Capability.SCRIPTED_POLICY) is None:
        raise ConfigError("game.id", game["id"], "a game offering scripted_policy")
    players = player_count(probe.copies)
    copies = probe.n_agents // players
    horizon = int(steps) if steps is not None else int(probe.max_steps or 1000)
    spec = {
        "game": dict(game),
        "mechanism": dict(mechanism),
        "steps": horizon,
        "cooperator": cooperator,
        "defector": defector,
        "seed": seed,
    }
    digest = hashlib.sha256(canonical_json({"schelling": spec}).encode()).hexdigest()
    tasks = []
    for k in range(players + 1):
        groups = profile_groups(k, players, copies, (cooperator, defector))
        raw = {
            "name": name,
            "game": dict(game),
            "mechanism": dict(mechanism),
            "learners": [
                {"id": "scripted", "params": {"policy": bot}, "agents": f"{start}:{stop}"}
                for start, stop, bot in groups
            ],
            "steps": horizon,
            "record_every": horizon,
            "summary_window": 1.0,
        }
        run = resolve_run(raw)
        stored = run.to_json()
        for index in seeds:
            run_id = make_run_id(stored, seed, int(index))
            tasks.append(RunTask(run_id, name, seed, int(index), run, {POINT: k}))
    return Plan(name=name, digest=digest, config={"schelling": spec}, tasks=tasks)


def execute_schelling_run(task: RunTask) -> RunResult:
    """:func:`~.runner.execute_run` plus the profile's returns in the summary (module doc)."""
    config = task.config
    game = registry.make_game(config["game"]["id"], config["game"]["params"])
    players = player_count(game.copies)
    recorder = ReturnsRecorder(
        game.n_agents, int(config["record_every"]), game.metadata.cooperative_action
    )
    result = execute_run(task, recorder)
    k = int(task.point[POINT])
    summary = dict(result.summary)
    for kind, returns in (("base", recorder.base), ("shaped", recorder.shaped)):
        for side, value in zip(PROFILE_SIDES, profile_returns(returns, k, players), strict=True):
            if value == value:  # not nan: the side has players
                summary[f"{SUMMARY_PREFIX}{kind}/{side}"] = float(value)
    return dataclasses.replace(result, summary=summary)


def run_schelling(
    plan: Plan,
    db: str | Path,
    *,
    workers: int | None = 1,
    progress: Callable[[int, int], None] | None = None,
    wait: float = LOCK_WAIT,
    on_wait: Callable[[str], None] | None = None,
) -> list[str]:
    """Compute the plan's runs not yet in ``db`` and store them; return all its run ids.

    Stored as ``run`` stores an experiment (``orchestrate.store_plan``: the driver lock, so
    two commands on one store take turns; batched writes). A name bound to another analysis
    (or experiment) is a one-line :class:`ConfigError`.
    """
    path = Path(db)
    check_database_file(path)
    _, run_ids = store_plan(
        plan,
        path,
        fn=execute_schelling_run,
        workers=workers,
        progress=progress,
        wait=wait,
        on_wait=on_wait,
        refusal="a name not yet used for another analysis or experiment in this database "
        "(choose another with --name)",
    )
    return list(run_ids)
