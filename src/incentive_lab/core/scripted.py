"""Scripted policies: named bots a game plays from its own state (``scripted_policy``).

Some games publish reference behaviours — the cleaner and the harvester of Cleanup, the
sustainable and the greedy harvester of Harvest, the own-colour and the any-colour collector
of the Coin Game — that need the game's full state (where the apples are, how polluted the
river is), not an agent's observation. Learners may not import games, so a game offers them
through ``game.scripted_policy``, an object of the :class:`ScriptedPolicy` protocol below, and
the ``scripted`` learner plays one of them for its group.

Names
    ``policies`` lists every accepted name. Every game that offers the capability accepts the
    two generic names ``"cooperator"`` and ``"defector"`` (aliases of its cooperative and
    defecting bot, which ``cooperator`` / ``defector`` name), so a Schelling diagram
    (``evaluation.schelling``) can be drawn for any such game without knowing its bots.

Randomness
    ``actions`` draws only from the generator it is given (the learner's own), so bots are
    reproducible and never shift the game's random stream.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np

from incentive_lab.core.types import Actions, IntArray

COOPERATOR = "cooperator"
"""The generic name of a game's cooperative bot."""
DEFECTOR = "defector"
"""The generic name of a game's defecting bot."""


@runtime_checkable
class ScriptedPolicy(Protocol):
    """Named bots acting from a game's current state (see the module docstring)."""

    @property
    def policies(self) -> tuple[str, ...]:
        """Every accepted policy name (including ``"cooperator"`` and ``"defector"``)."""
        ...

    @property
    def cooperator(self) -> str:
        """The game's own name of its cooperative bot."""
        ...

    @property
    def defector(self) -> str:
        """The game's own name of its defecting bot."""
        ...

    def actions(self, policy: str, rows: IntArray, rng: np.random.Generator) -> Actions:
        """``int64[len(rows)]``: what bot ``policy`` plays now for agents ``rows`` (global)."""
        ...
