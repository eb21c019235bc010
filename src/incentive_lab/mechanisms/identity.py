"""``none``: the identity mechanism, the baseline every other mechanism is compared with.

Learners optimise the game's base rewards unchanged; no money moves; the cost is zero. It is
the ``core.mechanism.Mechanism`` base class itself, registered with an empty parameter
model.
"""

from __future__ import annotations

from incentive_lab.core.mechanism import Mechanism
from incentive_lab.core.params import Params
from incentive_lab.core.registry import register


class NoneParams(Params):
    """``none`` has no parameters."""


register(
    "mechanism",
    "none",
    params=NoneParams,
    description="No mechanism: learners see the base rewards, no transfers, no cost.",
    stateless=True,
    pays=False,
    shaping=False,
)(Mechanism)
