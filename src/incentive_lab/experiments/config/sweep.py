"""Sweeps: the product of parameter values over dotted paths.

``sweep`` maps dotted paths to lists of values. A path names a value in the run config
(``game.params.r_c``, ``learners.0.params.alpha``, ``steps``); a value may also be a whole
spec (``mechanism: [{id: none}, {id: team_reward}]``, ``learners: [[...], [...]]``). The
sweep points are the Cartesian product over keys, in the order the keys are written (the
first key varies slowest), and each point is applied to the base config — shallower paths
first, so ``mechanism`` can swap the unit and ``mechanism.params.rate`` then set a parameter
of the new one — and resolved (validated) like any run config.

A point is reported by its *coordinates*: ``{path: label}`` where a scalar value is its own
label, a unit spec is labelled by its id (``"team_reward"``, or ``"team_reward(share=0.5)"``
when it has parameters) and a list of learner specs by their labels joined with ``+``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence, Sized
from typing import Any

from incentive_lab.core.errors import ConfigError, did_you_mean
from incentive_lab.experiments.config.memory import check_memory
from incentive_lab.experiments.config.paths import set_path, split
from incentive_lab.experiments.config.records import canonical_json
from incentive_lab.experiments.config.resolve import EXPERIMENT_ONLY, resolve_run
from incentive_lab.experiments.config.resolved import ResolvedRun
from incentive_lab.experiments.config.schema import RunConfig

SWEEPABLE = tuple(name for name in RunConfig.model_fields if name != "name")
"""Top-level fields a sweep path may start with."""


def check_root(field: str, path: str) -> None:
    """A swept or searched ``path`` must start with a sweepable top-level field."""
    root = split(path)[0]
    if root not in SWEEPABLE:
        raise ConfigError(
            field,
            path,
            f"a dotted path starting with one of {', '.join(SWEEPABLE)}"
            f"{did_you_mean(root, SWEEPABLE)}",
        )


def check_sweep(sweep: Mapping[str, Sequence[Any]]) -> None:
    """Paths must start with a sweepable field; value lists non-empty without repeats."""
    for path, values in sweep.items():
        field = f"sweep.{path}"
        if path.count(".") >= MAX_PATH_SEGMENTS:
            raise ConfigError("sweep", path, f"a path of at most {MAX_PATH_SEGMENTS} segments")
        check_root(field, path)
        if not values:
            raise ConfigError(field, values, "a non-empty list of values")
        keys = [canonical_json(value) for value in values]
        if len(set(keys)) != len(keys):
            raise ConfigError(field, values, "a list of distinct values")


MAX_PATH_SEGMENTS = 16
"""Most dot-separated segments in a sweep path (the deepest config value is far less)."""


def count_points(sweep: Mapping[str, Sequence[Any]]) -> int:
    """Number of sweep points: the product of the value-list lengths (nothing is built)."""
    return math.prod(len(values) for values in sweep.values() if isinstance(values, Sized))


def sweep_points(sweep: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    """Every point ``{path: value}`` of the product, first key slowest (one empty point)."""
    keys = list(sweep)
    return [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*sweep.values())]


def apply_point(base: dict[str, Any], point: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with every path of ``point`` set, shallower paths first."""
    out = base
    for path in sorted(point, key=lambda p: len(split(p))):
        out = set_path(out, path, point[path], f"sweep.{path}", create=True)
    return out


def label(value: Any) -> Any:
    """The coordinate label of a sweep value (scalars unchanged)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Mapping) and "id" in value:
        params = value.get("params") or {}
        if not params:
            return str(value["id"])
        inner = ",".join(f"{k}={canonical_json(params[k])}" for k in sorted(params))
        return f"{value['id']}({inner})"
    if isinstance(value, Sequence) and value and all(isinstance(v, Mapping) for v in value):
        return "+".join(str(label(v)) for v in value)
    return canonical_json(value)


def expand(
    base: dict[str, Any], sweep: Mapping[str, Sequence[Any]]
) -> list[tuple[dict[str, Any], ResolvedRun]]:
    """``(coordinates, resolved run)`` of every sweep point of ``base``.

    ``base``: the experiment as a plain dict (experiment-only keys are ignored). Errors of a
    point name the field and the point.
    """
    check_sweep(sweep)
    run_base = {k: v for k, v in base.items() if k not in (*EXPERIMENT_ONLY, "limits")}
    games: dict[str, Any] = {}
    out = []
    for point in sweep_points(sweep):
        coordinates = {path: label(value) for path, value in point.items()}
        try:
            try:
                resolved = resolve_run(apply_point(run_base, point), games)
            except MemoryError:
                raise ConfigError(
                    "game.params",
                    _population_text(run_base, point),
                    "a population that fits in memory (building the game ran out of memory)",
                ) from None
            check_memory(resolved)
        except ConfigError as error:
            if not point:
                raise
            raise ConfigError(
                error.field, error.value, f"{error.allowed} (at sweep point {coordinates})"
            ) from None
        out.append((coordinates, resolved))
    return out


def _population_text(base: Mapping[str, Any], point: Mapping[str, Any]) -> str:
    """The game's params of ``base`` at ``point``, for a message."""
    try:
        return canonical_json(apply_point(dict(base), point).get("game", {}).get("params", {}))
    except (ConfigError, AttributeError):
        return "<game params>"
