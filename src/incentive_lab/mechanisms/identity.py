"""``none``: the identity mechanism, the baseline every other mechanism is compared with.

Learners optimise the game's base rewards unchanged; no money moves; the cost is zero. Its
differentiable shaping is the identity too, so gradient-play learners accept it
(capability ``loss_shaping``).
"""

from __future__ import annotations

from typing import Any

from incentive_lab.core.capabilities import Capability
from incentive_lab.core.mechanism import Mechanism
from incentive_lab.core.params import Params
from incentive_lab.core.registry import register
from incentive_lab.core.types import IntArray


class NoneParams(Params):
    """``none`` has no parameters."""


class Identity(Mechanism[NoneParams]):
    """The base mechanism (every step the identity adjustment), declared as loss shaping."""

    capabilities = frozenset({Capability.LOSS_SHAPING})

    def shape_losses(self, losses: Any, probs: Any, copies: IntArray) -> Any:
        """The losses unchanged."""
        return losses


register(
    "mechanism",
    "none",
    params=NoneParams,
    description="No mechanism: learners see the base rewards, no transfers, no cost.",
    stateless=True,
    pays=False,
    shaping=False,
)(Identity)
