"""Phases: regime shifts in the middle of a run, with lifelong learners.

A run may list ``phases``: ``{at_step, overrides}``. From step ``at_step`` on (0-based, so
``at_step`` steps have been played under the earlier rules) the overrides apply, on top of
every earlier phase's. Overrides name dotted paths:

* ``game.params.<name>`` (or ``game.params`` as a whole mapping): the game's rules change
  in place through ``Game.reconfigure`` — its episode state (groups, positions) is kept;
* ``mechanism``: a whole new mechanism spec (``{id: none}`` switches the incentive off);
  a fresh mechanism is built from it;
* ``mechanism.params`` / ``mechanism.params.<name>``: the current mechanism's parameters
  change through ``Mechanism.reconfigure`` — any learned state of the mechanism is kept.

Learners are never touched: they carry their tables and policies across phases, which is
what lets an experiment measure adaptation after a shift and whether cooperation survives
when an incentive stops. The game's ``n_agents`` cannot change mid-run.

:func:`phase_states` computes the resolved game and mechanism spec of each phase; the
config resolver uses it to validate phases before anything runs and the runner uses it to
apply them, so both read the same rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from incentive_lab.core import registry
from incentive_lab.core.errors import ConfigError
from incentive_lab.experiments.config.paths import set_path
from incentive_lab.experiments.config.schema import UnitSpec, parse


@dataclass(frozen=True)
class PhaseState:
    """The rules in force from ``at_step`` on.

    ``game`` / ``mechanism``: resolved specs ``{"id", "params"}`` (defaults filled in);
    ``new_mechanism``: the phase replaces the mechanism (build a fresh one) rather than
    reconfiguring it; ``game_changes`` / ``mechanism_changes``: parameters whose value
    differs from the previous phase.
    """

    at_step: int
    game: dict[str, Any]
    mechanism: dict[str, Any]
    new_mechanism: bool
    game_changes: dict[str, Any]
    mechanism_changes: dict[str, Any]


def resolve_unit(kind: registry.Kind, raw: Any, field: str) -> dict[str, Any]:
    """``{"id", "params"}`` of a unit spec, params validated and defaults filled in."""
    spec = raw if isinstance(raw, UnitSpec) else parse(UnitSpec, raw, field)
    entry = registry.get(kind, spec.id, f"{field}.id")
    params = entry.validate(spec.params, f"{field}.params")
    return {"id": spec.id, "params": dump_params(params)}


def dump_params(params: Any) -> dict[str, Any]:
    """Validated params as a plain JSON-able dict (tuples become lists)."""
    try:
        out: dict[str, Any] = params.model_dump(mode="json")
    except (TypeError, ValueError):  # an arbitrary (non-JSON) type: keep Python values
        out = params.model_dump()
    return out


def _allowed(path: str) -> bool:
    return (
        path in ("mechanism", "mechanism.params", "game.params")
        or path.startswith(("game.params.", "mechanism.params."))
    ) and path != "game.params.n_agents"


def phase_states(
    game: dict[str, Any], mechanism: dict[str, Any], phases: Sequence[Any], steps: int
) -> list[PhaseState]:
    """Resolve ``phases`` (``PhaseSpec`` objects or ``{at_step, overrides}`` dicts).

    ``game`` / ``mechanism``: the resolved specs of the run's start. Raises a
    :class:`ConfigError` naming ``phases.K...`` for a step out of ``(previous, steps)``, a
    path that may not change, or a value the registry rejects.
    """
    state = {"game": game, "mechanism": mechanism}
    previous, out = 0, []
    for k, phase in enumerate(phases):
        at_step = phase["at_step"] if isinstance(phase, dict) else phase.at_step
        overrides = phase["overrides"] if isinstance(phase, dict) else phase.overrides
        if not previous < at_step < steps:
            raise ConfigError(
                f"phases.{k}.at_step",
                at_step,
                f"phases in increasing order with {previous} < at_step < steps ({steps})",
            )
        new_mechanism = False
        before = state
        for path, value in overrides.items():
            field = f"phases.{k}.overrides.{path}"
            if not _allowed(path):
                raise ConfigError(
                    field,
                    value,
                    "a phase may change game.params.<name> (not n_agents), mechanism, "
                    "mechanism.params or mechanism.params.<name>",
                )
            if path == "mechanism":
                value = resolve_unit("mechanism", value, field)
                new_mechanism = True
            state = set_path(state, path, value, field, create=True)
        state = {
            "game": resolve_unit("game", state["game"], f"phases.{k}.game"),
            "mechanism": resolve_unit("mechanism", state["mechanism"], f"phases.{k}.mechanism"),
        }
        if state["mechanism"]["id"] != before["mechanism"]["id"]:
            new_mechanism = True
        out.append(
            PhaseState(
                at_step=at_step,
                game=state["game"],
                mechanism=state["mechanism"],
                new_mechanism=new_mechanism,
                game_changes=_changes(before["game"]["params"], state["game"]["params"]),
                mechanism_changes=_changes(
                    before["mechanism"]["params"], state["mechanism"]["params"]
                ),
            )
        )
        previous = at_step
    return out


def _changes(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in new.items() if old.get(key) != value}
