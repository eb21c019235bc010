"""The registry of games, learners and mechanisms.

Units register under stable ids (with a version suffix once behaviour changes, e.g.
``public_goods`` then ``public_goods-v1``) together with a parameter model, a one-line
description and declarative metadata that code and tests read (``cooperative_action``,
``stochastic``, known equilibria...). The built-in packages register themselves on import;
the registry imports them lazily on first lookup by module name, and third-party packages
can add units through the ``incentive_lab.plugins`` entry-point group.

Capabilities (``core.capabilities``) are part of an entry: a game entry *offers* what its
class declares in ``capabilities`` (or what ``offers=`` says for a function factory); a
learner or mechanism entry *requires* what its ``requires=`` says — a fixed set, or a
function of its validated params when the need depends on them (``adaptive_planner`` needs a
payoff tensor only with ``gradient: exact``). :func:`fitting` lists the units whose needs a
game meets.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any, Literal, TypeVar

from incentive_lab.core.capabilities import Capabilities, Capability, capabilities
from incentive_lab.core.errors import ConfigError, unknown_choice
from incentive_lab.core.game import Game
from incentive_lab.core.mechanism import Mechanism
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
    offers: Capabilities = frozenset()
    """What a game (at most: an instance may offer less for some params) or a mechanism
    offers."""
    requires: Capabilities | Callable[[Any], Iterable[Capability]] = frozenset()
    """What a learner or mechanism needs from the game (or a function of its params)."""

    def needs(self, params: Params | None = None) -> Capabilities:
        """What this unit requires with ``params`` (default params when ``None``)."""
        if callable(self.requires):
            if params is None:
                try:
                    params = self.params()
                except ValueError:  # no defaults: the needs of the defaults are unknown
                    return frozenset()
            return capabilities(self.requires(params))
        return self.requires

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
    requires: Iterable[Capability] | Callable[[Any], Iterable[Capability]] = (),
    offers: Iterable[Capability] | None = None,
    **metadata: Any,
) -> Callable[[F], F]:
    """Class or function decorator that registers a factory under ``kind``/``id``.

    Factories are called as ``factory(params)`` for games,
    ``factory(params, context, rng)`` for learners and ``factory(params, game, rng)`` for
    mechanisms. ``requires``: the capabilities a learner or mechanism needs from the game
    (or a function of its validated params giving them); ``offers``: a game's capabilities
    when the factory is not a class declaring them in ``capabilities``.
    """
    if kind not in KINDS:
        raise ConfigError("kind", kind, f"allowed: {', '.join(KINDS)}")
    if "\n" in description or not description:
        raise ValueError(f"registry {kind} {id!r}: description must be one non-empty line")

    def decorator(factory: F) -> F:
        existing = _ENTRIES[kind].get(id)
        if existing is not None and existing.factory is not factory:
            raise ValueError(f"{kind} id {id!r} is already registered")
        offered: Iterable[Capability] = () if offers is None else offers
        if offers is None and isinstance(factory, type) and issubclass(factory, Game | Mechanism):
            offered = factory.capabilities
        needed = requires if callable(requires) else capabilities(requires)
        if kind == "game" and needed:
            raise ValueError(f"registry game {id!r}: games offer capabilities, never require")
        _ENTRIES[kind][id] = Entry(
            kind,
            id,
            factory,
            params,
            description,
            dict(metadata),
            offers=capabilities(offered),
            requires=needed,
        )
        return factory

    return decorator


def add(entry: Entry) -> None:
    """Register a ready :class:`Entry` under its kind and id.

    How a worker process receives the units its driver registered in code it cannot import
    (a script's or a notebook's ``__main__``): the driver ships the entries by value and
    the worker adds them. The same entry again is a no-op; another unit under a taken id is
    a ``ValueError`` as in :func:`register`.
    """
    existing = _ENTRIES[entry.kind].get(entry.id)
    if existing is not None and existing is not entry and existing.factory is not entry.factory:
        raise ValueError(f"{entry.kind} id {entry.id!r} is already registered")
    _ENTRIES[entry.kind][entry.id] = entry


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


def offering(capability: Capability) -> list[str]:
    """Ids of the games that offer ``capability`` (sorted)."""
    return [entry.id for entry in entries("game") if capability in entry.offers]


def fitting(kind: Kind, offered: Capabilities) -> list[Entry]:
    """The ``kind`` entries whose default needs ``offered`` meets (sorted by id)."""
    return [entry for entry in entries(kind) if entry.needs() <= offered]
