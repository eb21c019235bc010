"""Errors that name the field, the value and what is allowed.

Every user-facing validation failure in the library raises :class:`ConfigError` (a
``ValueError``), whose message always has the shape::

    <field>: got <value!r>; <what is allowed>

so that the CLI can print it as one line and exit with status 2.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

from pydantic import ValidationError


class ConfigError(ValueError):
    """Bad user input: names the field, the offending value and what is allowed."""

    def __init__(self, field: str, value: Any, allowed: str) -> None:
        self.field = field
        self.value = value
        self.allowed = allowed
        super().__init__(f"{field}: got {_short_repr(value)}; {allowed}")


def _short_repr(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """Return ``" (did you mean 'x'?)"`` for the closest choice, or ``""``."""
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def unknown_choice(field: str, value: str, choices: Iterable[str]) -> ConfigError:
    """Build the error for a value that must be one of ``choices``."""
    options = sorted(choices)
    return ConfigError(field, value, f"allowed: {', '.join(options)}{did_you_mean(value, options)}")


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
