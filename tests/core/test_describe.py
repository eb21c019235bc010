"""core.describe: readable types, YAML defaults and docstrings for parameter models."""

from __future__ import annotations

from typing import Annotated, Literal

import pytest
from pydantic import Field

from incentive_lab.core.describe import describe, type_text, yaml_text
from incentive_lab.core.params import Params
from incentive_lab.core.registry import KINDS, entries


class Inner(Params):
    dist: Literal["uniform", "normal"] = "uniform"
    """Distribution."""
    low: float = 0.0
    """Lowest value."""


class Demo(Params):
    exploration: Literal["epsilon_greedy", "boltzmann"] = "epsilon_greedy"
    """How actions are chosen."""
    n: int = Field(default=1, ge=1)
    """Count."""
    p: float = Field(default=0.5, ge=0.0, le=1.0)
    """A probability."""
    rate: float = Field(default=0.1, gt=0.0, allow_inf_nan=False)
    """A finite positive rate."""
    flag: bool = True
    """A switch."""
    taxes: list[float] = Field(default_factory=lambda: [0.0, 2.5])
    """Per action."""
    pairs: Annotated[list[tuple[float, float]], Field(min_length=1)] = [(1.5, -0.5)]
    """Pairs."""
    weights: dict[str, float] = Field(default_factory=dict)
    """Named weights."""
    limit: int | None = Field(default=None, ge=1)
    """Optional cap."""
    mode: Literal["a", "b"] | None = None
    """Optional choice."""
    inner: Inner = Inner()
    """Nested model."""
    needed: str
    """No default."""


def by_name():
    return {doc.name: doc for doc in describe(Demo)}


def test_types_are_readable():
    docs = by_name()
    assert docs["exploration"].type == "epsilon_greedy | boltzmann"
    assert docs["exploration"].choices == ("epsilon_greedy", "boltzmann")
    assert docs["n"].type == "int ≥ 1"
    assert docs["p"].type == "float in [0, 1]"
    assert docs["rate"].type == "float > 0"  # Params refuses inf/NaN everywhere: not repeated
    assert docs["flag"].type == "bool"
    assert docs["taxes"].type == "list of float"
    assert docs["pairs"].type == "list of [float, float], length ≥ 1"
    assert docs["weights"].type == "mapping of str to float"
    assert docs["limit"].type == "int ≥ 1 | null"
    assert docs["mode"].type == "a | b | null"
    assert docs["mode"].choices == ("a", "b", None)
    assert docs["inner"].type == "mapping {dist, low}"
    assert [f.name for f in docs["inner"].fields] == ["dist", "low"]
    assert docs["inner"].fields[0].type == "uniform | normal"


def test_base_types_and_constraints_stay_apart_for_machines():
    docs = by_name()
    assert (docs["p"].base_type, docs["p"].constraints) == ("float", (">= 0.0", "<= 1.0"))
    assert docs["rate"].constraints == ("> 0.0",)
    assert docs["limit"].base_type == "int | null"
    assert docs["pairs"].constraints == ("length >= 1",)
    record = docs["p"].as_dict()
    assert record["type"] == "float" and record["type_text"] == "float in [0, 1]"


def test_defaults_are_yaml():
    docs = by_name()
    assert docs["exploration"].default == "epsilon_greedy"
    assert docs["flag"].default == "true"
    assert docs["limit"].default == "null"
    assert docs["taxes"].default == "[0.0, 2.5]"
    assert docs["pairs"].default == "[[1.5, -0.5]]"
    assert docs["weights"].default == "{}"
    assert docs["inner"].default == "{dist: uniform, low: 0.0}"
    assert docs["inner"].default_value == {"dist": "uniform", "low": 0.0}
    assert docs["needed"].required and docs["needed"].default == ""
    assert docs["p"].description == "A probability."


def test_finite_is_marked_where_the_model_allows_inf_elsewhere():
    from pydantic import BaseModel

    class Loose(BaseModel):
        rate: float = Field(default=0.1, gt=0.0, allow_inf_nan=False)
        scale: float = 1.0

    docs = {doc.name: doc for doc in describe(Loose)}
    assert docs["rate"].type == "finite float > 0"
    assert docs["rate"].constraints == ("> 0.0", "finite")
    assert docs["scale"].type == "float"


def test_yaml_text_scalars():
    assert yaml_text(None) == "null"
    assert yaml_text(False) == "false"
    assert yaml_text("") == "''"
    assert yaml_text((1, 2)) == "[1, 2]"
    assert yaml_text(float("inf")) == ".inf"


def test_type_text_fallbacks_name_no_internals():
    class Thing:
        pass

    assert type_text(Thing) == "Thing (Python object)"
    assert type_text(list) == "list"


INTERNALS = ("allow_inf_nan", "<class", "Literal[", "FieldInfo", "annotation=", "typing.")


@pytest.mark.parametrize("kind", KINDS)
def test_every_registered_unit_is_described_without_internals(kind):
    for entry in entries(kind):
        for doc in describe(entry.params):
            for text in (doc.type, doc.default, *(f.type for f in doc.fields)):
                assert not any(bad in text for bad in INTERNALS), (entry.id, doc.name, text)
