"""Readable descriptions of parameter models, for ``incentive-lab list`` and the docs.

:func:`describe` turns a unit's :class:`~incentive_lab.core.params.Params` model into one
:class:`ParamDoc` per field, written for a person editing a YAML config rather than for a
Python reader:

* the type in words, with the field's constraints folded in: ``int ≥ 1``,
  ``float in [0, 1]``, ``finite float > 0``, ``list of float, length ≥ 1``; a choice
  parameter (``Literal[...]``) lists its allowed values, ``epsilon_greedy | boltzmann``;
  an optional field ends in ``| null``; a nested parameter model is a ``mapping`` whose own
  fields are described in :attr:`ParamDoc.fields`;
* the default as YAML writes it (``null``, ``true``, ``[0.0, 2.5]``,
  ``{dist: uniform, low: 0.0, high: 1.0}``), never a Python repr;
* the field's docstring, on one line.

Nothing here names a pydantic class, a module path or a ``repr``.
"""

from __future__ import annotations

import enum
import math
import types
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import yaml
from pydantic import BaseModel
from pydantic.fields import FieldInfo

__all__ = ["ParamDoc", "constraint_texts", "describe", "plain", "type_text", "yaml_text"]


@dataclass(frozen=True)
class ParamDoc:
    """One parameter of a unit, described for people."""

    name: str
    """Field name, as written in a config's ``params``."""
    type: str
    """Readable type with its constraints (``int ≥ 1``, ``a | b``, ``list of float``)."""
    base_type: str
    """The same without the field's own constraints (``int``, ``a | b``, ``float | null``)."""
    constraints: tuple[str, ...]
    """The field's constraints, one per item (``>= 1``, ``< 1.0``, ``finite``, ``length <= 6``)."""
    required: bool
    """No default: a config must give a value."""
    default: str
    """The default as YAML writes it (``""`` when required)."""
    default_value: Any
    """The default as plain JSON-able data (``None`` when required)."""
    choices: tuple[Any, ...]
    """Allowed values of a choice parameter, else empty."""
    description: str
    """The field's docstring on one line."""
    fields: tuple[ParamDoc, ...] = field(default=())
    """The fields of a nested parameter model (``values.dist``...), else empty."""

    def as_dict(self) -> dict[str, Any]:
        """A JSON-able dict (``incentive-lab list --json``)."""
        record: dict[str, Any] = {
            "name": self.name,
            "type": self.base_type,
            "constraints": list(self.constraints),
            "type_text": self.type,
            "required": self.required,
            "default": self.default_value,
            "default_yaml": self.default,
            "choices": list(self.choices),
            "description": self.description,
        }
        if self.fields:
            record["fields"] = [f.as_dict() for f in self.fields]
        return record


def describe(model: type[BaseModel]) -> list[ParamDoc]:
    """One :class:`ParamDoc` per field of ``model``, in declaration order.

    A model that refuses inf and NaN everywhere (``Params`` does) marks no field ``finite``:
    the rule holds for every number, so it is not repeated per field.
    """
    finite = model.model_config.get("allow_inf_nan") is False
    return [_describe_field(name, info, finite) for name, info in model.model_fields.items()]


def _describe_field(name: str, info: FieldInfo, finite: bool) -> ParamDoc:
    required = info.is_required()
    value = None if required else plain(info.get_default(call_default_factory=True))
    nested = _single_model(info.annotation)
    metadata = [m for m in info.metadata if not (finite and _is_finite_marker(m))]
    return ParamDoc(
        name=name,
        type=type_text(info.annotation, metadata, info.discriminator),
        base_type=type_text(info.annotation, (), info.discriminator),
        constraints=constraint_texts(metadata),
        required=required,
        default="" if required else yaml_text(value),
        default_value=value,
        choices=_choices(info.annotation),
        description=" ".join((info.description or "").split()),
        fields=tuple(describe(nested)) if nested is not None else (),
    )


# --- types -------------------------------------------------------------------------------

_NAMES = {int: "int", float: "float", bool: "bool", str: "str", bytes: "bytes"}
_SEQUENCES = (list, tuple, set, frozenset, Sequence)


def _is_union(annotation: Any) -> bool:
    return get_origin(annotation) in (Union, types.UnionType)


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _single_model(annotation: Any) -> type[BaseModel] | None:
    """The parameter model of a field typed ``Model`` or ``Model | None``, else ``None``."""
    if get_origin(annotation) is Annotated:
        return _single_model(get_args(annotation)[0])
    if _is_union(annotation):
        rest = [a for a in get_args(annotation) if a is not type(None)]
        return _single_model(rest[0]) if len(rest) == 1 else None
    return annotation if _is_model(annotation) else None


def _choices(annotation: Any) -> tuple[Any, ...]:
    """The values a ``Literal`` (or enum, possibly optional) allows, else ``()``."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _choices(get_args(annotation)[0])
    if origin is Literal:
        return tuple(plain(v) for v in get_args(annotation))
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return tuple(plain(m) for m in annotation)
    if _is_union(annotation):
        values: list[Any] = []
        for arg in get_args(annotation):
            found = (None,) if arg is type(None) else _choices(arg)
            if not found:
                return ()
            values.extend(v for v in found if v not in values)
        return tuple(values)
    return ()


def type_text(annotation: Any, metadata: Sequence[Any] = (), discriminator: Any = None) -> str:
    """A readable type: ``int ≥ 1``, ``float in (0, 1]``, ``a | b | null``, ``list of str``."""
    origin = get_origin(annotation)
    if origin is Annotated:
        base, *extra = get_args(annotation)
        return type_text(base, [*extra, *metadata], discriminator)
    if _is_union(annotation):
        args = get_args(annotation)
        options = [a for a in args if a is not type(None)]
        if discriminator is not None and options and all(_is_model(a) for a in options):
            tags = [_tag(a, discriminator) for a in options]
            text = f"mapping by {discriminator}: {' | '.join(tags)}"
        else:
            parts: list[str] = []
            for arg in options:
                part = type_text(arg, metadata)
                if part not in parts:
                    parts.append(part)
            text = " | ".join(parts)
        return f"{text} | null" if len(options) < len(args) else text
    if origin is Literal:
        return " | ".join(yaml_text(plain(v)) for v in get_args(annotation))
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return " | ".join(yaml_text(plain(m)) for m in annotation)
    if _is_model(annotation):
        names = list(annotation.model_fields)
        if len(names) > 5:
            return f"mapping of {len(names)} fields"
        return f"mapping {{{', '.join(names)}}}" if names else "mapping"
    if annotation in (int, float):
        return _number_text(_NAMES[annotation], metadata)
    if annotation in _NAMES:
        return _NAMES[annotation] + _length_text(metadata, "characters")
    if annotation is Any or annotation is None:
        return "any" if annotation is Any else "null"
    return _container_text(annotation, origin, metadata)


def _container_text(annotation: Any, origin: Any, metadata: Sequence[Any]) -> str:
    args = get_args(annotation)
    if origin is tuple and args and args[-1] is not Ellipsis:
        return "[" + ", ".join(type_text(a) for a in args) + "]" + _length_text(metadata)
    if annotation in _SEQUENCES or origin in _SEQUENCES:
        inner = [a for a in args if a is not Ellipsis]
        item = type_text(inner[0]) if inner else "any"
        text = "list" if item == "any" else f"list of {item}"
        return text + _length_text(metadata)
    if annotation in (dict, Mapping) or origin in (dict, Mapping):
        if len(args) == 2 and args[1] is not Any:
            return f"mapping of {type_text(args[0])} to {type_text(args[1])}"
        return "mapping" + _length_text(metadata)
    name = getattr(annotation, "__name__", None) or getattr(origin, "__name__", None)
    return f"{name} (Python object)" if name else "any"


def _tag(model: type[BaseModel], discriminator: Any) -> str:
    info = model.model_fields.get(str(discriminator))
    if info is not None and get_origin(info.annotation) is Literal:
        return " | ".join(yaml_text(plain(v)) for v in get_args(info.annotation))
    return model.__name__


def _is_finite_marker(item: Any) -> bool:
    return getattr(item, "allow_inf_nan", None) is False


def _bounds(metadata: Sequence[Any]) -> dict[str, Any]:
    """``ge``/``gt``/``le``/``lt``/``min_length``/``max_length``/``multiple_of``/``finite``."""
    found: dict[str, Any] = {}
    for item in metadata:
        for key in ("ge", "gt", "le", "lt", "min_length", "max_length", "multiple_of"):
            value = getattr(item, key, None)
            if value is not None:
                found[key] = value
        if getattr(item, "allow_inf_nan", None) is False:
            found["finite"] = True
    return found


_OPERATORS = {
    "ge": ">=",
    "gt": ">",
    "le": "<=",
    "lt": "<",
    "min_length": "length >=",
    "max_length": "length <=",
    "multiple_of": "multiple of",
}


def constraint_texts(metadata: Sequence[Any]) -> tuple[str, ...]:
    """Each constraint of ``metadata`` as ``">= 0.0"``, ``"length <= 6"`` or ``"finite"``."""
    texts = [
        f"{_OPERATORS[key]} {value}" for key, value in _bounds(metadata).items() if key != "finite"
    ]
    if _bounds(metadata).get("finite"):
        texts.append("finite")
    return tuple(texts)


def _number(value: Any) -> str:
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value = int(value)
    return str(value)


def _number_text(name: str, metadata: Sequence[Any]) -> str:
    bounds = _bounds(metadata)
    low_key = "ge" if "ge" in bounds else "gt" if "gt" in bounds else None
    high_key = "le" if "le" in bounds else "lt" if "lt" in bounds else None
    finite = bounds.get("finite") and not (low_key and high_key)
    text = f"finite {name}" if finite else name
    if low_key and high_key:
        left = "[" if low_key == "ge" else "("
        right = "]" if high_key == "le" else ")"
        low, high = _number(bounds[low_key]), _number(bounds[high_key])
        text += f" in {left}{low}, {high}{right}"
    elif low_key:
        text += f" {'≥' if low_key == 'ge' else '>'} {_number(bounds[low_key])}"
    elif high_key:
        text += f" {'≤' if high_key == 'le' else '<'} {_number(bounds[high_key])}"
    if "multiple_of" in bounds:
        text += f", multiple of {_number(bounds['multiple_of'])}"
    return text


def _length_text(metadata: Sequence[Any], unit: str = "") -> str:
    bounds = _bounds(metadata)
    low, high = bounds.get("min_length"), bounds.get("max_length")
    suffix = f" {unit}" if unit else ""
    if low is not None and high is not None:
        return f", length in [{low}, {high}]{suffix}"
    if low is not None:
        return f", length ≥ {low}{suffix}"
    if high is not None:
        return f", length ≤ {high}{suffix}"
    return ""


# --- values ------------------------------------------------------------------------------


def plain(value: Any) -> Any:
    """``value`` as plain YAML/JSON data: models become mappings, tuples and arrays lists."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, enum.Enum):
        return plain(value.value)
    if isinstance(value, BaseModel):
        return plain(value.model_dump())
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return [plain(v) for v in sorted(value, key=str)]
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    tolist = getattr(value, "tolist", None)
    if callable(tolist):
        return plain(tolist())
    item = getattr(value, "item", None)
    if callable(item):
        return plain(item())
    text = str(value)
    return f"<{type(value).__name__}>" if text.startswith("<") else text


def yaml_text(value: Any) -> str:
    """Plain data written as one line of YAML: ``null``, ``true``, ``[0.0, 2.5]``, ``''``."""
    text = yaml.safe_dump(
        plain(value), default_flow_style=True, width=1_000_000, allow_unicode=True, sort_keys=False
    ).strip()
    if text.endswith("\n..."):
        text = text[: -len("\n...")]
    return text.strip()
