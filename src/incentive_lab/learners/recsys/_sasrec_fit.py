"""Fitting a ``recsys_sasrec`` net to logged per-user sequences (``warm_start: logged``).

Imported only when a ``recsys_sasrec`` learner warm-starts (torch is an optional extra).

Training data (Kang & McAuley 2018, "Self-Attentive Sequential Recommendation", ICDM,
§III-E, and their reference code ``kang205/SASRec``, ``sampler.py``): each logged user's
items in time order ``(s_1, …, s_N)``; the window of its last ``max_len + 1`` items
(left-padded with the padding id ``n_items``) gives the inputs ``(s_{N−n}, …, s_{N−1})``
and the targets ``(s_{N−n+1}, …, s_N)`` — every position's next item — with one negative
per position drawn uniformly among the items the user has *not* logged (the paper's
``j ∉ S^u``; the online loss of ``recsys_sasrec`` excludes only the target). The loss is
``_sasrec_net.SASRec.bce_loss`` (BCE on the non-padded positions), the optimiser the
agent's own Adam (step ``lr``, 0.001 in the paper), ``batch`` users per step (128 in the
paper), dropout as the learner's. One epoch is one pass over the users with at least two
logged items in a random order (the reference code instead draws ``⌊users / batch⌋``
batches of users with replacement per epoch). Users with a single logged item give no
training position; their history is still set (``recsys_sasrec.fit_logged``).

Randomness: the user order and the negatives come from the learner's NumPy generator,
each batch's dropout masks from a torch generator seeded from it, so seeded fits repeat
bit for bit on the CPU.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from incentive_lab.core.logged_interactions import LoggedInteractions
from incentive_lab.core.types import BoolArray, IntArray


@dataclass(frozen=True)
class LoggedWindows:
    """Each logged user's last ``max_len + 1`` items, oldest first, ``pad``-filled.

    ``users[U]``: the user slots with at least one logged item (ascending);
    ``windows[U, max_len + 1]``: their last items; ``logged[n_users, n_items]``: which
    items each user has logged (negatives avoid them).
    """

    users: IntArray
    windows: IntArray
    logged: BoolArray
    pad: int

    @property
    def histories(self) -> IntArray:
        """``int64[U, max_len]``: each user's last ``max_len`` logged items (pad-filled)."""
        return self.windows[:, 1:]

    @property
    def trainable(self) -> IntArray:
        """Rows of :attr:`windows` with at least one training position (two items)."""
        return np.flatnonzero((self.windows != self.pad).sum(axis=1) >= 2)


def logged_windows(log: LoggedInteractions, max_len: int) -> LoggedWindows:
    """The windows of ``log`` (rows grouped by user, in time order within a user)."""
    pad = log.n_items
    order = np.argsort(log.users, kind="stable")  # grouping kept; time order kept within
    users, items = log.users[order], log.items[order]
    slots, starts, counts = np.unique(users, return_index=True, return_counts=True)
    windows = np.full((slots.shape[0], max_len + 1), pad, dtype=np.int64)
    for row, (start, count) in enumerate(zip(starts, counts, strict=True)):
        last = items[start : start + count][-(max_len + 1) :]
        windows[row, max_len + 1 - last.shape[0] :] = last
    logged = np.zeros((log.n_users, log.n_items), dtype=bool)
    logged[log.users, log.items] = True
    return LoggedWindows(slots.astype(np.int64), windows, logged, pad)


def negatives(
    data: LoggedWindows, rows: IntArray, targets: IntArray, rng: np.random.Generator
) -> IntArray:
    """``int64[B, L]``: a uniform item per position among those user ``rows`` never logged.

    A user who logged every item gets uniform items (nothing to avoid). Padded targets get
    a draw too (their positions do not count in the loss).
    """
    n_items = data.logged.shape[1]
    user = data.users[rows][:, None]
    full = np.asarray(data.logged[data.users[rows]].all(axis=1))[:, None]
    out = rng.integers(n_items, size=targets.shape)
    bad = data.logged[user, out] & ~full
    while bad.any():
        out[bad] = rng.integers(n_items, size=int(bad.sum()))
        bad = data.logged[user, out] & ~full
    return np.asarray(out, dtype=np.int64)


def fit_epochs(
    net: Any,
    optimiser: Any,
    data: LoggedWindows,
    epochs: int,
    batch: int,
    rng: np.random.Generator,
) -> list[float]:
    """Train ``net`` for ``epochs`` passes (module docstring); the mean loss of each epoch."""
    import torch

    trainable = data.trainable
    means = []
    net.train()
    for _ in range(epochs):
        order = trainable[rng.permutation(trainable.shape[0])]
        losses = []
        for start in range(0, order.shape[0], batch):
            rows = order[start : start + batch]
            window = data.windows[rows]
            targets = window[:, 1:]
            negative = negatives(data, rows, targets, rng)
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(int(rng.integers(2**63 - 1)))
                loss = net.bce_loss(
                    torch.as_tensor(window[:, :-1]),
                    torch.as_tensor(targets),
                    torch.as_tensor(negative),
                )
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
            losses.append(loss.item())
        means.append(float(np.mean(losses)) if losses else 0.0)
    return means


def logged_loss(net: Any, data: LoggedWindows, rng: np.random.Generator) -> float:
    """The BCE loss of ``net`` (eval mode, no dropout) on all windows, negatives from ``rng``.

    With the same ``rng`` state, two nets are compared on the same negatives.
    """
    import torch

    rows = data.trainable
    window = data.windows[rows]
    negative = negatives(data, rows, window[:, 1:], rng)
    net.eval()
    with torch.no_grad():
        loss = net.bce_loss(
            torch.as_tensor(window[:, :-1]),
            torch.as_tensor(window[:, 1:]),
            torch.as_tensor(negative),
        )
    return float(loss.item())
