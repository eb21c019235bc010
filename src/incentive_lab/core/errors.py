"""Errors that name the field, the value and what is allowed.

Every user-facing validation failure in the library raises :class:`ConfigError` (a
``ValueError``), whose message always has the shape::

    <field>: got <value!r>; <what is allowed>

so that the CLI can print it as one line and exit with status 2.
"""

from __future__ import annotations

import difflib
import reprlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from pydantic import ValidationError


class ConfigError(ValueError):
    """Bad user input: names the field, the offending value and what is allowed."""

    def __init__(self, field: str, value: Any, allowed: str) -> None:
        self.field = field
        self.value = value
        self.allowed = allowed
        super().__init__(f"{field}: got {_short_repr(value)}; {allowed}")

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuilt from its three parts, so it crosses process boundaries (worker -> driver).
        return (type(self), (self.field, _picklable(self.value), self.allowed))


def _picklable(value: Any) -> Any:
    """``value`` if it is a plain scalar, else its bounded repr (always picklable)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value if not isinstance(value, str) or len(value) <= 1000 else _short_repr(value)
    return _short_repr(value)


_REPR = reprlib.Repr()
_REPR.maxlevel = 3
_REPR.maxstring = 60
_REPR.maxother = 60
_REPR.maxlong = 40
for _name in ("maxlist", "maxtuple", "maxdict", "maxset", "maxfrozenset", "maxdeque", "maxarray"):
    setattr(_REPR, _name, 4)


def _short_repr(value: Any, limit: int = 80) -> str:
    """A repr of at most ``limit`` characters, in time bounded whatever ``value`` holds.

    ``reprlib`` looks at a few items per level and a few levels only, so a huge or deeply
    nested value (a YAML alias bomb, a 20,000-deep list) costs microseconds, not gigabytes.
    """
    try:
        text = _REPR.repr(value)
    except Exception:  # a hostile __repr__: name the type only
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """Return ``" (did you mean 'x'?)"`` for the closest choice, or ``""``."""
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def unknown_choice(field: str, value: str, choices: Iterable[str], shown: int = 20) -> ConfigError:
    """Build the error for a value that must be one of ``choices`` (the first ``shown``)."""
    options = sorted(choices)
    listed = ", ".join(_short_repr(o, 60).strip("'\"") for o in options[:shown])
    if len(options) > shown:
        listed += f", ... ({len(options) - shown} more)"
    return ConfigError(field, value, f"allowed: {listed}{did_you_mean(value, options)}")


def from_validation_error(prefix: str, error: ValidationError) -> ConfigError:
    """Turn the first error of a pydantic ``ValidationError`` into a :class:`ConfigError`.

    ``prefix`` is the dotted path of the model inside the user's config (for example
    ``"game.params"``), so the message names the full field path.
    """
    errors = error.errors()
    # An unknown key is the likelier cause of a "missing" one (a misspelling): report it first.
    first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    loc = ".".join(str(part) for part in first["loc"])
    field = f"{prefix}.{loc}" if prefix and loc else (prefix or loc or "<root>")
    value = first.get("input")
    kind = first["type"]
    message = first["msg"]
    if kind == "extra_forbidden":
        fields = getattr(error, "_allowed_fields", None)
        allowed = "unknown parameter"
        if fields:
            allowed += f"; allowed: {', '.join(sorted(fields))}"
            allowed += did_you_mean(str(first["loc"][-1]), fields)
        return ConfigError(field, value, allowed)
    if kind == "missing":
        return ConfigError(field, "<missing>", "this field is required")
    return ConfigError(field, value, message[0].lower() + message[1:])


@contextmanager
def located(generic: str, actual: str) -> Iterator[None]:
    """Re-raise a :class:`ConfigError` on ``generic`` (or under it) as one on ``actual``.

    A unit's constructor knows only its own kind (``learner.params.k``); the code that
    builds it knows where it sits in the config (``learners.2.params.k``)::

        with located("learner", f"learners.{k}"):
            unit.build(...)
    """
    try:
        yield
    except ConfigError as error:
        field = error.field
        if field != generic and not field.startswith(generic + "."):
            raise
        where = actual + field[len(generic) :]
        raise ConfigError(where, error.value, error.allowed) from None
