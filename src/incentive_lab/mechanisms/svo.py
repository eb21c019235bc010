"""``svo``: social value orientation as a reward angle.

Each agent weighs its own reward against the mean reward of the other members of its copy
with an angle ``θ`` on the (own, others) plane::

    U_i = cos θ · R_i + sin θ · mean_{j≠i ∈ copy(i)} R_j

Reference angles: ``0°`` individualistic (the identity), ``45°`` prosocial (own and others
weighted equally), ``90°`` altruistic (only the others count), ``−45°`` competitive (the
others' reward counts against one's own), ``180°`` masochistic. The allowed range is the
whole circle, ``−180° ≤ θ ≤ 180°``. An agent alone in its copy has no others: the others'
term is zero, so ``U_i = cos θ · R_i``. Pure shaping: transfers and cost are zero.

The utility is linear in the rewards, so on differentiable games (``core.differentiable``)
:meth:`SVO.shape_losses` applies the same weights to the players' torch losses.

Example (prisoner's dilemma at (C, D), rewards (0, 5), θ = 90°): ``U = (5, 0)``.

Parameters
----------
angle
    The reward angle ``θ`` in degrees.

Reference: Griesinger & Livingston (1973), "Toward a model of interpersonal motivation in
experimental games" (the SVO ring); McKee et al. (2020), "Social diversity and social
preferences in mixed-motive reinforcement learning" (SVO as a reward angle for RL agents;
they shape with a penalty on the angle of the realised reward vector, this module uses the
simpler linear combination).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import Field

from incentive_lab.core.capabilities import Capability
from incentive_lab.core.differentiable import others_mean_matrix
from incentive_lab.core.game import Game
from incentive_lab.core.mechanism import Adjustment, Mechanism
from incentive_lab.core.params import Params
from incentive_lab.core.registry import register
from incentive_lab.core.types import Actions, FloatArray, IntArray, Rewards
from incentive_lab.mechanisms.copies import others_mean


class SVOParams(Params):
    """Parameters of ``svo``."""

    angle: float = Field(default=45.0, ge=-180.0, le=180.0)
    """Reward angle θ in degrees: 0 selfish, 45 prosocial, 90 altruistic, −45 competitive."""


_AXES = {
    0.0: (1.0, 0.0),
    90.0: (0.0, 1.0),
    -90.0: (0.0, -1.0),
    180.0: (-1.0, 0.0),
    -180.0: (-1.0, 0.0),
}


def svo_weights(angle: float) -> tuple[float, float]:
    """``(cos θ, sin θ)`` for ``angle`` in degrees, exact on the axes (0°, ±90°, ±180°)."""
    if angle in _AXES:
        return _AXES[angle]
    theta = np.deg2rad(angle)
    return float(np.cos(theta)), float(np.sin(theta))


def svo_utility(rewards: FloatArray, copies: IntArray, angle: float) -> FloatArray:
    """``float64[n]``: ``cos θ · R_i + sin θ · mean of the others' rewards``."""
    own, others = svo_weights(angle)
    if others == 0.0:
        return own * rewards
    return own * rewards + others * others_mean(rewards, copies)


@register(
    "mechanism",
    "svo",
    params=SVOParams,
    description="Social value orientation: own and others' mean reward mixed by an angle.",
    stateless=True,
    pays=False,
    shaping=True,
)
class SVO(Mechanism[SVOParams]):
    """Shaped reward = ``cos θ · own + sin θ · others' mean``."""

    capabilities = frozenset({Capability.LOSS_SHAPING})

    def adjust(
        self, game: Game[Any], actions: Actions, rewards: Rewards, info: dict[str, Any]
    ) -> Adjustment:
        """Return the SVO utilities (no transfers)."""
        rewards = np.asarray(rewards, dtype=np.float64)
        return Adjustment.shaping(svo_utility(rewards, game.copies, self.params.angle))

    def shape_losses(self, losses: Any, probs: Any, copies: IntArray) -> Any:
        """The same (linear) shaping on torch losses (differentiable games)."""
        own, others = svo_weights(self.params.angle)
        return own * losses + others * (losses.new_tensor(others_mean_matrix(copies)) @ losses)
