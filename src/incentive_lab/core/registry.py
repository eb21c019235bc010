"""The registry of games, learners and mechanisms.

Units register under stable ids (with a version suffix once behaviour changes, e.g.
``public_goods`` then ``public_goods-v1``) together with a parameter model, a one-line
description and declarative metadata that code and tests read (``cooperative_action``,
``stochastic``, known equilibria...). The built-in packages register themselves on import;
the registry imports them lazily on first lookup by module name, and third-party packages
can add units through the ``incentive_lab.plugins`` entry-point group.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any, Literal, TypeVar

from incentive_lab.core.errors import ConfigError, unknown_choice
from incentive_lab.core.params import Params, validate_params

F = TypeVar("F", bound=Callable[..., Any])

Kind = Literal["game", "learner", "mechanism"]
KINDS: tuple[Kind, ...] = ("game", "learner", "mechanism")

_BUILTIN_PACKAGES = (
    "incentive_lab.games",
    "incentive_lab.learners",
    "incentive_lab.mechanisms",
)


@dataclass(frozen=True)
class Entry:
    """One registered unit."""

    kind: Kind
    id: str
    factory: Callable[..., Any]
    params: type[Params]
    description: str
    metadata: Mapping[str, Any] = field(default_factory=dict)

    def validate(self, raw: Any, field_name: str = "params") -> Params:
        """Validate raw parameters for this unit (errors name ``field_name.<param>``)."""
        return validate_params(self.params, raw, field_name)


_ENTRIES: dict[Kind, dict[str, Entry]] = {kind: {} for kind in KINDS}
_loaded = False


def register(
    kind: Kind,
    id: str,
    *,
    params: type[Params],
    description: str,
    **metadata: Any,
) -> Callable[[F], F]:
    """Class or function decorator that registers a factory under ``kind``/``id``.

    Factories are called as ``factory(params)`` for games,
    ``factory(params, context, rng)`` for learners and ``factory(params, game, rng)`` for
    mechanisms.
    """
    if kind not in KINDS:
        raise ConfigError("kind", kind, f"allowed: {', '.join(KINDS)}")
    if "\n" in description or not description:
        raise ValueError(f"registry {kind} {id!r}: description must be one non-empty line")

    def decorator(factory: F) -> F:
        existing = _ENTRIES[kind].get(id)
        if existing is not None and existing.factory is not factory:
            raise ValueError(f"{kind} id {id!r} is already registered")
        _ENTRIES[kind][id] = Entry(kind, id, factory, params, description, dict(metadata))
        return factory

    return decorator


def _ensure_loaded() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    for package in _BUILTIN_PACKAGES:
        importlib.import_module(package)
    for plugin in entry_points(group="incentive_lab.plugins"):
        plugin.load()


def ids(kind: Kind) -> list[str]:
    """Sorted ids registered under ``kind``."""
    _ensure_loaded()
    return sorted(_ENTRIES[kind])


def entries(kind: Kind) -> list[Entry]:
    """All entries of ``kind`` sorted by id."""
    _ensure_loaded()
    return [_ENTRIES[kind][name] for name in sorted(_ENTRIES[kind])]


def get(kind: Kind, id: Any, field_name: str | None = None) -> Entry:
    """The entry ``kind``/``id``; an unknown id raises a :class:`ConfigError` with suggestions."""
    _ensure_loaded()
    if not isinstance(id, str) or id not in _ENTRIES[kind]:
        raise unknown_choice(field_name or f"{kind}.id", id, _ENTRIES[kind])
    return _ENTRIES[kind][id]


def make_game(id: str, params: Any = None, field_name: str = "game") -> Any:
    """Build the game ``id`` with validated ``params``."""
    entry = get("game", id, f"{field_name}.id")
    return entry.factory(entry.validate(params, f"{field_name}.params"))


def make_learner(id: str, params: Any, context: Any, rng: Any, field_name: str = "learner") -> Any:
    """Build the learner group ``id`` for ``context`` (a ``LearnerContext``)."""
    entry = get("learner", id, f"{field_name}.id")
    return entry.factory(entry.validate(params, f"{field_name}.params"), context, rng)


def make_mechanism(id: str, params: Any, game: Any, rng: Any, field_name: str = "mechanism") -> Any:
    """Build the mechanism ``id`` for ``game``."""
    entry = get("mechanism", id, f"{field_name}.id")
    return entry.factory(entry.validate(params, f"{field_name}.params"), game, rng)
