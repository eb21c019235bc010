"""Resolve one run's config: check it against the registry and fill every default in.

:func:`resolve_run` returns a typed :class:`~incentive_lab.experiments.config.resolved.ResolvedRun`;
its ``to_json()`` is the *stored config* of a run — a plain JSON-able dict stored with the
run and hashed into its ``run_id``::

    {"name": ..., "game": {"id", "params"}, "mechanism": {"id", "params"},
     "learners": [{"id", "params", "agents": "start:stop"}, ...],
     "steps": ..., "record_every": ..., "summary_window": ..., "phases": [...]}

Unit params are dumped from their validated parameter models (so every default is explicit
and a later change of a default changes the run id); agent ranges are explicit; the seed
and the sweep are not part of it. Errors are :class:`~incentive_lab.core.errors.ConfigError`
naming the field (``game.params.r_c``, ``learners.1.agents``, ``phases.0.at_step``).

Checking that agent ranges tile the population needs ``n_agents``, and checking that every
unit's declared needs are met (``core.capabilities``) needs what the game offers; only the
game knows both: the resolver builds the game once per distinct game spec (games are cheap
to build; only ``reset`` allocates episode state).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from incentive_lab.core import registry
from incentive_lab.core.capabilities import DESCRIPTION, Capabilities, Capability
from incentive_lab.core.errors import ConfigError
from incentive_lab.experiments.config.memory import check_population
from incentive_lab.experiments.config.phases import phase_states, resolve_unit
from incentive_lab.experiments.config.records import canonical_json
from incentive_lab.experiments.config.resolved import LearnerGroupSpec, ResolvedRun, Unit
from incentive_lab.experiments.config.schema import LearnerSpec, RunConfig, parse

EXPERIMENT_ONLY = ("seeds", "seed", "sweep")
"""Experiment fields that are not part of a run's resolved config."""


def resolve_run(raw: dict[str, Any], games: dict[str, Any] | None = None) -> ResolvedRun:
    """The resolved run of a raw mapping with the fields of ``RunConfig``.

    ``games`` caches what resolution learns from building a game (``n_agents`` and the
    capabilities it offers) per game spec across calls (a sweep resolves many points).
    Raises a :class:`ConfigError` for any invalid field, and for a learner or mechanism that
    needs a capability the game does not offer (:func:`check_fit`).
    """
    run = parse(RunConfig, {k: v for k, v in raw.items() if k not in EXPERIMENT_ONLY})
    game_entry = registry.get("game", run.game.id, "game.id")
    game = Unit("game", run.game.id, game_entry.validate(run.game.params, "game.params"))
    n_agents, offered = _built(game, games)
    mechanism_entry = registry.get("mechanism", run.mechanism.id, "mechanism.id")
    mechanism = Unit(
        "mechanism",
        run.mechanism.id,
        mechanism_entry.validate(run.mechanism.params, "mechanism.params"),
    )
    ranges = agent_ranges(run.learners, n_agents)
    learners = []
    for k, (spec, (start, stop)) in enumerate(zip(run.learners, ranges, strict=True)):
        entry = registry.get("learner", spec.id, f"learners.{k}.id")
        params = entry.validate(spec.params, f"learners.{k}.params")
        learners.append(LearnerGroupSpec(Unit("learner", spec.id, params), start, stop))
    record_every = run.record_every or max(1, run.steps // 100)
    if record_every > run.steps:
        raise ConfigError("record_every", record_every, f"at most steps ({run.steps})")
    phases = phase_states(game.to_json(), mechanism.to_json(), run.phases, run.steps)
    phase_mechanisms = tuple(
        Unit(
            "mechanism",
            phase.mechanism["id"],
            registry.get("mechanism", phase.mechanism["id"]).validate(
                phase.mechanism["params"], f"phases.{k}.mechanism.params"
            ),
        )
        for k, phase in enumerate(phases)
    )
    check_fit(game.id, offered, mechanism, learners, phase_mechanisms)
    return ResolvedRun(
        name=run.name,
        game=game,
        mechanism=mechanism,
        learners=tuple(learners),
        steps=run.steps,
        record_every=record_every,
        summary_window=run.summary_window,
        phases=tuple(phases),
        phase_mechanisms=phase_mechanisms,
        stored_phases=tuple(
            {"at_step": spec.at_step, "overrides": _normalised(spec.overrides, f"phases.{k}")}
            for k, spec in enumerate(run.phases)
        ),
        report=_report(run),
    )


def _report(run: RunConfig) -> dict[str, Any] | None:
    """The stored report settings: only the thresholds given (``None`` when none is)."""
    if run.report is None:
        return None
    stored = run.report.model_dump(mode="json", exclude_none=True)
    return stored if stored.get("thresholds") else None


def check_fit(
    game_id: str,
    offered: Capabilities,
    mechanism: Unit,
    learners: Sequence[LearnerGroupSpec],
    phase_mechanisms: Sequence[Unit] = (),
) -> None:
    """Every unit's declared needs are met, before anything runs.

    A learner or mechanism that requires a capability the game does not offer, and a
    learner that needs differentiable shaping (gradient play) with a mechanism that offers
    none, raise a :class:`ConfigError` naming the unit, the capability and the games (or
    mechanisms) that offer it.
    """
    mechanisms = [("mechanism", mechanism)] + [
        (f"phases.{k}.overrides.mechanism", unit) for k, unit in enumerate(phase_mechanisms)
    ]
    units = [(f"learners.{k}", group.unit) for k, group in enumerate(learners)]
    for field, unit in [*mechanisms, *units]:
        entry = registry.get(unit.kind, unit.id)
        for capability in sorted(entry.needs(unit.params) - offered):
            games = ", ".join(registry.offering(capability)) or "none registered"
            factory = registry.get("game", game_id).factory
            condition = getattr(factory, "capability_conditions", {}).get(capability)
            which = (
                f"which game {game_id!r} offers only with game.params.{condition}"
                if condition
                else f"which game {game_id!r} does not offer; games that offer it: {games}"
            )
            raise ConfigError(
                f"{field}.id",
                unit.id,
                f"{unit.kind} {unit.id!r} needs {capability.value} ({DESCRIPTION[capability]}), "
                + which,
            )
    for k, group in enumerate(learners):
        if Capability.DIFFERENTIABLE not in registry.get("learner", group.unit.id).needs(
            group.unit.params
        ):
            continue
        for field, unit in mechanisms:
            if Capability.LOSS_SHAPING not in registry.get("mechanism", unit.id).offers:
                shaping = [
                    e.id
                    for e in registry.entries("mechanism")
                    if Capability.LOSS_SHAPING in e.offers
                ]
                raise ConfigError(
                    f"{field}.id",
                    unit.id,
                    f"learner {group.unit.id!r} (learners.{k}) optimises differentiable losses and "
                    f"needs a mechanism offering loss_shaping: {', '.join(shaping)}",
                )


def _normalised(overrides: dict[str, Any], field: str) -> dict[str, Any]:
    """Overrides as given, except a whole ``mechanism`` spec is stored resolved."""
    out = dict(overrides)
    if "mechanism" in out:
        out["mechanism"] = resolve_unit("mechanism", out["mechanism"], f"{field}.mechanism")
    return out


def _built(game: Unit, cache: dict[str, Any] | None) -> tuple[int, Capabilities]:
    """``n_agents`` and the capabilities offered by ``game`` (built once per spec)."""
    key = canonical_json(game.to_json())
    if cache is not None and key in cache:
        cached: tuple[int, Capabilities] = cache[key]
        return cached
    check_population(game.params)
    instance = game.build()
    out = (int(instance.n_agents), instance.offers())
    if cache is not None:
        cache[key] = out
    return out


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
