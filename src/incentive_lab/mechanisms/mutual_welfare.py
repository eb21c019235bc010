"""``mutual_welfare``: every member of a group receives the group's Cobb-Douglas welfare.

Each agent optimises a concave aggregate of its copy's gains over a disagreement point
``d``::

    g_j = max(R_j − d, 0)
    W   = Π_{j ∈ copy} g_j^{1/n_c}      (kind = "cobb_douglas": the geometric mean)
    W   = Π_{j ∈ copy} g_j              (kind = "nash_product": the Nash bargaining product)

and ``U_i = W`` for every ``i`` in the copy. For two players with ``d = 0`` the Cobb-Douglas
form is ``√(U·L)`` (GTAlign's mutual welfare of user and model). ``W`` rewards joint
gains and is zero as soon as *any* member gets ``R_j ≤ d``: no one profits from leaving a
partner at or below the disagreement point, which makes exploitation unattractive (in the
prisoner's dilemma with ``d = 0``, (C,D) and (D,C) give 0 to both, (C,C) gives 3 and (D,D)
gives 1 — mutual cooperation becomes the dominant outcome).

Negative rewards: gains are clipped at zero, so a member with ``R_j ≤ d`` zeroes the
whole copy's reward and the learners get no gradient among such outcomes. In games with
negative payoffs set ``d`` below the smallest payoff that should still count (e.g.
``d = −10`` if rewards lie in ``(−10, ∞)``); ``W`` is then computed on the shifted gains.
Computed vectorised with log-sums per copy (``np.bincount``), so a Nash product over a large
copy may overflow to ``inf``; prefer the Cobb-Douglas form there. Pure shaping: transfers
and cost are zero.

Counterparts outside the population: a game whose agents serve someone who is not an
agent (the simulated user of ``user_assistant``) reports that side's welfare per agent in
``info["counterpart_welfare"]`` (``float64[n]``); each such value joins the agent's copy as
one more member, so a one-assistant copy gets ``W = √(max(L−d,0)·max(U−d,0))`` — GTAlign's
``√(U·L)``. Without the key nothing changes.

Parameters
----------
kind
    ``"cobb_douglas"`` (geometric mean, equal weights ``1/n_c``) or ``"nash_product"``.
disagreement
    The disagreement point ``d`` subtracted from every reward before the product.

Reference: Nash (1950), "The bargaining problem"; Cobb & Douglas (1928); GTAlign
(game-theoretic alignment of LLM assistants, mutual welfare ``√(U·L)``).
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from pydantic import Field

from incentive_lab.core.game import Game
from incentive_lab.core.mechanism import Adjustment, Mechanism
from incentive_lab.core.params import Params
from incentive_lab.core.registry import register
from incentive_lab.core.types import Actions, FloatArray, IntArray, Rewards


class MutualWelfareParams(Params):
    """Parameters of ``mutual_welfare``."""

    kind: Literal["cobb_douglas", "nash_product"] = "cobb_douglas"
    """``cobb_douglas``: geometric mean of the gains; ``nash_product``: their plain product."""
    disagreement: float = Field(default=0.0, allow_inf_nan=False)
    """Disagreement point ``d``: gains are ``max(R_j − d, 0)``."""


COUNTERPART = "counterpart_welfare"
"""``info`` key of the welfare of each agent's non-agent counterpart (``float64[n]``)."""


def mutual_welfare(
    rewards: FloatArray,
    copies: IntArray,
    kind: Literal["cobb_douglas", "nash_product"] = "cobb_douglas",
    disagreement: float = 0.0,
    counterpart: FloatArray | None = None,
) -> FloatArray:
    """``float64[n]``: the copy's welfare ``W`` (see the module docstring) for every agent.

    ``counterpart`` (optional, ``float64[n]``): the welfare of each agent's counterpart,
    counted as one more member of the agent's copy.
    """
    if counterpart is not None:
        n = rewards.shape[0]
        rewards = np.concatenate([rewards, np.asarray(counterpart, dtype=np.float64)])
        shaped = mutual_welfare(rewards, np.concatenate([copies, copies]), kind, disagreement)
        return shaped[:n]
    gains = rewards - disagreement
    positive = gains > 0.0
    logs = np.log(np.where(positive, gains, 1.0))
    log_total: FloatArray = np.bincount(copies, weights=logs).astype(np.float64)
    if kind == "cobb_douglas":
        log_total = log_total / np.maximum(np.bincount(copies), 1)
    blocked = np.bincount(copies, weights=(~positive).astype(np.float64)) > 0
    welfare = np.where(blocked, 0.0, np.exp(log_total))
    return welfare[copies].astype(np.float64)


@register(
    "mechanism",
    "mutual_welfare",
    params=MutualWelfareParams,
    description="Each agent receives its group's Cobb-Douglas / Nash-product welfare; shaping.",
    stateless=True,
    pays=False,
    shaping=True,
)
class MutualWelfare(Mechanism[MutualWelfareParams]):
    """Shaped reward = the copy's mutual welfare ``W``."""

    def adjust(
        self, game: Game[Any], actions: Actions, rewards: Rewards, info: dict[str, Any]
    ) -> Adjustment:
        """Return ``W`` of each agent's copy, counterparts included (no transfers)."""
        rewards = np.asarray(rewards, dtype=np.float64)
        counterpart = info.get(COUNTERPART) if isinstance(info, dict) else None
        shaped = mutual_welfare(
            rewards, game.copies, self.params.kind, self.params.disagreement, counterpart
        )
        return Adjustment.shaping(shaped)
