"""Load an experiment config from YAML, a dict or a model, and validate all of it.

:func:`load_config` is the single entry point. It reads the YAML file (a malformed file is a
:class:`~incentive_lab.core.errors.ConfigError` naming ``file:line``), checks the structure
(:mod:`~incentive_lab.experiments.config.schema`: unknown keys are errors with a "did you mean"
suggestion), resolves the base run against the registry (every unit's ``params`` validated
against its parameter model, agent ranges checked, defaults filled in) and resolves every
sweep point, so a bad sweep value is reported before anything runs.

The returned :class:`ExperimentConfig` is normalised: unit params list every parameter,
agent ranges and ``record_every`` are explicit. Loading it again gives an equal model. A
top-level field that is swept as a whole (``learners: [[...], [...]]`` under ``sweep``) may be
left out of the base config; the first sweep value stands in for it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from incentive_lab.core.errors import ConfigError
from incentive_lab.experiments.config.resolved import ResolvedRun
from incentive_lab.experiments.config.schema import ExperimentConfig, parse
from incentive_lab.experiments.config.sweep import expand

__all__ = ["ExperimentConfig", "load_config", "load_experiment", "read_yaml"]


class _Loader(yaml.SafeLoader):
    """YAML 1.1 safe loader without sexagesimal integers, so ``agents: 2:4`` stays a range."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:int"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$"),
    list("-+0123456789"),
)


def _unique_mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> Any:
    """A mapping whose keys are unique: a repeated key is an error, never "last one wins"."""
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if not isinstance(key, str | int | float | bool | None):
            continue  # an unhashable key is reported by the schema, not here
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"duplicate key {key!r} (first on line {seen[key] + 1})",
                key_node.start_mark,
            )
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping(node, deep=deep)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _unique_mapping)


def read_yaml(path: str | Path) -> Any:
    """Parse a YAML file; unreadable or malformed files raise a :class:`ConfigError`."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise ConfigError(
            str(path), "<unreadable>", f"a readable UTF-8 YAML file ({reason})"
        ) from None
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise ConfigError(where, "<malformed YAML>", f"valid YAML ({problem})") from None


def load_config(source: str | Path | dict[str, Any] | ExperimentConfig) -> ExperimentConfig:
    """The validated, normalised experiment of ``source`` (a YAML path, mapping or model)."""
    return load_experiment(source)[0]


def load_experiment(
    source: str | Path | dict[str, Any] | ExperimentConfig,
) -> tuple[ExperimentConfig, list[tuple[dict[str, Any], ResolvedRun]]]:
    """The normalised experiment of ``source`` and its resolved sweep points.

    Every point is resolved exactly once here (``(coordinates, ResolvedRun)`` in sweep
    order); :func:`~incentive_lab.experiments.config.plan.plan_runs` uses them as they are.
    """
    if isinstance(source, ExperimentConfig):
        raw: Any = source.model_dump(mode="json")
    elif isinstance(source, dict):
        raw = source
    elif isinstance(source, str | Path):
        raw = read_yaml(source)
    else:
        raise ConfigError("config", source, "a YAML path, a mapping or an ExperimentConfig")
    if not isinstance(raw, dict):
        raise ConfigError("config", raw, "a mapping with name, game, learners, steps, ...")
    raw = _fill_swept_roots(raw)
    config = parse(ExperimentConfig, raw)
    base = config.model_dump(mode="json")
    points = expand(base, config.sweep)  # validates the base and every sweep point
    run = points[0][1] if not config.sweep else expand(base, {})[0][1]
    resolved = run.to_json()
    # Agent ranges stay as the user wrote them: a default range ("all agents") must follow
    # a swept population size instead of freezing the base config's size.
    learners = [
        {**group, "agents": given["agents"]}
        for group, given in zip(resolved["learners"], base["learners"], strict=True)
    ]
    normalised = parse(
        ExperimentConfig,
        {
            **resolved,
            "learners": learners,
            "seeds": base["seeds"],
            "seed": config.seed,
            "sweep": config.sweep,
        },
    )
    return normalised, points


def _fill_swept_roots(raw: dict[str, Any]) -> dict[str, Any]:
    """A top-level field swept as a whole may be missing: its first value stands in."""
    sweep = raw.get("sweep")
    if not isinstance(sweep, dict):
        return raw
    out = dict(raw)
    for path, values in sweep.items():
        if isinstance(path, str) and "." not in path and path not in out:
            if isinstance(values, list) and values:
                out[path] = values[0]
    return out
