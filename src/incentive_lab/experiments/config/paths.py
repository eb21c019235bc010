"""Dotted paths into a plain config dict: ``game.params.r_c``, ``learners.0.params.alpha``.

Sweeps and phases name the value they change by a dotted path. A segment that is an integer
indexes a list (``learners.0``); any other segment is a mapping key. :func:`get_path` and
:func:`set_path` require the path to exist (a missing key is an error with a "did you mean"
suggestion); sweeps and phases call :func:`set_path` with ``create=True`` so a parameter can
be set on a unit just swapped in, and the resolved config is then validated as a whole (a
misspelt parameter is reported by the registry with its own suggestion).

All functions are pure: :func:`set_path` returns a new dict and never changes its input.
"""

from __future__ import annotations

import copy
from typing import Any

from incentive_lab.core.errors import ConfigError, did_you_mean


def split(path: str) -> list[str]:
    """The segments of ``path``; an empty segment is an error."""
    parts = path.split(".")
    if not path or any(part == "" for part in parts):
        raise ConfigError("path", path, "a dotted path like 'game.params.r_c'")
    return parts


def _child(node: Any, part: str, path: str, field: str) -> Any:
    """The child ``part`` of ``node``, or a :class:`ConfigError` naming the missing path."""
    if isinstance(node, dict):
        if part in node:
            return node[part]
        keys = sorted(str(k) for k in node)
        raise ConfigError(
            field,
            path,
            f"no field {part!r} there; available: {', '.join(keys) or '(none)'}"
            f"{did_you_mean(part, keys)}",
        )
    if isinstance(node, list):
        if part.isdigit() and int(part) < len(node):
            return node[int(part)]
        raise ConfigError(
            field, path, f"segment {part!r} must be a list index in 0..{len(node) - 1}"
        )
    raise ConfigError(field, path, f"segment {part!r} goes below a value that is not a mapping")


def get_path(config: dict[str, Any], path: str, field: str = "path") -> Any:
    """The value at ``path`` in ``config``."""
    node: Any = config
    for part in split(path):
        node = _child(node, part, path, field)
    return node


def set_path(
    config: dict[str, Any], path: str, value: Any, field: str = "path", create: bool = False
) -> dict[str, Any]:
    """A deep copy of ``config`` with the value at ``path`` replaced by ``value``.

    The target must exist unless ``create`` is true, in which case missing mapping keys
    (and intermediate mappings) are created; list indices must always exist.
    """
    out = copy.deepcopy(config)
    parts = split(path)
    node: Any = out
    for part in parts[:-1]:
        if create and isinstance(node, dict) and part not in node:
            node[part] = {}
        node = _child(node, part, path, field)
    last = parts[-1]
    if not (create and isinstance(node, dict)):
        _child(node, last, path, field)  # the target must exist
    if isinstance(node, list):
        node[int(last)] = copy.deepcopy(value)
    else:
        node[last] = copy.deepcopy(value)
    return out
