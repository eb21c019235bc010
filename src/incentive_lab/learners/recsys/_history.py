"""Each agent's recent clicks per user slot, and its buffer of past clicks.

The neural recommenders (``recsys_two_tower``, ``recsys_sasrec``) read a user's recent
clicked items: :class:`ClickHistory` keeps, per agent and user slot, the last ``length``
clicked item ids, oldest first, left-padded with ``pad`` (``= n_items``, an id no item
has), as SASRec's input sequences are (Kang & McAuley 2018, §III-A: "we add a 'padding'
item at the left"). A user is served by one agent at most once per step, so a step adds
at most one item per ``(agent, user)``.

:class:`ClickBuffer` is a ring buffer of each agent's last ``size`` clicks ``(user slot,
user serial, item)`` from which training batches replay past clicks of users still in
their slot (as ``recsys_bpr`` does).
"""

from __future__ import annotations

import numpy as np

from incentive_lab.core.types import IntArray


class ClickHistory:
    """``items[m, n_users, length]``: the last clicked items, oldest first, ``pad``-filled."""

    def __init__(self, n_agents: int, n_users: int, length: int, pad: int) -> None:
        self.pad = pad
        self.items = np.full((n_agents, n_users, length), pad, dtype=np.int64)

    def push(self, agent: IntArray, users: IntArray, items: IntArray) -> None:
        """Append ``items[S]`` to the histories of ``(agent[S], users[S])`` (distinct pairs)."""
        rows = self.items[agent, users]
        self.items[agent, users] = np.concatenate([rows[:, 1:], items[:, None]], axis=1)

    def forget(self, agent: IntArray, users: IntArray) -> None:
        """Empty the histories of ``(agent, users)`` (new users in the slots)."""
        self.items[agent, users] = self.pad

    def drop_items(self, items: IntArray) -> None:
        """Replace replaced items by ``pad`` (they are no longer the same items)."""
        self.items[np.isin(self.items, items)] = self.pad

    def sequences(self, agent: IntArray, users: IntArray) -> IntArray:
        """``int64[S, length]`` histories of ``(agent[S], users[S])``."""
        return self.items[agent, users]

    def lengths(self, agent: IntArray, users: IntArray) -> IntArray:
        """``int64[S]``: how many real items each history holds."""
        return np.asarray((self.items[agent, users] != self.pad).sum(axis=1), dtype=np.int64)


class ClickBuffer:
    """Ring buffer ``past[m, size, 3]`` of ``(user slot, user serial, item)`` per agent."""

    def __init__(self, n_agents: int, size: int) -> None:
        self.size = size
        self.past = np.full((n_agents, size, 3), -1, dtype=np.int64)
        self.count = np.zeros(n_agents, dtype=np.int64)

    def add(self, a: int, users: IntArray, serial: IntArray, items: IntArray) -> None:
        """Remember agent ``a``'s clicks (the oldest are overwritten)."""
        slots = (self.count[a] + np.arange(users.shape[0])) % self.size
        self.past[a, slots] = np.stack([users, serial, items], axis=1)
        self.count[a] += users.shape[0]

    def drop_items(self, items: IntArray) -> None:
        """Forget clicks on replaced items."""
        self.past[np.isin(self.past[:, :, 2], items)] = -1

    def sample(
        self, a: int, n: int, user_serial: IntArray, rng: np.random.Generator
    ) -> tuple[IntArray, IntArray]:
        """``(users, items)``: ``n`` draws with replacement among agent ``a``'s clicks.

        Only clicks whose user is still in its slot (``user_serial[slot]`` unchanged);
        none if there are none.
        """
        past = self.past[a, : min(int(self.count[a]), self.size)]
        live = past[(past[:, 0] >= 0) & (past[:, 1] == user_serial[past[:, 0].clip(0)])]
        if live.shape[0] == 0 or n == 0:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty
        pick = live[rng.integers(live.shape[0], size=n)]
        return pick[:, 0].copy(), pick[:, 2].copy()
