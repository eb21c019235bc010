"""Slate choice: how a learner recommends *items* (not a strategy) to the users it serves.

The ``Game`` contract gives every agent one ``int64`` action per step, too small for a
slate of item ids for each of thousands of users. A game that lets its agents choose items
offers the capability ``slate_choice`` (``core.capabilities``): an object ``SlateChoice``
(``game.slate_choice``) through which, within one step of the loop (``rollout``)::

    act:     request = channel.requests(agents)        # who each agent serves this round
             channel.submit(agents, slates)            # int64[S, k] item ids, best first
             return [channel.submitted] * m            # the action "use my slates"
    step:    the game scores the submitted slates with its user model
    update:  fb = channel.feedback(agents)             # the slates and the clicks received

The game draws the round (which users are active and which agent each picks) *before* the
agents act, so ``requests`` is the set of users the agents will serve in the next
``game.step``; ``feedback`` is about the step just played. An agent whose action is
``submitted`` must have submitted slates for all its requested users. Rows of
``requests``, ``submit`` and ``feedback`` are ordered alike (by user slot).

Users live in slots; ``serial`` is a user's unique id (it changes when a new user fills a
slot after a churn), ``item_serial`` an item's (it changes when a new item replaces one),
so a learner resets what it knew about a slot or an item when its serial changes.
``item_features`` are the items' public content features (topics/genres, ``float64[I, d]``)
— never the users' true interests; ``item_labels`` their names as text (a title and
genres), what a language model reads. Learners import only this module, never a game.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from incentive_lab.core.types import FloatArray, IntArray


@dataclass(frozen=True)
class SlateRequest:
    """The users to serve in the next step.

    ``agents[S]`` (global index), ``users[S]`` (slot), ``serial[S]`` (unique user id),
    ``new[S]`` (1 if never served by anyone yet).
    """

    agents: IntArray
    users: IntArray
    serial: IntArray
    new: IntArray


@dataclass(frozen=True)
class SlateFeedback:
    """The last step's slates of some agents.

    ``agents[S]``, ``users[S]``, ``serial[S]``, ``slates[S, k]`` (item ids shown, rank 0
    first), ``clicked[S]`` (slot clicked, ``−1``: none).
    """

    agents: IntArray
    users: IntArray
    serial: IntArray
    slates: IntArray
    clicked: IntArray


@runtime_checkable
class SlateChoice(Protocol):
    """The channel through which agents submit slates and read their clicks back."""

    @property
    def n_users(self) -> int:
        """User slots (``users`` are in ``0..n_users-1``)."""
        ...

    @property
    def n_items(self) -> int:
        """Items in the catalogue (item ids are in ``0..n_items-1``)."""
        ...

    @property
    def slate_size(self) -> int:
        """Items per slate ``k`` (distinct within a slate)."""
        ...

    @property
    def submitted(self) -> int:
        """The action index meaning "show the slates I submitted"."""
        ...

    def item_features(self) -> FloatArray:
        """``float64[I, d]``: the current items' public content features."""
        ...

    def item_serial(self) -> IntArray:
        """``int64[I]``: each item's unique id (changes when a new item replaces it)."""
        ...

    def item_labels(self) -> tuple[str, ...]:
        """One human-readable label per item (title and genres, or topics) for language models."""
        ...

    def requests(self, agents: IntArray) -> SlateRequest:
        """The users each of ``agents`` (global indices) serves in the next step."""
        ...

    def submit(self, agents: IntArray, slates: IntArray) -> None:
        """Slates ``int64[S, k]`` for the rows of ``requests(agents)``, in that order."""
        ...

    def feedback(self, agents: IntArray) -> SlateFeedback:
        """The slates ``agents`` showed in the last step and the clicks they received."""
        ...
