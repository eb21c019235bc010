"""The ``design`` block of a mechanism-search config, and loading a whole design config.

A design config is an ordinary experiment config (no ``sweep``: the search space replaces
it) plus a ``design`` block::

    design:
      space:                                  # dotted path -> range or choices
        mechanism.params.taxes.1: {low: 0.0, high: 5.0}          # float (the value is one)
        learners.0.params.alpha: {low: 0.01, high: 1.0, log: true}
        game.params.n_copies: {low: 10, high: 50, step: 10}       # int (the value is one)
        mechanism.params.budget_balanced: {choices: [false, true]}
      objective: social_welfare               # objectives.OBJECTIVES
      direction: maximize                     # default: the objective's own
      budget: 8.0                             # max mean incentive_cost per step (optional)
      budget_mode: constraint                 # or penalty
      penalty_weight: 10.0                    # penalty per unit of cost above the budget
      trials: 30
      sampler: tpe                            # or random
      startup_trials: 10                      # TPE: random trials before modelling
      seed: 0
      storage: sqlite:///search-optuna.db     # default: next to the run store
      study_name: pd-tax-design               # default: the config's name
      reevaluate: 5                           # fresh seeds the chosen trial is re-run on

A range is an integer range when the value it replaces in the config is an integer (or
``type: int``), else a float range. Checks (each a :class:`ConfigError` naming the field,
the value and what is allowed): ``low < high``; ``log`` needs ``low > 0`` and no ``step``;
``step`` at most ``high − low``; ``choices`` non-empty and distinct; every path exists in the
resolved config (``experiments.config.paths``) and both ends of every range, and every choice,
give a valid run config (so a trial never fails on a value the space allows).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from incentive_lab.core.errors import ConfigError
from incentive_lab.experiments.config.loading import ExperimentConfig, load_config, read_yaml
from incentive_lab.experiments.config.paths import get_path
from incentive_lab.experiments.config.records import canonical_json
from incentive_lab.experiments.config.resolve import EXPERIMENT_ONLY, resolve_run
from incentive_lab.experiments.config.schema import parse
from incentive_lab.experiments.config.sweep import apply_point, check_root
from incentive_lab.experiments.search.objectives import (
    Direction,
    Objective,
    check_available,
    get_objective,
)


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)


class RangeSpec(_Model):
    """A numeric range ``[low, high]`` searched by the sampler."""

    low: float
    """Lower end (inclusive)."""
    high: float
    """Upper end (inclusive); greater than ``low``."""
    log: bool = False
    """Sample on a log scale (needs ``low > 0``)."""
    step: float | None = Field(default=None, gt=0)
    """Discretisation step (values ``low + k·step``)."""
    type: Literal["float", "int"] | None = None
    """Default: ``int`` when the value the range replaces is an integer."""


class ChoiceSpec(_Model):
    """A categorical choice among values (any JSON values, e.g. whole lists or specs)."""

    choices: list[Any] = Field(min_length=1)
    """The candidate values, distinct."""


class DesignSpec(_Model):
    """The ``design`` block: what to search, for what, under which budget, how long."""

    space: dict[str, RangeSpec | ChoiceSpec]
    """Dotted path -> range or choices."""
    objective: str
    """Name of the objective (``objectives.OBJECTIVES``)."""
    direction: Direction | None = None
    """``maximize`` or ``minimize``; default: the objective's own direction."""
    budget: float | None = Field(default=None, ge=0)
    """Maximum mean ``incentive_cost`` per step (mean over seeds); none: unconstrained."""
    budget_mode: Literal["constraint", "penalty"] = "constraint"
    """``constraint``: infeasible trials never win (and TPE models feasibility);
    ``penalty``: the sampler sees ``objective − penalty_weight · max(0, cost − budget)``."""
    penalty_weight: float = Field(default=10.0, gt=0)
    """Objective units lost per unit of cost above the budget (``penalty`` mode)."""
    trials: int = Field(default=20, gt=0, strict=True)
    """Completed trials the study should have."""
    batch: int = Field(default=1, ge=1, le=256, strict=True)
    """Trials asked at once and run together (all their seeds in parallel); ``1`` is fully
    sequential. A batch's trials are sampled without seeing each other's results."""
    sampler: Literal["tpe", "random"] = "tpe"
    """Optuna sampler: tree-structured Parzen estimator or uniform random."""
    startup_trials: int = Field(default=10, ge=0, strict=True)
    """TPE: trials sampled at random before the model is used."""
    seed: int = Field(default=0, ge=0, strict=True)
    """Sampler seed (trial ``k`` is sampled with a seed derived from it and ``k``)."""
    storage: str | None = None
    """Optuna storage URL; default ``sqlite:///<db stem>-optuna.db`` next to the run store."""
    study_name: str | None = Field(default=None, min_length=1)
    """Study name in the storage; default: the config's ``name``."""
    reevaluate: int = Field(default=5, ge=0, le=1000, strict=True)
    """Fresh seeds (indices after the experiment's) the best feasible trial is re-run on
    after the search, for an estimate free of the selection's optimism; ``0``: none. Not
    part of the study's identity (it never changes the search)."""

    @property
    def goal(self) -> Objective:
        """The named objective."""
        return get_objective(self.objective)

    @property
    def sense(self) -> Direction:
        """The effective direction."""
        return self.direction or self.goal.direction


def load_design(
    source: str | Path | dict[str, Any],
) -> tuple[ExperimentConfig, DesignSpec]:
    """The experiment and the validated design block of a design config (path or mapping)."""
    raw = read_yaml(source) if isinstance(source, str | Path) else source
    if not isinstance(raw, dict):
        raise ConfigError("config", raw, "a mapping with name, game, learners, steps, design")
    if "design" not in raw:
        raise ConfigError("design", "<missing>", "a design block (space, objective, trials...)")
    if "sweep" in raw:
        raise ConfigError("sweep", raw["sweep"], "no sweep in a design config (design.space)")
    experiment = load_config({k: v for k, v in raw.items() if k != "design"})
    block = raw["design"]
    if not isinstance(block, dict):
        raise ConfigError("design", block, "a mapping with space, objective, trials, ...")
    space = block.get("space")
    if not isinstance(space, dict) or not space:
        raise ConfigError("design.space", space, "a non-empty mapping: dotted path -> range")
    entries = {str(path): _parse_entry(str(path), entry) for path, entry in space.items()}
    design = parse(DesignSpec, {**block, "space": entries}, "design")
    get_objective(design.objective)
    check_available(design.goal, experiment.game.id, experiment.game.params)
    return experiment, _checked(design, experiment)


def _parse_entry(path: str, entry: Any) -> RangeSpec | ChoiceSpec:
    field = f"design.space.{path}"
    if isinstance(entry, RangeSpec | ChoiceSpec):
        return entry
    if not isinstance(entry, dict):
        raise ConfigError(field, entry, "{low: .., high: ..} or {choices: [...]}")
    if "choices" in entry:
        return parse(ChoiceSpec, entry, field)
    return parse(RangeSpec, entry, field)


def _checked(design: DesignSpec, experiment: ExperimentConfig) -> DesignSpec:
    """Check every space entry against the resolved config; ranges get their ``type``."""
    base = {k: v for k, v in experiment.model_dump(mode="json").items() if k not in EXPERIMENT_ONLY}
    space: dict[str, RangeSpec | ChoiceSpec] = {}
    for path, entry in design.space.items():
        field = f"design.space.{path}"
        check_root(field, path)
        current = get_path(base, path, field)
        if isinstance(entry, RangeSpec):
            entry = _checked_range(field, entry, current)
            values = [_cast(entry, entry.low), _cast(entry, entry.high)]
        else:
            keys = [canonical_json(v) for v in entry.choices]
            if len(set(keys)) != len(keys):
                raise ConfigError(f"{field}.choices", entry.choices, "a list of distinct values")
            values = list(entry.choices)
        for value in values:
            try:
                resolve_run(apply_point(base, {path: value}))
            except ConfigError as error:
                raise ConfigError(
                    field,
                    value,
                    f"values that make a valid run ({error.field}: {error.allowed})",
                ) from None
        space[path] = entry
    return design.model_copy(update={"space": space})


def _checked_range(field: str, entry: RangeSpec, current: Any) -> RangeSpec:
    if isinstance(current, bool) or not isinstance(current, int | float):
        raise ConfigError(
            field, current, "a numeric parameter for a range ({choices: [...]} for other values)"
        )
    for bound in ("low", "high"):
        if not math.isfinite(getattr(entry, bound)):
            raise ConfigError(f"{field}.{bound}", getattr(entry, bound), "a finite number")
    if not entry.low < entry.high:
        raise ConfigError(f"{field}.high", entry.high, f"greater than low ({entry.low})")
    if entry.log and entry.low <= 0:
        raise ConfigError(f"{field}.low", entry.low, "greater than 0 with log: true")
    if entry.log and entry.step is not None:
        raise ConfigError(f"{field}.step", entry.step, "no step with log: true")
    if entry.step is not None and entry.step > entry.high - entry.low:
        raise ConfigError(
            f"{field}.step", entry.step, f"at most high - low ({entry.high - entry.low})"
        )
    kind = entry.type or ("int" if isinstance(current, int) else "float")
    if kind == "int":
        for name in ("low", "high", "step"):
            value = getattr(entry, name)
            if value is not None and float(value) != int(value):
                raise ConfigError(f"{field}.{name}", value, "an integer (an integer range)")
    return entry.model_copy(update={"type": kind})


def _cast(entry: RangeSpec, value: float) -> int | float:
    return int(value) if entry.type == "int" else float(value)
