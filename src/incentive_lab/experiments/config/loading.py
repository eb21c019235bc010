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
from incentive_lab.experiments.config.sweep import count_points, expand

__all__ = [
    "ExperimentConfig",
    "check_limits",
    "count_runs",
    "load_config",
    "load_experiment",
    "read_yaml",
]


MAX_YAML_BYTES = 1_000_000
"""Largest config file read (bytes)."""
MAX_YAML_DEPTH = 50
"""Deepest nesting of mappings and lists in a config file."""
MAX_YAML_NODES = 200_000
"""Most values a config file may hold once its aliases are expanded."""


class _Loader(yaml.SafeLoader):
    """YAML 1.1 safe loader without sexagesimal integers, so ``agents: 2:4`` stays a range.

    Composition is budgeted: nesting deeper than :data:`MAX_YAML_DEPTH` is refused while the
    document is read (before Python's recursion limit is near), and a document whose aliases
    would expand to more than :data:`MAX_YAML_NODES` values (an "alias bomb": a few hundred
    bytes that expand to billions) is refused before any Python object is built.
    """

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth += 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                raise yaml.composer.ComposerError(
                    None,
                    None,
                    f"nesting deeper than {MAX_YAML_DEPTH} levels",
                    self.peek_event().start_mark,
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def compose_document(self) -> Any:
        node = super().compose_document()
        if node is not None and _expanded_size(node) > MAX_YAML_NODES:
            raise yaml.composer.ComposerError(
                None,
                None,
                f"more than {MAX_YAML_NODES} values once aliases are expanded (an alias bomb?)",
                node.start_mark,
            )
        return node


def _expanded_size(root: yaml.Node) -> int:
    """Values under ``root`` counting every alias use in full (linear time, memoised)."""
    sizes: dict[int, int] = {}
    open_: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if id(node) in sizes:
            continue
        children = _children(node)
        if done:
            total = 1 + sum(sizes[id(child)] for child in children)
            sizes[id(node)] = min(total, MAX_YAML_NODES + 1)
            open_.discard(id(node))
            continue
        if id(node) in open_:  # reached again before it was sized: a recursive alias
            return MAX_YAML_NODES + 1
        open_.add(id(node))
        stack.append((node, True))
        stack.extend((child, False) for child in children if id(child) not in sizes)
    return sizes[id(root)]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


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
        if not path.is_file():
            raise ConfigError(str(path), "<not a regular file>", "an existing YAML file")
        with path.open("rb") as handle:
            data = handle.read(MAX_YAML_BYTES + 1)
        if len(data) > MAX_YAML_BYTES:
            raise ConfigError(
                str(path), "<too large>", f"a YAML file of at most {MAX_YAML_BYTES} bytes"
            )
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise ConfigError(
            str(path), "<unreadable>", f"a readable UTF-8 YAML file ({reason})"
        ) from None
    try:
        return yaml.load(text, Loader=_Loader)
    except RecursionError:
        raise ConfigError(
            str(path), "<malformed YAML>", f"nesting at most {MAX_YAML_DEPTH} levels deep"
        ) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise ConfigError(where, "<malformed YAML>", f"valid YAML ({problem})") from None


def load_config(
    source: str | Path | dict[str, Any] | ExperimentConfig, *, max_runs: int | None = None
) -> ExperimentConfig:
    """The validated, normalised experiment of ``source`` (a YAML path, mapping or model)."""
    return load_experiment(source, max_runs=max_runs)[0]


def count_runs(config: ExperimentConfig) -> int:
    """Planned runs (sweep points × seeds) from the sweep's shape, building nothing."""
    return count_points(config.sweep) * config.n_seeds


def check_limits(config: ExperimentConfig, max_runs: int | None = None) -> int:
    """The run count of ``config``; a :class:`ConfigError` above ``max_runs``.

    ``max_runs``: the caller's override (``--max-runs``); ``None`` = the config's
    ``limits.max_runs`` (default :data:`~incentive_lab.experiments.config.schema.MAX_RUNS`).
    """
    limit = config.limits.max_runs if max_runs is None else max_runs
    count = count_runs(config)
    if count > limit:
        points = count_points(config.sweep)
        raise ConfigError(
            "seeds" if points == 1 else "sweep",
            f"{count} runs ({points} sweep points x {config.n_seeds} seeds)",
            f"at most {limit} runs (raise limits.max_runs in the config or pass --max-runs)",
        )
    return count


def load_experiment(
    source: str | Path | dict[str, Any] | ExperimentConfig, *, max_runs: int | None = None
) -> tuple[ExperimentConfig, list[tuple[dict[str, Any], ResolvedRun]]]:
    """The normalised experiment of ``source`` and its resolved sweep points.

    The number of runs is checked against the limit (:func:`check_limits`) before any point
    is resolved. Every point is resolved exactly once here (``(coordinates, ResolvedRun)``
    in sweep order); :func:`~incentive_lab.experiments.config.plan.plan_runs` uses them.
    """
    if isinstance(source, ExperimentConfig):
        raw: Any = {**source.model_dump(mode="json"), "limits": source.limits.model_dump()}
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
    check_limits(config, max_runs)
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
            "limits": config.limits.model_dump(),
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
