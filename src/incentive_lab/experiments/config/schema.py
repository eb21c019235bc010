"""The shape of an experiment config: frozen pydantic models, unknown keys forbidden.

This module checks *structure* only (which keys exist, their types and ranges). Whether a
unit id is registered and whether its ``params`` are valid is checked against the registry
in :mod:`incentive_lab.experiments.config.resolve`. Shape::

    name: pgg-faq
    game: {id: public_goods, params: {n_agents: 100, r_c: 4.0}}
    mechanism: {id: none}                     # default
    learners: [{id: faq, params: {alpha: 0.1}, agents: "0:100"}]
    steps: 15000
    seeds: 5                                  # a count, or a list of seed indices
    seed: 0                                   # the experiment seed
    record_every: 100                         # default: steps // 100 (at least 1)
    summary_window: 0.1                       # fraction of the last records in the summary
    sweep: {game.params.r_c: [3.0, 4.0]}      # dotted path -> values (product over keys)
    phases: [{at_step: 5000, overrides: {mechanism: {id: none}}}]
    limits: {max_runs: 100000}                # refuse larger plans before any work
    report: {thresholds: {cooperation_rate: 0.02, social_welfare: {relative: 0.05}}}

Every structural error becomes a :class:`~incentive_lab.core.errors.ConfigError` naming the
dotted field, the bad value and what is allowed (:func:`parse`).
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from incentive_lab.core.errors import ConfigError, did_you_mean

M = TypeVar("M", bound=BaseModel)


class _Model(BaseModel):
    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        use_attribute_docstrings=True,
        ser_json_inf_nan="constants",
        allow_inf_nan=False,
    )


class UnitSpec(_Model):
    """A registered unit (game or mechanism) and its parameters."""

    id: str = Field(min_length=1)
    """Registry id, e.g. ``public_goods``."""
    params: dict[str, Any] = Field(default_factory=dict)
    """Parameters, validated against the unit's parameter model."""


class LearnerSpec(UnitSpec):
    """A learner group: a registered learner driving a contiguous range of agents."""

    agents: str | None = None
    """``"start:stop"`` (stop may be omitted: to the end); omitted: all agents (one group)."""

    @field_validator("agents", mode="before")
    @classmethod
    def _quoted(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            raise ValueError('a range like "0:50" (a string), not a number')
        return value


class PhaseSpec(_Model):
    """From ``at_step`` on, the game or mechanism changes; learners carry on learning."""

    at_step: int = Field(gt=0, strict=True)
    """First step (0-based) played under the new rules; within ``(0, steps)``."""
    overrides: dict[str, Any] = Field(min_length=1)
    """Dotted path -> new value: ``game.params.*``, ``mechanism``, ``mechanism.params[.*]``."""


class Threshold(_Model):
    """A practical threshold: an absolute effect size, or a fraction of the candidates' range.

    A bare number in the config is ``absolute``. The report calls a lead *clear* only when
    the paired difference exceeds it (``evaluation.report.verdicts``).
    """

    absolute: float | None = Field(default=None, ge=0.0)
    """The smallest effect that matters, in the metric's own unit."""
    relative: float | None = Field(default=None, ge=0.0, le=1.0)
    """The smallest effect that matters as a fraction of the range of the candidates' means
    in the sweep point (the report's default is ``relative: 0.01``)."""

    @model_validator(mode="before")
    @classmethod
    def _number(cls, value: Any) -> Any:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return {"absolute": value}
        return value

    @model_validator(mode="after")
    def _one(self) -> Threshold:
        if (self.absolute is None) == (self.relative is None):
            raise ValueError("a number >= 0, {absolute: x >= 0} or {relative: 0 <= x <= 1}")
        return self


class Thresholds(_Model):
    """A practical threshold per objective metric of the report (unset: the default)."""

    social_welfare: Threshold | None = None
    """Social welfare (total base reward per step)."""
    cooperation_rate: Threshold | None = None
    """Cooperation (fraction of agent-steps)."""
    gini: Threshold | None = None
    """Fairness (Gini of mean rewards)."""
    incentive_spend: Threshold | None = None
    """Paid out by the designer per step (the cost objective)."""
    incentive_cost: Threshold | None = None
    """Gross volume paid + collected per step (the cost of runs stored before spend)."""


class ReportSpec(_Model):
    """How the report judges this experiment (never changes what a run computes)."""

    thresholds: Thresholds = Field(default_factory=Thresholds)
    """Practical threshold per objective metric (``evaluation.report.verdicts``)."""


class RunConfig(_Model):
    """Everything one run needs apart from its seed."""

    name: str = Field(min_length=1)
    """Experiment name (groups runs in the store)."""
    game: UnitSpec
    """The game."""
    mechanism: UnitSpec = UnitSpec(id="none")
    """The incentive mechanism (default: ``none``)."""
    learners: tuple[LearnerSpec, ...] = Field(min_length=1)
    """Learner groups tiling the population in order."""
    steps: int = Field(gt=0, le=10**10, strict=True)
    """Steps of the run."""
    record_every: int | None = Field(default=None, gt=0, strict=True)
    """Steps per recorded window (default ``max(1, steps // 100)``); at most ``steps``."""
    summary_window: float = Field(default=0.1, gt=0.0, le=1.0)
    """Fraction of the final records averaged into the run's summary (at least one)."""
    phases: tuple[PhaseSpec, ...] = ()
    """Mid-run changes of game or mechanism parameters, in increasing ``at_step``."""
    report: ReportSpec | None = Field(default=None, exclude_if=lambda value: value is None)
    """Report settings (practical thresholds); stored with the runs when given. Left out of
    dumps when absent, so configs without it keep their stored configs and run ids."""


MAX_SEED = 2**63 - 1
"""Largest experiment seed (the store keeps seeds as 64-bit integers)."""
MAX_SEED_INDEX = 2**31 - 1
"""Largest seed index (the store keeps seed indices as 32-bit integers)."""


MAX_RUNS = 100_000
"""Default most runs (sweep points × seeds) an experiment may plan; see :class:`Limits`."""


class Limits(_Model):
    """Budgets checked before any work starts (never part of an experiment's identity)."""

    max_runs: int = Field(default=MAX_RUNS, ge=1, le=10**12, strict=True)
    """Most runs (sweep points × seeds, counted from the sweep's shape) the plan may have."""


class ExperimentConfig(RunConfig):
    """A validated experiment: a run config, its seeds and an optional sweep.

    Built by :func:`incentive_lab.experiments.load_config`, which also fills every default
    in (unit parameters, agent ranges, ``record_every``) and validates every sweep point.
    """

    seeds: int | tuple[int, ...] = 1
    """Number of seeds (indices ``0..seeds-1``) or an explicit list of seed indices."""
    seed: int = Field(default=0, ge=0, le=MAX_SEED, strict=True)
    """Experiment seed; run seeds are derived from it and the seed index."""
    sweep: dict[str, list[Any]] = Field(default_factory=dict)
    """Dotted path -> list of values; runs cover the product over keys in order."""
    limits: Limits = Field(default_factory=Limits, exclude=True)
    """Budgets (``max_runs``); left out of dumps, so never part of a run's config."""

    @field_validator("seeds", mode="before")
    @classmethod
    def _seeds(cls, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | list | tuple):
            raise ValueError("a count >= 1 or a list of distinct seed indices >= 0")
        if isinstance(value, int):
            if not 1 <= value <= MAX_SEED_INDEX + 1:
                raise ValueError(
                    f"a count >= 1 (at most {MAX_SEED_INDEX + 1}) or a list of seed indices"
                )
            return value
        items = list(value)
        bad = [
            v
            for v in items
            if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= MAX_SEED_INDEX
        ]
        if not items or bad or len(set(items)) != len(items):
            raise ValueError(
                f"a count >= 1 or a non-empty list of distinct seed indices in 0..{MAX_SEED_INDEX}"
            )
        return tuple(items)

    @property
    def n_seeds(self) -> int:
        """Number of replicates (without building the list of seed indices)."""
        return self.seeds if isinstance(self.seeds, int) else len(self.seeds)

    @property
    def seed_indices(self) -> tuple[int, ...]:
        """The seed indices of the replicates."""
        if isinstance(self.seeds, int):
            return tuple(range(self.seeds))
        return self.seeds


# Which model sits at a location (ints, i.e. list positions, removed) -- for "did you mean".
_NESTED: dict[tuple[str, ...], type[BaseModel]] = {
    ("game",): UnitSpec,
    ("mechanism",): UnitSpec,
    ("learners",): LearnerSpec,
    ("phases",): PhaseSpec,
    ("limits",): Limits,
    ("report",): ReportSpec,
    ("report", "thresholds"): Thresholds,
    ("report", "thresholds", "social_welfare"): Threshold,
    ("report", "thresholds", "cooperation_rate"): Threshold,
    ("report", "thresholds", "gini"): Threshold,
    ("report", "thresholds", "incentive_spend"): Threshold,
    ("report", "thresholds", "incentive_cost"): Threshold,
}


def parse(model: type[M], raw: Any, prefix: str = "") -> M:
    """Validate ``raw`` into ``model``; errors name ``prefix.<loc>`` (a ``ConfigError``)."""
    if not isinstance(raw, dict):
        raise ConfigError(prefix or "config", raw, f"a mapping with fields of {model.__name__}")
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        raise _convert(model, error, prefix) from None


def _convert(model: type[BaseModel], error: ValidationError, prefix: str) -> ConfigError:
    errors = error.errors()
    # An unknown key is the likelier cause of a "missing" one (a misspelling): report it first.
    first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    loc = [str(part) for part in first["loc"]]
    field = ".".join([prefix, *loc] if prefix else loc) or prefix or "config"
    kind, value = first["type"], first.get("input")
    if kind == "extra_forbidden":
        where = tuple(p for p in loc[:-1] if not p.isdigit())
        owner = model if not where else _NESTED.get(where, model)
        names = sorted(owner.model_fields)
        return ConfigError(
            field,
            value,
            f"unknown field {loc[-1]!r}; allowed: {', '.join(names)}{did_you_mean(loc[-1], names)}",
        )
    if kind == "missing":
        return ConfigError(field, "<missing>", "this field is required")
    message = str(first["msg"]).removeprefix("Value error, ")
    return ConfigError(field, value, message[:1].lower() + message[1:])
