"""The typed, frozen result of resolving one run: what travels to the workers.

A :class:`ResolvedRun` holds validated parameter models (not dicts), learner groups as
``(start, stop)`` pairs and the precomputed phase states, so the worker that computes a run
calls the registry factories directly and never parses or validates anything again.
:meth:`ResolvedRun.to_json` is the run's stored config — the dict hashed into its ``run_id``
— in exactly the shape earlier versions stored (``{"name", "game": {"id", "params"},
"mechanism", "learners": [{"id", "params", "agents": "start:stop"}], "steps",
"record_every", "summary_window", "phases": [{"at_step", "overrides"}]}``), so stores keep
resuming across versions.

The path of a parameter: YAML → ``schema`` (structure) → ``resolve`` (registry validation,
once, into a :class:`Unit`) → this object → the worker's ``runner.build_simulation``, which
hands ``unit.params`` to ``entry.factory``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from incentive_lab.core import registry
from incentive_lab.core.params import Params
from incentive_lab.experiments.config.phases import PhaseState, dump_params


@dataclass(frozen=True)
class Unit:
    """A registered unit with validated parameters (``kind`` says which registry)."""

    kind: registry.Kind
    id: str
    params: Params

    def build(self, *args: Any) -> Any:
        """Call the registered factory with the validated params (no re-validation)."""
        return registry.get(self.kind, self.id).factory(self.params, *args)

    def to_json(self) -> dict[str, Any]:
        """``{"id", "params"}`` with every parameter explicit."""
        return {"id": self.id, "params": dump_params(self.params)}


@dataclass(frozen=True)
class LearnerGroupSpec:
    """A learner unit driving agents ``start <= i < stop``."""

    unit: Unit
    start: int
    stop: int

    def to_json(self) -> dict[str, Any]:
        """The stored form, with the range written ``"start:stop"``."""
        return {**self.unit.to_json(), "agents": f"{self.start}:{self.stop}"}


@dataclass(frozen=True)
class ResolvedRun:
    """One run's config, resolved once: everything a worker needs, typed and frozen.

    ``phases``: the resolved rules of each phase (:class:`~.phases.PhaseState`, with the
    phase mechanism built from ``phase_mechanisms[k]`` when it is replaced); ``stored_phases``:
    the phases as stored (``{"at_step", "overrides"}``).
    """

    name: str
    game: Unit
    mechanism: Unit
    learners: tuple[LearnerGroupSpec, ...]
    steps: int
    record_every: int
    summary_window: float
    phases: tuple[PhaseState, ...] = ()
    phase_mechanisms: tuple[Unit, ...] = ()
    stored_phases: tuple[dict[str, Any], ...] = ()
    report: dict[str, Any] | None = None
    """The report settings as stored (``{"thresholds": {...}}``); ``None`` when not given,
    and then absent from :meth:`to_json`, so run ids of configs without it are unchanged."""
    _json: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def to_json(self) -> dict[str, Any]:
        """The stored, hashed config of the run (a fresh plain dict)."""
        if not self._json:
            self._json.update(
                {
                    "name": self.name,
                    "game": self.game.to_json(),
                    "mechanism": self.mechanism.to_json(),
                    "learners": [group.to_json() for group in self.learners],
                    "steps": self.steps,
                    "record_every": self.record_every,
                    "summary_window": self.summary_window,
                    "phases": [dict(phase) for phase in self.stored_phases],
                }
            )
            if self.report is not None:
                self._json["report"] = _copy(self.report)
        return _copy(self._json)


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy(item) for item in value]
    return value
