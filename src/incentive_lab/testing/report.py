"""How a contract check fails and what it reports when it passes.

Every check of :mod:`incentive_lab.testing` runs through a :class:`Checks` recorder: each named
check either passes (and is listed in the returned :class:`ContractReport`) or raises one
:class:`ContractError` — an ``AssertionError``, so pytest shows it as a failed assertion — whose
message names the unit, the check and the offending values::

    learner 'my_learner': seeded reproducibility: two builds with seed 0 chose different
    actions at step 3: [0 1 2] != [0 2 2]

A check that a unit is exempt from (declared with a reason in ``testing.fixtures``) is not run
and is listed in the report's ``exemptions`` with that reason.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, NoReturn

import numpy as np


class ContractError(AssertionError):
    """A unit broke its contract: ``kind`` ``unit`` failed ``check`` (see the message)."""

    def __init__(self, kind: str, unit: str, check: str, message: str) -> None:
        self.kind, self.unit, self.check = kind, unit, check
        super().__init__(f"{kind} {unit!r}: {check}: {message}")


class ContractExemption(UserWarning):
    """A unit is exempt from a contract check (declared in ``testing.fixtures``)."""


@dataclass(frozen=True)
class ContractReport:
    """What a passing contract check ran.

    ``checks``: the names of the checks that passed, in order, each once (a check that runs
    on each of several games is named with the game, ``"<check> @ <game>"``); ``exemptions``:
    checks not run, with the reason (declared in ``testing.fixtures`` or by the unit);
    ``notes``: facts worth knowing (e.g. "no explicit policy").
    """

    kind: str
    unit: str
    checks: tuple[str, ...]
    exemptions: Mapping[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def __str__(self) -> str:
        lines = [f"{self.kind} {self.unit!r}: {len(self.checks)} checks passed"]
        lines += [f"  exempt from {name}: {why}" for name, why in self.exemptions.items()]
        lines += [f"  note: {note}" for note in self.notes]
        return "\n".join(lines)


def short(value: Any, limit: int = 160) -> str:
    """A one-line, bounded rendering of ``value`` for messages."""
    if isinstance(value, np.ndarray):
        text = np.array2string(value, threshold=12, max_line_width=10_000)
    else:
        text = repr(value)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


class Checks:
    """Runs the named checks of one unit and collects the report."""

    def __init__(self, kind: str, unit: str) -> None:
        self.kind, self.unit = kind, unit
        self.current = "setup"
        self.passed: list[str] = []
        self.exempt: dict[str, str] = {}
        self.notes: list[str] = []

    def fail(self, message: str) -> NoReturn:
        """Fail the current check with ``message``."""
        raise ContractError(self.kind, self.unit, self.current, message)

    def that(self, condition: Any, message: str) -> None:
        """Fail the current check with ``message`` unless ``condition`` holds."""
        if not condition:
            self.fail(message)

    @contextmanager
    def check(self, name: str) -> Iterator[None]:
        """Run the block as check ``name``; any exception becomes a :class:`ContractError`."""
        self.current = name
        try:
            yield
        except ContractError:
            raise
        except AssertionError as error:  # numpy.testing's comparisons
            raise ContractError(self.kind, self.unit, name, " ".join(str(error).split())) from error
        except Exception as error:
            message = f"raised {type(error).__name__}: {short(str(error), 400)}"
            raise ContractError(self.kind, self.unit, name, message) from error
        if name not in self.passed:
            self.passed.append(name)

    def skip(self, name: str, reason: str) -> None:
        """Record that check ``name`` does not apply, with ``reason``."""
        self.exempt[name] = reason

    def note(self, text: str) -> None:
        """Record a fact for the report."""
        if text not in self.notes:
            self.notes.append(text)

    def report(self) -> ContractReport:
        """The report of everything run so far."""
        return ContractReport(
            self.kind, self.unit, tuple(self.passed), dict(self.exempt), tuple(self.notes)
        )

    # -- comparisons with messages that name the values ----------------------------------
    def equal(self, a: Any, b: Any, what: str) -> None:
        """Fail unless arrays ``a`` and ``b`` are identical (shape and values)."""
        a, b = np.asarray(a), np.asarray(b)
        if a.shape != b.shape or not np.array_equal(a, b, equal_nan=a.dtype.kind == "f"):
            self.fail(f"{what}: {short(a)} != {short(b)}")

    def close(self, a: Any, b: Any, what: str, atol: float, rtol: float = 0.0) -> None:
        """Fail unless ``a`` and ``b`` agree within ``atol + rtol·|b|`` everywhere."""
        a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
        if a.shape != b.shape:
            self.fail(f"{what}: shapes {a.shape} != {b.shape}")
        if not np.allclose(a, b, atol=atol, rtol=rtol):
            worst = float(np.max(np.abs(a - b)))
            self.fail(f"{what}: {short(a)} != {short(b)} (max |diff| {worst:.3g} > {atol:g})")
