"""The ``slate_choice`` channel of the ``recommender`` game (``agents_choose: items``).

How a slate travels through the array-of-agents loop (``rollout.Simulation``; protocol in
``core.slate_choice``):

1. after ``reset`` and after every ``step`` the game draws the *next* round — which users
   are active and which agent each picks by reputation, the random draws of the round —
   and keeps it pending (:attr:`RecommenderGame.pending`);
2. in ``act`` a learner reads :meth:`SlateChannel.requests` for its agents (the users it
   will serve), ranks items with its own model, calls :meth:`SlateChannel.submit` with
   ``int64[S, k]`` distinct item ids per user and returns the action ``submitted`` (6);
3. ``game.step`` plays the pending round: agents playing a strategy get the strategy's
   slates, agents playing ``submitted`` their submitted slates; every slate is scored by
   the same logit choice model (``games.recommender.choice``);
4. in ``update`` the learner reads :meth:`SlateChannel.feedback`: its users, the slates
   they saw and the slot each clicked (``−1``: none).

The counterfactual queries of mechanisms (``rewards_for``) replay the last round with the
slates submitted for it. Users and items carry serial numbers that change when a slot gets
a new user (after a churn) or an item is replaced, so a learner forgets what it knew.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from incentive_lab.core.errors import ConfigError
from incentive_lab.core.slate_choice import SlateFeedback, SlateRequest
from incentive_lab.core.types import BoolArray, FloatArray, IntArray
from incentive_lab.games.recommender.data import Catalogue
from incentive_lab.games.recommender.labels import labels_for
from incentive_lab.games.recommender.params import RecommenderParams
from incentive_lab.games.recommender.slates import Items, Round

SUBMITTED = 6
"""The action "show my submitted slates" (after the six strategies of v0)."""


class Host(Protocol):
    """What the channel reads of the ``recommender`` game (``.game.RecommenderGame``)."""

    params: RecommenderParams
    catalogue: Catalogue | None
    n_topics: int
    items: Items
    pending: Round
    user_serial: IntArray
    item_serial: IntArray
    served_ever: BoolArray
    last_slates: IntArray
    last_clicked: IntArray
    last_serial: IntArray
    played: Round | None


class SlateChannel:
    """``core.slate_choice.SlateChoice`` over the ``recommender`` game."""

    def __init__(self, game: Host) -> None:
        self._game = game

    @property
    def n_users(self) -> int:
        """User slots."""
        return self._game.params.n_users

    @property
    def n_items(self) -> int:
        """Items in the catalogue."""
        return self._game.params.n_items

    @property
    def slate_size(self) -> int:
        """Items per slate."""
        return self._game.params.slate_size

    @property
    def submitted(self) -> int:
        """The action index ``submitted``."""
        return SUBMITTED

    def item_features(self) -> FloatArray:
        """``float64[I, d]``: the items' topic/genre weights (public content features)."""
        return self._game.items.features

    def item_serial(self) -> IntArray:
        """``int64[I]``: item serial numbers."""
        return self._game.item_serial

    def item_labels(self) -> tuple[str, ...]:
        """Item labels as text (``games.recommender.labels``: MovieLens titles and genres)."""
        return labels_for(self._game)

    def _rows(self, agents: IntArray, agent_of: IntArray) -> IntArray:
        return np.flatnonzero(np.isin(agent_of, np.asarray(agents, dtype=np.int64)))

    def requests(self, agents: IntArray) -> SlateRequest:
        """The pending round's users of ``agents``, by user slot."""
        game = self._game
        rnd = game.pending
        rows = self._rows(agents, rnd.agent_of)
        users = rnd.users[rows]
        return SlateRequest(
            agents=rnd.agent_of[rows],
            users=users,
            serial=game.user_serial[users].copy(),
            new=(~game.served_ever[users]).astype(np.int64),
        )

    def submit(self, agents: IntArray, slates: IntArray) -> None:
        """Store ``slates`` for the rows of ``requests(agents)`` (validated)."""
        game = self._game
        rnd = game.pending
        rows = self._rows(agents, rnd.agent_of)
        k, n_items = game.params.slate_size, game.params.n_items
        array = np.asarray(slates)
        if array.shape != (rows.shape[0], k) or array.dtype.kind not in "iu":
            raise ConfigError(
                "slate_choice.submit",
                f"{array.dtype}{list(array.shape)}",
                f"int64[{rows.shape[0]}, {k}] (one slate per requested user)",
            )
        if array.size and (array.min() < 0 or array.max() >= n_items):
            raise ConfigError(
                "slate_choice.submit", f"items {array.min()}..{array.max()}", f"0..{n_items - 1}"
            )
        ordered = np.sort(array, axis=1)
        if (ordered[:, 1:] == ordered[:, :-1]).any():
            raise ConfigError("slate_choice.submit", "a repeated item", "distinct items per slate")
        assert rnd.submitted is not None
        rnd.submitted[rows] = array

    def feedback(self, agents: IntArray) -> SlateFeedback:
        """The last round's slates and clicks of ``agents``."""
        game = self._game
        rnd = game.played
        if rnd is None:  # no step yet
            rows = np.zeros(0, dtype=np.int64)
            k = game.params.slate_size
            return SlateFeedback(rows, rows, rows, np.zeros((0, k), dtype=np.int64), rows)
        rows = self._rows(agents, rnd.agent_of)
        users = rnd.users[rows]
        return SlateFeedback(
            agents=rnd.agent_of[rows],
            users=users,
            serial=game.last_serial[rows],
            slates=game.last_slates[rows],
            clicked=game.last_clicked[rows],
        )
