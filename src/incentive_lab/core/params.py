"""Typed parameter models: the only source of hyper-parameters.

Every registered game, learner and mechanism declares a frozen pydantic model derived from
:class:`Params`. Each field carries a type, a default (or none when required), range
constraints and a docstring (the attribute docstring becomes the field description shown by
``incentive-lab list``). A misspelt field is an error, never silently ignored.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from incentive_lab.core.errors import ConfigError, from_validation_error

P = TypeVar("P", bound="Params")


class Params(BaseModel):
    """Base class of every parameter model (frozen, unknown fields forbidden)."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        use_attribute_docstrings=True,
        arbitrary_types_allowed=True,
        validate_default=True,
    )


def validate_params(model: type[P], raw: Any, field: str = "params") -> P:
    """Validate ``raw`` (a mapping, an instance or ``None``) into ``model``.

    Raises :class:`ConfigError` naming ``field.<name>``, the bad value and what is allowed.
    """
    if raw is None:
        raw = {}
    if isinstance(raw, model):
        return raw
    if isinstance(raw, Params):
        raw = raw.model_dump()
    if not isinstance(raw, dict):
        raise ConfigError(field, raw, f"a mapping of parameters of {model.__name__}")
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        error._allowed_fields = tuple(model.model_fields)  # type: ignore[attr-defined]
        raise from_validation_error(field, error) from None


def describe_params(model: type[Params]) -> list[dict[str, Any]]:
    """Name, type, default and description of each field of ``model`` (for listings)."""
    rows = []
    for name, info in model.model_fields.items():
        annotation = info.annotation
        type_name = getattr(annotation, "__name__", None) or str(annotation)
        type_name = type_name.replace("typing.", "")
        default = None if info.is_required() else info.get_default(call_default_factory=True)
        constraints = [str(m) for m in info.metadata]
        rows.append(
            {
                "name": name,
                "type": type_name,
                "required": info.is_required(),
                "default": default,
                "constraints": constraints,
                "description": info.description or "",
            }
        )
    return rows
