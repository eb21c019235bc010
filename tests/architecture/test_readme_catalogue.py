"""The README's catalogue table names every registered game, learner and mechanism.

The README is the front door: a registered id that is missing there is a unit a user cannot
find (four were, until 2026-12-06). An id counts as named when it appears in backticks.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from incentive_lab.core import registry

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("kind", ["game", "learner", "mechanism"])
def test_the_readme_names_every_registered_unit(kind: str) -> None:
    missing = [unit for unit in registry.ids(kind) if f"`{unit}`" not in README]  # type: ignore[arg-type]
    assert missing == [], f"registered {kind}s missing from README.md: {missing}"
