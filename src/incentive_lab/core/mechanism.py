"""The ``Mechanism`` contract: reshape rewards, pay or collect transfers.

``adjust`` receives the base rewards of a step and returns an :class:`Adjustment`:

* ``shaped_rewards`` — what the learners optimise;
* ``transfers`` — real payments per agent: the designer pays (+) or collects (−);
* ``cost`` — the designer's spend this step (by default ``Σ|transfers|``, the gross volume
  of incentive moved).

Pure reward shaping (team reward, inequity aversion, SVO, ...) changes what learners
optimise without moving money: transfers are zero. Payment mechanisms (taxes, subsidies,
planners) move money: the shaped reward is base reward plus transfer. The recorder keeps base
rewards, shaped rewards and transfers apart, so outcomes are always measured on base rewards
and the mechanism's own accounting is never trusted for welfare.

Factories registered under kind ``"mechanism"`` are called as ``factory(params, game, rng)``.
A mechanism sees the game only through the ``core.game.Game`` protocol.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

import numpy as np

from incentive_lab.core.capabilities import Capabilities
from incentive_lab.core.game import Game
from incentive_lab.core.params import Params, validate_params
from incentive_lab.core.types import Actions, FloatArray, Rewards

P = TypeVar("P", bound=Params)

_ZEROS: dict[int, FloatArray] = {}


def shared_zeros(n: int) -> FloatArray:
    """A read-only ``float64[n]`` of zeros, one per size: "no transfers" without allocating.

    Consumers may test ``transfers is shared_zeros(n)`` to skip adding zeros.
    """
    zeros = _ZEROS.get(n)
    if zeros is None:
        if len(_ZEROS) >= 64:  # bounded: sizes are few in practice
            _ZEROS.clear()
        zeros = np.zeros(n)
        zeros.flags.writeable = False
        _ZEROS[n] = zeros
    return zeros


def read_only(values: FloatArray) -> FloatArray:
    """A read-only view of ``values`` (the caller's array stays writeable)."""
    view = values.view()
    view.flags.writeable = False
    return view


@dataclass(frozen=True)
class Adjustment:
    """Result of a mechanism on one step (arrays ``float64[n]``)."""

    shaped_rewards: Rewards
    transfers: FloatArray
    cost: float

    @classmethod
    def identity(cls, rewards: Rewards) -> Adjustment:
        """No change, no transfers, no cost.

        Copy-free: ``shaped_rewards`` is a read-only view of ``rewards`` and ``transfers``
        the shared read-only zeros of :func:`shared_zeros` (1-D rewards); nothing downstream
        may write into either.
        """
        rewards = np.asarray(rewards, dtype=np.float64)
        if rewards.ndim != 1:
            return cls(rewards.copy(), np.zeros_like(rewards), 0.0)
        return cls(read_only(rewards), shared_zeros(rewards.shape[0]), 0.0)

    @classmethod
    def shaping(cls, shaped: Rewards) -> Adjustment:
        """Pure reward shaping: learners see ``shaped``; no money moves."""
        shaped = np.asarray(shaped, dtype=np.float64)
        return cls(shaped, np.zeros_like(shaped), 0.0)

    @classmethod
    def payments(cls, rewards: Rewards, transfers: FloatArray) -> Adjustment:
        """Real transfers: learners see ``rewards + transfers``; cost is ``Σ|transfers|``."""
        transfers = np.asarray(transfers, dtype=np.float64)
        return cls(rewards + transfers, transfers, float(np.abs(transfers).sum()))


class Mechanism(Generic[P]):
    """Base class of every mechanism. Subclasses override :meth:`adjust`.

    The base class is concrete on purpose: ``none`` is this class itself. ``capabilities``
    declares what a mechanism offers learners (``loss_shaping``: a differentiable
    ``shape_losses(losses, probs, copies)`` for gradient play on differentiable games).
    """

    capabilities: ClassVar[Capabilities] = frozenset()

    def __init__(self, params: P, game: Game[Any], rng: np.random.Generator) -> None:
        self.params = params
        self.rng = rng

    def offers(self) -> Capabilities:
        """What this mechanism offers (its class's ``capabilities``)."""
        return self.capabilities

    def adjust(
        self, game: Game[Any], actions: Actions, rewards: Rewards, info: dict[str, Any]
    ) -> Adjustment:
        """Return the adjustment of one step (default: the identity)."""
        return Adjustment.identity(rewards)

    def update(
        self, game: Game[Any], actions: Actions, rewards: Rewards, adjustment: Adjustment
    ) -> dict[str, float]:
        """Adaptive mechanisms learn here after the learners updated; default: nothing."""
        return {}

    def reconfigure(self, **changes: Any) -> None:
        """Replace parameters mid-run (a phase), keeping any learned state."""
        merged = {**self.params.model_dump(), **changes}
        self.params = validate_params(type(self.params), merged, "mechanism.params")
