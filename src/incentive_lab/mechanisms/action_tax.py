"""``action_tax``: a fine (or subsidy) for each action, paid in real money.

Agent ``i`` playing action ``a_i`` pays the designer ``tax[a_i]`` (a negative entry is a
subsidy the designer pays). As a transfer (designer pays ``+``, collects ``−``)::

    t_i = −tax[a_i]
    t̃_i = t_i − (1/n_c) Σ_{j ∈ copy(i)} t_j        (budget_balanced = True)

Learners see ``R_i + t_i``; the cost reported is the gross volume ``Σ_i |t_i|`` (also for
the budget-balanced variant, whose *net* spend is zero by construction).

Theory (prisoner's dilemma, actions C=0, D=1, payoffs T > R > P > S): with
``taxes = [0, t]`` the shaped game has payoffs ``T−t, R, P−t, S``; cooperation is strictly
dominant iff ``R > T − t`` and ``S > P − t``, i.e. ``t > max(T−R, P−S)`` (``= 2`` for the
preset ``(C,C)=(3,3) (C,D)=(0,5) (D,C)=(5,0) (D,D)=(1,1)``). Defection stays strictly
dominant iff ``t < min(T−R, P−S)`` (``= 1``); in between the shaped game is a snowdrift
(chicken) game with pure equilibria (C,D) and (D,C). With ``budget_balanced`` in a
two-player copy, half of a fine comes back to the payer, so both thresholds double
(cooperation dominant iff ``t > 2·max(T−R, P−S)``).

On differentiable games (``core.differentiable``) the realised action is a sample of each
player's mixed strategy ``π_i``; :meth:`ActionTax.shape_losses` charges the *expected*
transfer ``Σ_a π_i(a)·(−tax[a])`` (of which the realised transfer is an unbiased sample),
so gradients flow through the strategy.

Parameters
----------
taxes
    One entry per action of the game: ``tax[a] > 0`` is a fine, ``< 0`` a subsidy.
budget_balanced
    Redistribute each copy's net collection equally among its members (``mechanisms.budget``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import Field

from incentive_lab.core.capabilities import Capability
from incentive_lab.core.differentiable import copy_mean_matrix
from incentive_lab.core.errors import ConfigError
from incentive_lab.core.game import Game
from incentive_lab.core.mechanism import Adjustment
from incentive_lab.core.params import Params
from incentive_lab.core.registry import register
from incentive_lab.core.types import Actions, IntArray, Rewards
from incentive_lab.mechanisms.budget import balance_within_copies
from incentive_lab.mechanisms.checked import CheckedMechanism


class ActionTaxParams(Params):
    """Parameters of ``action_tax``."""

    taxes: list[float] = Field(min_length=1)
    """Tax per action (length ``n_actions``): positive a fine paid by the agent, negative a
    subsidy paid by the designer."""
    budget_balanced: bool = False
    """Hand each copy's net collection back to its members in equal shares."""


@register(
    "mechanism",
    "action_tax",
    params=ActionTaxParams,
    description="Fines or subsidies per action (real transfers), optionally budget-balanced.",
    stateless=True,
    pays=True,
    shaping=False,
)
class ActionTax(CheckedMechanism[ActionTaxParams]):
    """Transfers ``−tax[a_i]`` (budget-balanced within copies if asked)."""

    capabilities = frozenset({Capability.LOSS_SHAPING})

    def check(self) -> None:
        """Validate the parameters against the game (see ``mechanisms.checked``)."""
        taxes = self.params.taxes
        if len(taxes) != self.n_actions:
            raise ConfigError(
                "mechanism.params.taxes",
                taxes,
                f"one tax per action: a list of length {self.n_actions}",
            )
        if not np.all(np.isfinite(taxes)):
            raise ConfigError("mechanism.params.taxes", taxes, "finite numbers")
        self.table = -np.asarray(taxes, dtype=np.float64)

    def adjust(
        self, game: Game[Any], actions: Actions, rewards: Rewards, info: dict[str, Any]
    ) -> Adjustment:
        """Return ``R_i − tax[a_i]`` with the matching transfers."""
        rewards = np.asarray(rewards, dtype=np.float64)
        transfers = self.table[np.asarray(actions, dtype=np.int64)]
        if self.params.budget_balanced:
            transfers = balance_within_copies(transfers, game.copies)
        return Adjustment.payments(rewards, transfers)

    def shape_losses(self, losses: Any, probs: Any, copies: IntArray) -> Any:
        """Expected transfers on torch losses (differentiable games): ``ℓ_i − E_π_i[t]``.

        ``E[t_i] = Σ_a π_i(a)·(−tax[a])``; budget-balanced: minus its copy mean.
        """
        expected = probs @ losses.new_tensor(self.table)
        if self.params.budget_balanced:
            expected = expected - losses.new_tensor(copy_mean_matrix(copies)) @ expected
        return losses - expected
