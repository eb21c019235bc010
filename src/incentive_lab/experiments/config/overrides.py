"""Command-line overrides: ``--set dotted.path=value`` applied to a config before it is read.

``incentive-lab run pd-tax.yaml --set steps=200 --set learners.0.params.alpha=0.2``
changes the file's values the way editing the file would: each override is applied to the
raw config (``experiments.config.paths.set_path``, missing mapping keys created so a
parameter the file leaves at its default can be set) and the result is validated as a whole
like any file, so a wrong type or an unknown parameter is the same one-line error. The value
is read as a YAML flow value (``200``, ``0.2``, ``[0.0, 2.5]``, ``{id: none}``, ``true``,
``name``); what runs — and so what the store records as the run's config and identity — is
the overridden config. The path must start with a top-level field of an experiment config
(``name``, ``game``, ``mechanism``, ``learners``, ``steps``, ``seeds``, ``sweep``, …).

Overrides apply in order (a later one wins over an earlier one on the same path).
``incentive-lab design`` takes the same option, with ``design.…`` paths as well
(``--set design.trials=40``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import yaml

from incentive_lab.core.errors import ConfigError, did_you_mean
from incentive_lab.experiments.config.paths import set_path, split
from incentive_lab.experiments.config.schema import ExperimentConfig

FIELD = "--set"
MAX_VALUE_CHARS = 10_000
"""Longest override value read (a command line is not where large configs come from)."""

ROOTS = tuple(sorted(ExperimentConfig.model_fields))
"""Top-level fields an override path may start with."""


def parse_override(text: str, roots: Sequence[str] = ROOTS) -> tuple[str, Any]:
    """``"a.b=value"`` → ``("a.b", parsed value)``; a malformed override is a ConfigError.

    ``roots``: the top-level fields a path may start with (a design config adds ``design``).
    """
    path, sep, raw = text.partition("=")
    path = path.strip()
    if not sep or not path:
        raise ConfigError(FIELD, text, "dotted.path=value, e.g. steps=200 or game.params.r=4.5")
    root = split(path)[0]
    if root not in roots:
        raise ConfigError(
            FIELD,
            text,
            f"a path starting with one of {', '.join(roots)}{did_you_mean(root, roots)}",
        )
    if len(raw) > MAX_VALUE_CHARS:
        raise ConfigError(FIELD, text, f"a value of at most {MAX_VALUE_CHARS} characters")
    if raw.strip() == "":
        raise ConfigError(FIELD, text, "a value after '=' (write null for None)")
    try:
        value = yaml.safe_load(raw)
    except yaml.YAMLError as error:
        problem = getattr(error, "problem", None) or "not a YAML value"
        raise ConfigError(FIELD, text, f"a YAML value after '=' ({problem})") from None
    return path, value


def apply_overrides(
    raw: dict[str, Any], overrides: Sequence[str], roots: Sequence[str] = ROOTS
) -> dict[str, Any]:
    """``raw`` (a config mapping read from a file) with every override applied in order."""
    if not isinstance(raw, dict):
        raise ConfigError("config", type(raw).__name__, "a mapping to apply --set to")
    out = raw
    for text in overrides:
        path, value = parse_override(text, roots)
        out = set_path(out, path, value, field=FIELD, create=True)
    return out
