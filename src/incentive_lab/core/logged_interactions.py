"""Logged interactions: the implicit feedback a platform recorded before the simulation.

A real recommender platform does not start from nothing: it trains its models on the
interactions it logged. A game whose users come from data offers the capability
``logged_interactions`` (``core.capabilities``): ``game.logged_interactions``, a
:class:`LoggedInteractions` of the positives its users had *before* the run, in the game's
own indices (user slots, item ids of the channel ``core.slate_choice``), so that a learner
can warm-start from them (``warm_start: logged`` of the ``recsys_*`` learners) and then
keep learning online from clicks. A game hands over only what a platform could have
logged: for the ``recommender`` game with ``preferences: fitted``, the training part of
MovieLens-100k's time-ordered split, never its valid or test ratings
(``games.recommender.movielens``).

The log is about the users who sit in the slots when the run starts: a learner gives the
logged history of slot ``u`` to the first user it serves there, and forgets it when a new
user (another serial) takes the slot. Learners import only this module, never a game.
"""

from __future__ import annotations

from dataclasses import dataclass

from incentive_lab.core.types import IntArray


@dataclass(frozen=True)
class LoggedInteractions:
    """Implicit positives ``(users[N], items[N])`` in the game's indices.

    ``users``: user slots in ``0..n_users-1``; ``items``: item ids in ``0..n_items-1``;
    rows grouped by user and in time order within a user; ``source``: where they come from
    (for messages and docs).
    """

    users: IntArray
    items: IntArray
    n_users: int
    n_items: int
    source: str = ""
