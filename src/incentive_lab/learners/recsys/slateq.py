"""SlateQ: reinforcement learning of long-term engagement over slates (``recsys_slateq``).

SlateQ (Ie, Jain, Wang, Narvekar, Agarwal, Wu, Cheng, Chandra & Boutilier 2019, "SlateQ: a
tractable decomposition for reinforcement learning with recommendation sets", IJCAI)
decomposes the value of a slate ``A`` in user state ``s`` into *item-wise* values, under a
user choice model ``P(i | s, A)`` that consumes at most one item of the slate (or none,
``⊥``)::

    Q(s, A) = Σ_{i ∈ A ∪ {⊥}} P(i | s, A) · Q̄(s, i)

``Q̄(s, i)`` is the long-term value of the user consuming ``i``: its reward ``r(i)`` (a
click, 1; 0 for ``⊥``) plus the discounted value of the slates that follow. It is learned
by SARSA on the consumed item only (the paper's eq. (6), on-policy), which needs one
value per item rather than per slate::

    Q̄(s, i) ← Q̄(s, i) + η (r + γ Σ_{j ∈ A' ∪ {⊥}} P(j | s', A') Q̄(s', j) − Q̄(s, i))

(``s'``, ``A'``: the user's state and slate the next time this agent serves it; a user who
left — its slot's serial changed — ends the episode, target ``r``). The click reward is
known, so the agent writes ``Q̄(s, i) = r(i) + γ W(s, i)`` and learns the continuation
``W`` (target ``Q(s', A')``, or 0 at an episode's end): the same update, and an item
never consumed yet is valued by its click like any other (no pessimism about the unseen).
The slate is built by the paper's *top-k* heuristic: the ``k`` items of largest
``v(s, i) · Q̄(s, i)``.

Choice model (conditional logit, the paper's §4 and the game's own model): ``P(i | s, A) =
v(s, i) / (1 + Σ_{j∈A} v(s, j))``, ``P(⊥) = 1 / (…)``, ``v = exp(z)``, with logits learned
online by stochastic gradient ascent of the log-likelihood of each observed choice
(``∂ log P(c)/∂z_j = 1[j = c] − P(j)``)::

    z(s, i) = ψ_u · x_i + b_i − κ · h_u · x_i

``x_i``: the item's public features normalised to sum 1 (``slate_choice.item_features``),
``ψ_u``: the user's preferences, ``b_i``: the item's appeal, ``κ``: how much recent
consumption of a topic lowers its pull (satiation, ``games.recommender.satiation``).

User state: what the agent itself saw of the user — the discounted trace of the topics it
consumed, ``h_u ← λ_h (h_u + x_c · click)`` (``trace_decay``), the agent's estimate of the
user's satiation. The continuation ``W`` is linear in ``φ(s, i) = [e_i, x_i ⊙ h_u, h_u]``
(``e_i``: the item's (or ``⊥``'s) indicator, so each item learns its own long-term value —
e.g. the retention its quality buys — besides a satiation interaction), updated by the
semi-gradient of the TD error averaged over a step's transitions (per item for ``e_i``,
over the batch for the shared weights, so that a popular item's many transitions make one
step of size ``η``, not a sum of them).

With ``gamma: 0`` ``Q̄(s, i) = r = 1`` for items and 0 for ``⊥``, so the slate is the
top-``k`` by click odds ``v``: the myopic click maximiser the paper compares against
(its "myopic" baseline). A mechanism's shaping enters as the family's item credit
(``learners.recsys._base``). A new user in a slot starts from ``ψ = h = 0``.
"""

from __future__ import annotations

import numpy as np
from numba import njit
from pydantic import Field

from incentive_lab.core.capabilities import Capability
from incentive_lab.core.learner import LearnerContext
from incentive_lab.core.registry import register
from incentive_lab.core.slate_choice import SlateFeedback
from incentive_lab.core.types import FloatArray, IntArray
from incentive_lab.learners.recsys._base import ExplorationParams, SlateLearner
from incentive_lab.learners.recsys.linucb import item_contexts

MAX_LOGIT = 30.0


class SlateQParams(ExplorationParams):
    """Parameters of ``recsys_slateq``."""

    gamma: float = Field(0.9, ge=0.0, lt=1.0)
    """Discount ``γ`` of future clicks (0: the myopic click maximiser)."""
    lr: float = Field(0.2, gt=0.0, le=1.0)
    """TD step ``η`` of the item-wise values ``Q̄`` (a mean over a step's transitions)."""
    choice_lr: float = Field(0.1, gt=0.0, le=10.0)
    """Step of the conditional-logit choice model's log-likelihood ascent."""
    trace_decay: float = Field(0.8, ge=0.0, lt=1.0)
    """``λ_h`` of the user's consumption trace ``h_u`` (the agent's satiation estimate)."""


def choice_probabilities(logits: FloatArray) -> FloatArray:
    """``float64[S, k + 1]``: conditional logit over the slate and ``⊥`` (last, logit 0)."""
    z = np.concatenate([np.minimum(logits, MAX_LOGIT), np.zeros((logits.shape[0], 1))], axis=1)
    w = np.exp(z - z.max(axis=1, keepdims=True))
    return np.asarray(w / w.sum(axis=1, keepdims=True), dtype=np.float64)


def slate_value(logits: FloatArray, item_values: FloatArray, null_value: FloatArray) -> FloatArray:
    """``float64[S]``: ``Q(s, A) = Σ_{i∈A∪⊥} P(i | s, A) Q̄(s, i)`` (SlateQ's decomposition).

    ``logits[S, k]``, ``item_values[S, k]``: ``z`` and ``Q̄`` of the slate's items;
    ``null_value[S]``: ``Q̄(s, ⊥)``.
    """
    probs = choice_probabilities(logits)
    values = np.concatenate([item_values, null_value[:, None]], axis=1)
    return np.asarray((probs * values).sum(axis=1), dtype=np.float64)


@njit(cache=True)
def choice_ascent(
    psi: FloatArray,
    appeal: FloatArray,
    kappa: float,
    users: IntArray,
    slates: IntArray,
    clicked: IntArray,
    trace: FloatArray,
    x: FloatArray,
    lr: float,
) -> None:  # pragma: no cover
    """One ascent step of ``log P(c_s)`` per observed choice ``s``, in order, in place.

    ``psi[U, d]``, ``appeal[I]`` (one agent's), ``slates[S, k]``, ``clicked[S]`` (``−1``:
    ``⊥``), ``trace[S, d]`` (the users' traces): ``z_j = (ψ_u − κ h_u)·x_j + b_j``,
    ``g_j = 1[j = c] − P(j)``, ``ψ_u += η Σ_j g_j x_j``, ``b_j += η g_j``. Each choice sees
    the parameters the earlier ones left, so an item shown to many users in one step
    moves as by as many stochastic steps, not by their sum at one point.
    """
    n, k = slates.shape
    d = x.shape[1]
    z = np.empty(k + 1)
    for s in range(n):
        u = users[s]
        for r in range(k):
            i = slates[s, r]
            acc = 0.0
            for q in range(d):
                acc += (psi[u, q] - kappa * trace[s, q]) * x[i, q]
            z[r] = min(acc + appeal[i], MAX_LOGIT)
        z[k] = 0.0
        top = z.max()
        total = 0.0
        for r in range(k + 1):
            z[r] = np.exp(z[r] - top)
            total += z[r]
        for r in range(k):
            i = slates[s, r]
            g = (1.0 if clicked[s] == r else 0.0) - z[r] / total
            appeal[i] += lr * g
            for q in range(d):
                psi[u, q] += lr * g * x[i, q]


@register(
    "learner",
    "recsys_slateq",
    params=SlateQParams,
    description="Recommender agents learning long-term clicks by SlateQ (item-wise SARSA)",
    tabular=False,
    stochastic=True,
    requires={Capability.SLATE_CHOICE},
)
class SlateQRecommender(SlateLearner[SlateQParams]):
    """A group of recommender agents, each with its own SlateQ model (module docstring)."""

    learner_id = "recsys_slateq"

    def __init__(
        self, params: SlateQParams, context: LearnerContext, rng: np.random.Generator
    ) -> None:
        super().__init__(params, context, rng)
        self.x = item_contexts(self.channel.item_features())
        m, d, u = context.n_agents, self.x.shape[1], self.n_users
        self.psi = np.zeros((m, u, d))
        self.appeal = np.zeros((m, self.n_items))
        self.kappa = np.zeros(m)
        self.trace = np.zeros((m, u, d))
        self.q_item = np.zeros((m, self.n_items + 1))  # the last entry is ⊥
        self.q_sat = np.zeros((m, d))
        self.q_state = np.zeros((m, d))
        # the transition waiting for its user's next slate: consumed item (⊥ = I) and the
        # trace h_u at the choice; pending = whether one waits
        self.pend_item = np.zeros((m, u), dtype=np.int64)
        self.pend_trace = np.zeros((m, u, d))
        self.pending = np.zeros((m, u), dtype=bool)

    # -- the model ----------------------------------------------------------------------
    def logits(self, a: int, users: IntArray, trace: FloatArray) -> FloatArray:
        """``float64[S, I]``: ``z = ψ_u·x_i + b_i − κ h_u·x_i`` of agent ``a``."""
        pull = self.psi[a, users] - self.kappa[a] * trace
        return np.asarray(pull @ self.x.T + self.appeal[a][None, :], dtype=np.float64)

    def values(self, a: int, trace: FloatArray) -> tuple[FloatArray, FloatArray]:
        """``(Q̄(s, i)[S, I], Q̄(s, ⊥)[S])`` of agent ``a`` at traces ``trace[S, d]``.

        ``Q̄ = r + γ W`` with the click reward ``r`` (1 for items, 0 for ``⊥``).
        """
        common = trace @ self.q_state[a]
        items = self.q_item[a, :-1][None, :] + (trace * self.q_sat[a]) @ self.x.T
        gamma = self.params.gamma
        return 1.0 + gamma * (items + common[:, None]), gamma * (self.q_item[a, -1] + common)

    def scores(self, agent: IntArray, users: IntArray) -> FloatArray:
        """Top-``k`` keys ``v(s, i) · Q̄(s, i)`` (SlateQ's top-k slate heuristic)."""
        out = np.empty((users.shape[0], self.n_items))
        for a in np.unique(agent):
            rows = np.flatnonzero(agent == a)
            trace = self.trace[a, users[rows]]
            item_values, _ = self.values(int(a), trace)
            v = np.exp(np.minimum(self.logits(int(a), users[rows], trace), MAX_LOGIT))
            out[rows] = v * item_values
        return out

    # -- learning -----------------------------------------------------------------------
    def _td(self, a: int, rows: IntArray, target: FloatArray) -> None:
        """Semi-gradient step of ``W`` at the pending transitions of users ``rows``.

        ``target``: the next slate's value ``Q(s', A')`` (0 at an episode's end).
        """
        item, trace = self.pend_item[a, rows], self.pend_trace[a, rows]
        x = np.vstack([self.x, np.zeros((1, self.x.shape[1]))])[item]  # x_⊥ = 0
        error = target - self._estimate(a, rows)
        lr = self.params.lr
        size = self.n_items + 1  # each item's weight moves by the mean error of its batch
        count = np.bincount(item, minlength=size)
        self.q_item[a] += lr * np.bincount(item, error, size) / np.maximum(count, 1)
        self.q_sat[a] += lr * (error[:, None] * x * trace).mean(axis=0)
        self.q_state[a] += lr * (error[:, None] * trace).mean(axis=0)
        self.pending[a, rows] = False

    def _choice_step(self, a: int, users: IntArray, slates: IntArray, clicked: IntArray) -> None:
        """Ascent of the conditional logit's log-likelihood of the observed choices.

        ``ψ_u`` and the appeals ``b_i`` take one step per observed choice, in the order the
        users were served, each at the parameters the previous choices left
        (:func:`choice_ascent`); ``κ`` one step on the mean gradient of the step's choices
        at the parameters before them.
        """
        trace = self.trace[a, users]
        x = self.x[slates]  # [S, k, d]
        pull = self.psi[a, users] - self.kappa[a] * trace
        z = np.einsum("sd,skd->sk", pull, x) + self.appeal[a, slates]
        probs = choice_probabilities(z)[:, :-1]
        chosen = np.zeros(probs.shape)
        hit = clicked >= 0
        chosen[np.flatnonzero(hit), clicked[hit]] = 1.0
        g = chosen - probs  # ∂ log P(c) / ∂ z_j
        lr = self.params.choice_lr
        kappa_step = lr * float(np.einsum("sk,skd,sd->s", g, x, trace).mean())
        choice_ascent(
            self.psi[a], self.appeal[a], self.kappa[a], users, slates, clicked, trace, self.x, lr
        )
        self.kappa[a] -= kappa_step

    def learn(self, agent: IntArray, feedback: SlateFeedback) -> dict[str, float]:
        """SARSA on the waiting transitions, the choice model, then the new transitions."""
        errors = []
        for a in np.unique(agent):
            a = int(a)
            rows = np.flatnonzero(agent == a)
            users, slates = feedback.users[rows], feedback.slates[rows]
            clicked = feedback.clicked[rows]
            trace = self.trace[a, users]
            waiting = self.pending[a, users]
            if waiting.any():  # the next slate A' of their last transition is this one
                w = users[waiting]
                logits = self.logits(a, w, trace[waiting])
                item_values, null_value = self.values(a, trace[waiting])
                pick = slates[waiting]
                idx = np.arange(w.shape[0])[:, None]
                nxt = slate_value(logits[idx, pick], item_values[idx, pick], null_value)
                errors.append(float(np.abs(nxt - self._estimate(a, w)).mean()))
                self._td(a, w, nxt)
            self._choice_step(a, users, slates, clicked)
            hit = clicked >= 0
            consumed = np.where(hit, slates[np.arange(rows.shape[0]), np.maximum(clicked, 0)], -1)
            self.pend_item[a, users] = np.where(hit, consumed, self.n_items)
            self.pend_trace[a, users] = trace
            self.pending[a, users] = True
            gained = np.where(hit[:, None], self.x[np.maximum(consumed, 0)], 0.0)
            self.trace[a, users] = self.params.trace_decay * (trace + gained)
        return {"td_error": float(np.mean(errors)) if errors else 0.0}

    def _estimate(self, a: int, users: IntArray) -> FloatArray:
        """``W`` of the pending transitions of ``users``."""
        item, trace = self.pend_item[a, users], self.pend_trace[a, users]
        x = np.vstack([self.x, np.zeros((1, self.x.shape[1]))])[item]
        return np.asarray(
            self.q_item[a, item] + (x * trace) @ self.q_sat[a] + trace @ self.q_state[a]
        )

    def forget_users(self, agent: IntArray, users: IntArray) -> None:
        """A user who left ends its episode (target ``r``); the newcomer starts afresh."""
        for a in np.unique(agent):
            a = int(a)
            gone = users[(agent == a) & self.pending[a, users]]
            if gone.shape[0]:
                self._td(a, gone, np.zeros(gone.shape[0]))
        self.psi[agent, users] = 0.0
        self.trace[agent, users] = 0.0
        self.pending[agent, users] = False

    def forget_items(self, items: IntArray) -> None:
        """A replaced item gets its features; its appeal and value start at 0."""
        self.x = item_contexts(self.channel.item_features())
        self.appeal[:, items] = 0.0
        self.q_item[:, items] = 0.0
