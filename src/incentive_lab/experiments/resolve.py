"""Resolve one run's config: check it against the registry and fill every default in.

The *resolved config* of a run is a plain JSON-able dict — the thing stored with the run
and hashed into its ``run_id``::

    {"name": ..., "game": {"id", "params"}, "mechanism": {"id", "params"},
     "learners": [{"id", "params", "agents": "start:stop"}, ...],
     "steps": ..., "record_every": ..., "summary_window": ..., "phases": [...]}

Unit params are dumped from their validated parameter models (so every default is explicit
and a later change of a default changes the run id); agent ranges are explicit; the seed
and the sweep are not part of it. Errors are :class:`~incentive_lab.core.errors.ConfigError`
naming the field (``game.params.r_c``, ``learners.1.agents``, ``phases.0.at_step``).

Checking that agent ranges tile the population needs ``n_agents``, which only the game
knows: the resolver builds the game once per distinct game spec (games are cheap to build;
only ``reset`` allocates episode state).
"""

from __future__ import annotations

from typing import Any

from incentive_lab.core import registry
from incentive_lab.core.errors import ConfigError
from incentive_lab.experiments.phases import dump_params, phase_states, resolve_unit
from incentive_lab.experiments.records import canonical_json
from incentive_lab.experiments.schema import LearnerSpec, RunConfig, parse

EXPERIMENT_ONLY = ("seeds", "seed", "sweep")
"""Experiment fields that are not part of a run's resolved config."""


def resolve_run(raw: dict[str, Any], games: dict[str, int] | None = None) -> dict[str, Any]:
    """The resolved config of one run from a raw mapping with the fields of ``RunConfig``.

    ``games`` caches ``n_agents`` per game spec across calls (a sweep resolves many points).
    """
    run = parse(RunConfig, {k: v for k, v in raw.items() if k not in EXPERIMENT_ONLY})
    game_entry = registry.get("game", run.game.id, "game.id")
    game_params = game_entry.validate(run.game.params, "game.params")
    game = {"id": run.game.id, "params": dump_params(game_params)}
    n_agents = _n_agents(game_entry, game_params, game, games)
    mechanism_entry = registry.get("mechanism", run.mechanism.id, "mechanism.id")
    mechanism = {
        "id": run.mechanism.id,
        "params": dump_params(mechanism_entry.validate(run.mechanism.params, "mechanism.params")),
    }
    ranges = agent_ranges(run.learners, n_agents)
    learners = []
    for k, (spec, (start, stop)) in enumerate(zip(run.learners, ranges, strict=True)):
        entry = registry.get("learner", spec.id, f"learners.{k}.id")
        params = entry.validate(spec.params, f"learners.{k}.params")
        learners.append({"id": spec.id, "params": dump_params(params), "agents": f"{start}:{stop}"})
    record_every = run.record_every or max(1, run.steps // 100)
    if record_every > run.steps:
        raise ConfigError("record_every", record_every, f"at most steps ({run.steps})")
    phase_states(game, mechanism, run.phases, run.steps)  # validates every phase
    return {
        "name": run.name,
        "game": game,
        "mechanism": mechanism,
        "learners": learners,
        "steps": run.steps,
        "record_every": record_every,
        "summary_window": run.summary_window,
        "phases": [
            {"at_step": spec.at_step, "overrides": _normalised(spec.overrides, f"phases.{k}")}
            for k, spec in enumerate(run.phases)
        ],
    }


def _normalised(overrides: dict[str, Any], field: str) -> dict[str, Any]:
    """Overrides as given, except a whole ``mechanism`` spec is stored resolved."""
    out = dict(overrides)
    if "mechanism" in out:
        out["mechanism"] = resolve_unit("mechanism", out["mechanism"], f"{field}.mechanism")
    return out


def _n_agents(entry: Any, params: Any, game: dict[str, Any], cache: dict[str, int] | None) -> int:
    key = canonical_json(game)
    if cache is not None and key in cache:
        return cache[key]
    n_agents = int(entry.factory(params).n_agents)
    if cache is not None:
        cache[key] = n_agents
    return n_agents


def parse_range(text: str, n_agents: int, field: str) -> tuple[int, int]:
    """``"start:stop"`` (``stop`` may be empty: to the end) as a pair of ints."""
    start_text, sep, stop_text = text.partition(":")
    try:
        if not sep:
            raise ValueError
        start = int(start_text)
        stop = int(stop_text) if stop_text.strip() else n_agents
    except ValueError:
        raise ConfigError(field, text, 'a range "start:stop" of agent indices') from None
    return start, stop


def agent_ranges(groups: tuple[LearnerSpec, ...], n_agents: int) -> list[tuple[int, int]]:
    """The ``(start, stop)`` of each group; the ranges must tile ``0:n_agents`` in order."""
    if len(groups) == 1 and groups[0].agents is None:
        return [(0, n_agents)]
    position, out = 0, []
    for k, group in enumerate(groups):
        field = f"learners.{k}.agents"
        if group.agents is None:
            raise ConfigError(field, None, "required when there are several learner groups")
        start, stop = parse_range(group.agents, n_agents, field)
        if start != position or stop <= start or stop > n_agents:
            raise ConfigError(
                field,
                group.agents,
                f"contiguous non-empty ranges covering 0:{n_agents} in order "
                f"(this one must start at {position} and stop at most at {n_agents})",
            )
        out.append((start, stop))
        position = stop
    if position != n_agents:
        raise ConfigError(
            f"learners.{len(groups) - 1}.agents",
            groups[-1].agents,
            f"the learner groups must cover all {n_agents} agents (they stop at {position})",
        )
    return out
