"""What a caller may hand to a check, turned into named builders.

A *game* may be given as a registered id (built with ``params``, else the small parameters
of ``fixtures.game_params``), a ``testing/...`` toy id, a ``{"id": ..., "params": {...}}``
mapping, a :class:`~incentive_lab.testing.fixtures.GameSpec`, a ``Game`` instance (each build
is a deep copy of it) or a zero-argument callable returning a fresh game.

A *learner* or *mechanism* may be given as a registered id or as a factory called like the
registry calls it (``factory(params, context, rng)`` / ``factory(params, game, rng)``): a
``Learner``/``Mechanism`` subclass defined anywhere, registered or not. Its parameters are a
``Params`` instance, or a mapping validated with ``params_model`` (inferred from a
``Learner[MyParams]``/``Mechanism[MyParams]`` base class when not given).
"""

from __future__ import annotations

import copy
import functools
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from incentive_lab.core.game import Game
from incentive_lab.core.params import Params, validate_params
from incentive_lab.core.registry import get
from incentive_lab.testing.fixtures import GameSpec, game_params
from incentive_lab.testing.toy_games import TOY_GAMES

GameLike = str | Mapping[str, Any] | GameSpec | Game[Any] | Callable[[], Game[Any]]
"""Anything :func:`game_source` accepts."""


@dataclass(frozen=True)
class GameSource:
    """A named way to build fresh games."""

    name: str
    build: Callable[[], Game[Any]]


def game_source(game: GameLike, params: Any = None) -> GameSource:
    """A :class:`GameSource` for ``game`` (see the module docstring)."""
    if isinstance(game, GameSpec):
        return GameSource(game.name, game.build)
    if isinstance(game, str):
        if params is None:
            params = {} if game in TOY_GAMES else game_params(game)
        spec = GameSpec(game, dict(params))
        return GameSource(spec.name, spec.build)
    if params is not None:
        raise TypeError("params go with a game id; pass a built game or a factory without them")
    if isinstance(game, Mapping):
        return game_source(GameSpec(str(game["id"]), dict(game.get("params") or {})))
    if isinstance(game, Game):
        return GameSource(type(game).__name__, functools.partial(copy.deepcopy, game))
    if callable(game):
        return GameSource(getattr(game, "__qualname__", repr(game)), game)
    raise TypeError(f"not a game, a game id, a spec or a game factory: {game!r}")


@dataclass(frozen=True)
class Unit:
    """A learner or mechanism under test: its name, factory, parameters and declarations."""

    kind: Literal["learner", "mechanism"]
    name: str
    id: str | None
    factory: Callable[..., Any]
    params: Params
    metadata: Mapping[str, Any] = field(default_factory=dict)

    def build(self, situation: Any, rng: Any) -> Any:
        """``factory(params, situation, rng)`` (situation: a context or a game)."""
        return self.factory(self.params, situation, rng)


def unit(
    kind: Literal["learner", "mechanism"],
    target: str | Callable[..., Any],
    params: Any,
    default_params: Mapping[str, Any],
    *,
    params_model: type[Params] | None = None,
    metadata: Mapping[str, Any] | None = None,
    name: str | None = None,
) -> Unit:
    """Resolve a registered id or a factory into a :class:`Unit`.

    ``default_params`` (the fixture's) are used when ``params`` is ``None``; ``metadata``
    (declarations such as ``pays``, ``stateless``, ``stochastic``, ``has_policy``) overrides
    the registry's for an id and is the only source for a bare factory.
    """
    raw = dict(default_params) if params is None else params
    if isinstance(target, str):
        entry = get(kind, target)
        validated = validate_params(params_model or entry.params, raw, f"{kind}.params")
        declared = {**entry.metadata, **(metadata or {})}
        return Unit(kind, name or target, target, entry.factory, validated, declared)
    if not callable(target):
        raise TypeError(f"a {kind} id or factory, not {target!r}")
    label = str(name or getattr(target, "__qualname__", repr(target)))
    if isinstance(raw, Params):
        validated = raw
    else:
        found = params_model or infer_params_model(target)
        if found is None:
            raise TypeError(
                f"{label}: give params as a Params object, or pass params_model= to validate "
                f"{raw!r}"
            )
        validated = validate_params(found, raw, f"{kind}.params")
    return Unit(kind, label, None, target, validated, dict(metadata or {}))


def infer_params_model(factory: Callable[..., Any]) -> type[Params] | None:
    """The ``Params`` model of a ``Learner[P]``/``Mechanism[P]`` class or annotated factory."""
    if isinstance(factory, type):
        for klass in factory.__mro__:
            for base in getattr(klass, "__orig_bases__", ()):
                for arg in typing.get_args(base):
                    if isinstance(arg, type) and issubclass(arg, Params):
                        return arg
        factory = factory.__init__  # type: ignore[misc]
    try:
        hints = typing.get_type_hints(factory)
    except Exception:  # unresolvable annotations: no inference
        return None
    found = hints.get("params")
    return found if isinstance(found, type) and issubclass(found, Params) else None
