"""The README's catalogue table names every registered game, learner and mechanism.

The README is the front door: a registered id that is missing there is a unit a user cannot
find (seven were, until 2026-12-06). An id counts as named when it appears in backticks.
Units that other tests register at run time (defined outside the package) do not count.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from incentive_lab.core import registry

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("kind", ["game", "learner", "mechanism"])
def test_the_readme_names_every_registered_unit(kind: str) -> None:
    shipped = [  # units other tests register at run time live outside the package
        entry.id
        for entry in registry.entries(kind)  # type: ignore[arg-type]
        if entry.factory.__module__.startswith("incentive_lab.")
    ]
    missing = [unit for unit in shipped if f"`{unit}`" not in README]
    assert missing == [], f"registered {kind}s missing from README.md: {missing}"
