"""Typed parameter models: the only source of hyper-parameters.

Every registered game, learner and mechanism declares a frozen pydantic model derived from
:class:`Params`. Each field carries a type, a default (or none when required), range
constraints and a docstring (the attribute docstring becomes the field description shown by
``incentive-lab list``). A misspelt field is an error, never silently ignored. NaN and
±inf are refused in every float (also inside lists and tuples) unless a field says
``Field(allow_inf_nan=True)``: a NaN parameter would silently poison every stored metric.
"""

from __future__ import annotations

from types import UnionType
from typing import Any, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from incentive_lab.core.errors import ConfigError, from_validation_error

P = TypeVar("P", bound="Params")


class LooseScalarError(Exception):
    """A parameter given with the wrong scalar type (raised past pydantic, see ``Params``)."""

    def __init__(self, name: str, value: Any, allowed: str) -> None:
        super().__init__(name, value, allowed)
        self.name, self.value, self.allowed = name, value, allowed


class Params(BaseModel):
    """Base class of every parameter model (frozen, unknown fields forbidden)."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        use_attribute_docstrings=True,
        arbitrary_types_allowed=True,
        validate_default=True,
        allow_inf_nan=False,
    )

    def population(self) -> int | None:
        """Agents a game built from these params holds, if known without building it.

        Games whose size is a formula of their params (a lattice's ``side²``) declare it,
        so a population too large for memory is refused before anything is allocated
        (``experiments.config.memory``); ``None``: known only once built.
        """
        return None

    @model_validator(mode="before")
    @classmethod
    def _no_loose_scalars(cls, data: Any) -> Any:
        """Reject ``true`` for a number, ``"10"`` for a number or ``"yes"`` for a flag.

        Pydantic's lax mode would coerce them silently; a config value of the wrong type is
        almost always a mistake, so numbers and flags must be given as such.
        """
        if not isinstance(data, dict):
            return data
        for name, value in data.items():
            info = cls.model_fields.get(name)
            if info is None or value is None:
                continue
            kinds = _scalar_kinds(info.annotation)
            if not kinds:
                continue
            if isinstance(value, bool):
                if bool not in kinds:
                    raise LooseScalarError(name, value, "a number, not true/false")
            elif isinstance(value, str) and str not in kinds:
                raise LooseScalarError(name, value, f"{_kind_text(kinds)}, not a string")
            elif kinds == {bool} and not isinstance(value, bool):
                raise LooseScalarError(name, value, "true or false")
        return data


def _scalar_kinds(annotation: Any) -> set[type]:
    """The plain scalar types (int, float, bool, str) an annotation admits, if it is scalar."""
    args = get_args(annotation) if get_origin(annotation) in (Union, UnionType) else (annotation,)
    args = tuple(a for a in args if a is not type(None))
    if not args or not all(a in (int, float, bool, str) for a in args):
        return set()
    return set(args)


def _kind_text(kinds: set[type]) -> str:
    names = {
        "a number" if k in (int, float) else "true or false" if k is bool else "text" for k in kinds
    }
    return " or ".join(sorted(names))


def field_error(model: str, field: str, value: Any, allowed: str) -> ValidationError:
    """A validation error located at ``field`` whose message is ``allowed``."""
    error = PydanticCustomError("config", "{allowed}", {"allowed": allowed})
    return ValidationError.from_exception_data(
        model, [InitErrorDetails(type=error, loc=(field,), input=value)]
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
    except LooseScalarError as error:
        raise ConfigError(f"{field}.{error.name}", error.value, error.allowed) from None
