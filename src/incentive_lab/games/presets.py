"""Named payoff tensors of the classic two-player normal-form games.

Every preset is a tensor ``payoffs[a_row, a_col, k]`` (payoff of player ``k``), shape
``(2, 2, 2)``. For the social dilemmas action 0 is *cooperate* and action 1 is *defect*.

The greed/fear family (SPEC §1.1) fixes the reward ``R = 3`` and punishment ``P = 1`` and
moves the temptation ``T = 3 + greed`` and the sucker's payoff ``S = 1 − fear``:

==========  ======  =====  =====================  =================================
preset      greed   fear   (T, S)                 pure equilibria
==========  ======  =====  =====================  =================================
stag_hunt    −1       1    (2, 0)                 (C, C), (D, D)
chicken       1      −1    (4, 2)                 (C, D), (D, C)
harmony      −1      −1    (2, 2)                 (C, C)
greed_fear    1       1    (4, 0)  (defaults)     (D, D)  — a prisoner's dilemma
==========  ======  =====  =====================  =================================

``prisoners_dilemma`` is the classic Axelrod matrix ``(C,C)=(3,3) (C,D)=(0,5) (D,C)=(5,0)
(D,D)=(1,1)`` (T=5, S=0; in the family that is greed=2, fear=1). ``matching_pennies`` is
zero-sum (the row player wins +1 on a match) with no cooperative action and no pure
equilibrium; ``battle_of_sexes`` pays ``(2,1)`` on (0,0), ``(1,2)`` on (1,1) and nothing on
a mismatch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from incentive_lab.core.types import FloatArray

REWARD = 3.0
"""``R`` of the greed/fear family."""
PUNISHMENT = 1.0
"""``P`` of the greed/fear family."""


def symmetric_2x2(reward: float, sucker: float, temptation: float, punishment: float) -> FloatArray:
    """The symmetric 2×2 tensor with ``(C,C)=(R,R) (C,D)=(S,T) (D,C)=(T,S) (D,D)=(P,P)``."""
    return np.array(
        [
            [[reward, reward], [sucker, temptation]],
            [[temptation, sucker], [punishment, punishment]],
        ],
        dtype=np.float64,
    )


def greed_fear(greed: float, fear: float) -> FloatArray:
    """The greed/fear family: ``R=3, P=1, T=3+greed, S=1−fear``."""
    return symmetric_2x2(REWARD, PUNISHMENT - fear, REWARD + greed, PUNISHMENT)


def prisoners_dilemma() -> FloatArray:
    """Axelrod's prisoner's dilemma ``T=5, R=3, P=1, S=0``."""
    return symmetric_2x2(3.0, 0.0, 5.0, 1.0)


def matching_pennies() -> FloatArray:
    """Zero-sum: the row player gets +1 when the actions match, −1 otherwise."""
    row = np.array([[1.0, -1.0], [-1.0, 1.0]])
    return np.stack([row, -row], axis=-1)


def battle_of_sexes() -> FloatArray:
    """Coordination with conflict: ``(0,0)=(2,1)``, ``(1,1)=(1,2)``, mismatches ``(0,0)``."""
    tensor = np.zeros((2, 2, 2))
    tensor[0, 0] = (2.0, 1.0)
    tensor[1, 1] = (1.0, 2.0)
    return tensor


@dataclass(frozen=True)
class Preset:
    """A named game: its tensor builder, cooperative action and action labels."""

    build: Callable[[float, float], FloatArray]
    """``build(greed, fear)``; presets other than ``greed_fear`` ignore the arguments."""
    cooperative_action: int | None
    action_names: tuple[str, ...]
    description: str


_DILEMMA = ("cooperate", "defect")

PRESETS: dict[str, Preset] = {
    "prisoners_dilemma": Preset(
        lambda g, f: prisoners_dilemma(),
        0,
        _DILEMMA,
        "Prisoner's dilemma (T=5, R=3, P=1, S=0); action 0 cooperates",
    ),
    "stag_hunt": Preset(
        lambda g, f: greed_fear(-1.0, 1.0),
        0,
        _DILEMMA,
        "Stag hunt (greed=-1, fear=1): two pure equilibria (C,C) and (D,D)",
    ),
    "chicken": Preset(
        lambda g, f: greed_fear(1.0, -1.0),
        0,
        _DILEMMA,
        "Chicken / snowdrift (greed=1, fear=-1): anti-coordination equilibria (C,D), (D,C)",
    ),
    "harmony": Preset(
        lambda g, f: greed_fear(-1.0, -1.0),
        0,
        _DILEMMA,
        "Harmony game (greed=-1, fear=-1): cooperation strictly dominant",
    ),
    "greed_fear": Preset(
        greed_fear,
        0,
        _DILEMMA,
        "Symmetric 2x2 dilemma R=3, P=1, T=3+greed, S=1-fear",
    ),
    "matching_pennies": Preset(
        lambda g, f: matching_pennies(),
        None,
        ("heads", "tails"),
        "Matching pennies: zero-sum, no pure equilibrium",
    ),
    "battle_of_sexes": Preset(
        lambda g, f: battle_of_sexes(),
        None,
        ("opera", "football"),
        "Battle of the sexes: two pure coordination equilibria with unequal payoffs",
    ),
}
"""Every preset by name (``greed_fear`` is parameterised; the others are fixed)."""

FIXED_PRESETS: tuple[str, ...] = tuple(name for name in PRESETS if name != "greed_fear")
"""Presets that are also registered as game ids of their own."""
