"""Named objectives of a mechanism search, and the run function that measures them.

An objective is a number read off the *learned* outcome of one run — its summary (each
metric's mean over the final ``summary_window`` of records, :func:`~incentive_lab.evaluation.
metrics.summarise`) — and averaged over seeds by the search. Names users type
(``design.objective``) and their default directions:

==================  =========  ==========================================================
name                direction  value of one run
==================  =========  ==========================================================
social_welfare      maximize   ``Σ_i x_i``: total base reward per step
mean_reward         maximize   ``mean_i x_i``
min_reward          maximize   ``min_i x_i`` (egalitarian welfare)
cooperation_rate    maximize   fraction of (agent, step) pairs playing the cooperative action
nash_welfare        maximize   ``(Π_i max(x_i, 0))^(1/n)`` (below)
gini                minimize   Gini index of ``x`` (signed-reward definition of ``metrics``)
==================  =========  ==========================================================

where ``x_i`` is agent ``i``'s mean base reward per step over the summary window. A
direction may be overridden (``direction: maximize`` with ``gini`` searches for inequality).

**Nash welfare.** The Nash social welfare of Nash (1950) and Kaneko & Nakamura (1979) is the
product ``Π_i x_i``; we report its geometric mean ``(Π_i x_i)^(1/n) = exp(mean_i log x_i)``,
which has the same maximiser for a fixed population, is on the scale of one reward (so it is
comparable with ``mean_reward``; by AM-GM it never exceeds it) and does not overflow for
large ``n``. It is defined for positive rewards only: a mean reward ``x_i ≤ 0`` counts as
``0`` and makes the Nash welfare ``0``. Games with signed payoffs should be shifted (matrix
games take their ``payoffs`` as a parameter) so that the worst outcome one cares about is
just above zero — the shift is part of the welfare judgement, so it is the user's to make.

Nash welfare needs per-agent means, which the window recorder does not keep:
:func:`execute_design_run` is
:func:`~incentive_lab.experiments.execution.runner.execute_run` with an
:class:`AgentMeansRecorder` that also sums each agent's base rewards over the summary window,
and adds ``nash_welfare`` to the run's summary.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from incentive_lab.core import registry
from incentive_lab.core.errors import ConfigError, unknown_choice
from incentive_lab.core.types import FloatArray
from incentive_lab.evaluation.recorder import WindowRecorder
from incentive_lab.experiments.config.plan import RunTask
from incentive_lab.experiments.config.records import RunResult
from incentive_lab.experiments.execution.runner import execute_run
from incentive_lab.rollout import StepRecord

Direction = Literal["maximize", "minimize"]


@dataclass(frozen=True)
class Objective:
    """A named objective: the summary metric it reads and its default direction."""

    name: str
    metric: str
    direction: Direction
    description: str


OBJECTIVES: dict[str, Objective] = {
    o.name: o
    for o in (
        Objective("social_welfare", "social_welfare", "maximize", "total base reward per step"),
        Objective("mean_reward", "mean_reward", "maximize", "mean base reward per agent"),
        Objective("min_reward", "min_reward", "maximize", "worst agent's mean base reward"),
        Objective(
            "cooperation_rate", "cooperation_rate", "maximize", "share of cooperative actions"
        ),
        Objective(
            "nash_welfare", "nash_welfare", "maximize", "geometric mean of agents' mean rewards"
        ),
        Objective("gini", "gini", "minimize", "inequality of agents' mean rewards"),
    )
}
"""The objectives a design config may name."""


def get_objective(name: str, field: str = "design.objective") -> Objective:
    """The objective called ``name``; an unknown name is a :class:`ConfigError`."""
    if name not in OBJECTIVES:
        raise unknown_choice(field, name, OBJECTIVES)
    return OBJECTIVES[name]


def check_available(objective: Objective, game_id: str, game_params: dict[str, object]) -> None:
    """``cooperation_rate`` needs a game that declares a cooperative action."""
    if objective.metric != "cooperation_rate":
        return
    game = registry.make_game(game_id, game_params)
    if game.metadata.cooperative_action is None:
        raise ConfigError(
            "design.objective",
            objective.name,
            f"an objective the game {game_id!r} reports (it declares no cooperative action); "
            f"allowed: {', '.join(n for n in OBJECTIVES if n != 'cooperation_rate')}",
        )


def nash_welfare(mean_rewards: FloatArray) -> float:
    """``(Π_i max(x_i, 0))^(1/n)`` of ``float64[n]`` mean rewards, computed in log space."""
    x = np.asarray(mean_rewards, dtype=np.float64).reshape(-1)
    if x.size == 0 or np.any(x <= 0.0):
        return 0.0
    return float(np.exp(np.mean(np.log(x))))


def summary_start(steps: int, record_every: int, fraction: float) -> int:
    """First step of the summary window (the last ``ceil(fraction · R)`` of ``R`` records)."""
    records = math.ceil(steps / record_every)
    kept = max(1, math.ceil(fraction * records - 1e-9))
    return (records - kept) * record_every


class AgentMeansRecorder(WindowRecorder):
    """A :class:`WindowRecorder` that also sums base rewards per agent from ``start`` on."""

    def __init__(
        self, n_agents: int, record_every: int, cooperative_action: int | None, start: int
    ) -> None:
        super().__init__(n_agents, record_every, cooperative_action)
        self.start = start
        self._tail: FloatArray = np.zeros(n_agents)
        self._tail_steps = 0

    def record(self, record: StepRecord) -> None:
        """Record the step; from ``start`` on, also add its base rewards per agent."""
        if record.step >= self.start:
            self._tail += record.base_rewards
            self._tail_steps += 1
        super().record(record)

    def agent_means(self) -> FloatArray:
        """``float64[n]``: each agent's mean base reward per step since ``start``."""
        return self._tail / max(1, self._tail_steps)


def execute_design_run(task: RunTask) -> RunResult:
    """:func:`~incentive_lab.experiments.execution.runner.execute_run` plus ``nash_welfare``."""
    config = task.config
    game = registry.make_game(config["game"]["id"], config["game"]["params"])
    fraction = float(config["summary_window"])
    recorder = AgentMeansRecorder(
        game.n_agents,
        int(config["record_every"]),
        game.metadata.cooperative_action,
        summary_start(int(config["steps"]), int(config["record_every"]), fraction),
    )
    result = execute_run(task, recorder)
    summary = {**result.summary, "nash_welfare": nash_welfare(recorder.agent_means())}
    return dataclasses.replace(result, summary=summary)
