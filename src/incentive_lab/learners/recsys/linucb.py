"""Per-user LinUCB over item features (``recsys_linucb``).

Each agent keeps, for every user slot ``u``, a ridge regression of "clicked" on the item's
public content features ``x_i = f_i / ‖f_i‖₁`` (its topic or genre weights, from
``slate_choice.item_features``): ``A_u = λI + Σ x xᵀ``, ``b_u = Σ r x`` over the items ``u``
was shown (``r = 1`` for the clicked one, 0 for the others). It scores every item by the
upper confidence bound (Li, Chu, Langford & Schapire 2010, "A contextual-bandit approach to
personalized news article recommendation", WWW, Algorithm 1, disjoint model with the users
as the models and the items as the contexts)::

    θ̂_u = A_u⁻¹ b_u,      p_ui = x_i·θ̂_u + α √(x_iᵀ A_u⁻¹ x_i)

and shows the ``k`` largest (with the family's exploration, ``learners.recsys._base``).
With the ``recommender`` game's ``dot`` affinity ``a(u, i) = θ_u·x_i`` the click logit is
linear in ``x_i``, so ``θ̂_u`` tracks the user's interests.

The inverses are kept and updated by Sherman–Morrison with the bandit family's
``LinUCBState.update`` (``learners.bandits.linucb``; here ``m`` = the served users, one
arm): ``k`` rank-one updates per served user and step, vectorised over users. The
confidence widths are computed once per distinct feature vector (20 topics: 20 vectors,
whatever the catalogue size). A new user in a slot starts from ``A = λI``, ``b = 0``.

A mechanism's shaping enters the slot-by-slot scores as the family's learned item credit
(``learners.recsys._base``: ``+ w·c_ij``, in clicks like the click estimate it is added to).
"""

from __future__ import annotations

import numpy as np
from pydantic import Field

from incentive_lab.core.capabilities import Capability
from incentive_lab.core.learner import LearnerContext
from incentive_lab.core.registry import register
from incentive_lab.core.slate_choice import SlateFeedback
from incentive_lab.core.types import FloatArray, IntArray
from incentive_lab.learners.bandits.linucb import LinUCBState
from incentive_lab.learners.recsys._base import ExplorationParams, SlateLearner
from incentive_lab.learners.recsys._linucb_kernels import add_outer_at, rank_one_downdate, ucb_slot


class LinUCBRecommenderParams(ExplorationParams):
    """Parameters of ``recsys_linucb``."""

    epsilon: float = Field(0.0, ge=0.0, le=1.0)
    """Probability that a served user gets a uniformly random slate (LinUCB explores by
    its confidence bound, so none by default)."""
    alpha: float = Field(0.1, ge=0.0, le=100.0)
    """Exploration width ``α`` of the upper confidence bound."""
    ridge: float = Field(1.0, gt=0.0, le=1e6)
    """Ridge ``λ`` (``A = λI`` before any data)."""
    shared: bool = True
    """Add the shared coefficients ``β`` of a pooled ridge regression over all the agent's
    users (the hybrid model, module docstring); ``false``: purely per-user models."""


def item_contexts(features: FloatArray) -> FloatArray:
    """``float64[I, d]``: ``x_i = f_i / ‖f_i‖₁`` (all-zero rows stay zero)."""
    total = features.sum(axis=1, keepdims=True)
    return np.asarray(features / np.where(total > 0, total, 1.0), dtype=np.float64)


def sherman_morrison(a_inv: FloatArray, x: FloatArray) -> None:
    """``A⁻¹ ← A⁻¹ − (A⁻¹x)(A⁻¹x)ᵀ / (1 + xᵀA⁻¹x)`` in place on ``a_inv[n, d, d]``.

    ``LinUCBState.update`` (``learners.bandits.linucb``) of one arm, with the same einsums
    and elementwise roundings (``learners.recsys._linucb_kernels.rank_one_downdate``), no copies.
    """
    u = np.einsum("mpq,mq->mp", a_inv, x)
    denom = 1.0 + np.einsum("mp,mp->m", x, u)
    rank_one_downdate(a_inv, u, denom)


def ucb_scores(a_inv: FloatArray, b: FloatArray, contexts: FloatArray, alpha: float) -> FloatArray:
    """``float64[S, I]``: ``x_i·θ̂_u + α√(x_iᵀA_u⁻¹x_i)`` for ``a_inv[S, d, d]``, ``b[S, d]``."""
    theta = np.einsum("spq,sq->sp", a_inv, b)
    distinct, inverse = np.unique(contexts, axis=0, return_inverse=True)
    width = np.einsum("gp,spg->sg", distinct, a_inv @ distinct.T)
    mean = theta @ contexts.T
    return np.asarray(
        mean + alpha * np.sqrt(np.maximum(width, 0.0))[:, inverse.ravel()], dtype=np.float64
    )


@register(
    "learner",
    "recsys_linucb",
    params=LinUCBRecommenderParams,
    description="Recommender agents choosing item slates by per-user LinUCB over item features",
    tabular=False,
    stochastic=True,
    requires={Capability.SLATE_CHOICE},
)
class LinUCBRecommender(SlateLearner[LinUCBRecommenderParams]):
    """A group of recommender agents, each with a LinUCB model per user (module docstring)."""

    learner_id = "recsys_linucb"

    def __init__(
        self, params: LinUCBRecommenderParams, context: LearnerContext, rng: np.random.Generator
    ) -> None:
        super().__init__(params, context, rng)
        self._set_contexts()
        d = self.contexts.shape[1]
        m = context.n_agents
        self.a_inv = np.broadcast_to(np.eye(d) / params.ridge, (m, self.n_users, d, d)).copy()
        self.b = np.zeros((m, self.n_users, d))
        self.a0 = np.broadcast_to(np.eye(d) * params.ridge, (m, d, d)).copy()
        self.b0 = np.zeros((m, d))

    def _beta(self) -> FloatArray:
        """``float64[m, d]``: the shared coefficients ``β̂ = A₀⁻¹ b₀`` of each agent."""
        if not self.params.shared:
            return np.zeros(self.b0.shape)
        return np.asarray(np.linalg.solve(self.a0, self.b0[:, :, None])[:, :, 0])

    def scores(self, agent: IntArray, users: IntArray) -> FloatArray:
        """The upper confidence bounds of every item."""
        ucb = ucb_scores(
            self.a_inv[agent, users], self.b[agent, users], self.contexts, self.params.alpha
        )
        return np.asarray(ucb + self._beta()[agent] @ self.contexts.T, dtype=np.float64)

    def chunk_slates(self, agent: IntArray, users: IntArray) -> IntArray:
        """Greedy slate by upper confidence bound, one slot at a time (C²UCB).

        After each pick, ``A_u`` is updated with the picked item's ``x`` (no reward) so the
        next slot's widths already count it (module docstring). Each slot is one pass of the
        ``learners.recsys._linucb_kernels.ucb_slot`` kernel over ``mean`` and the per-group widths
        ``α·w[s, g]``, with the same values and ties as :meth:`reference_chunk_slates`.
        """
        noise, explore, uniform = self.perturbation(users.shape[0])
        n = users.shape[0]
        a_inv = self.a_inv[agent, users]
        mean = np.einsum("spq,sq->sp", a_inv, self.b[agent, users])
        mean = (mean + self._beta()[agent]) @ self.contexts.T
        if self.credit.any():  # adding an all-zero credit or noise changes no comparison
            mean = mean + self.shaping_scores(agent)
        if self.params.temperature > 0:
            mean = mean + noise
        mean = np.ascontiguousarray(mean, dtype=np.float64)
        taken = np.zeros((n, self.n_items), dtype=bool)
        out = np.empty((n, self.k), dtype=np.int64)
        column = np.empty(n, dtype=np.int64)
        uniform = np.ascontiguousarray(uniform, dtype=np.float64)
        for r in range(self.k):
            aw = self.params.alpha * self._group_widths(a_inv)
            ucb_slot(mean, aw, self.group, explore, uniform, taken, column)
            out[:, r] = column
            if r + 1 < self.k:  # the last update would feed no further slot (a local copy)
                sherman_morrison(a_inv, self.contexts[column])
        return out

    def _group_widths(self, a_inv: FloatArray) -> FloatArray:
        """``float64[S, G]``: ``√(x_gᵀ A_u⁻¹ x_g)`` of the distinct contexts ``x_g``."""
        width = np.einsum("gp,spg->sg", self.distinct, a_inv @ self.distinct.T)
        return np.ascontiguousarray(np.sqrt(np.maximum(width, 0.0)), dtype=np.float64)

    def reference_chunk_slates(self, agent: IntArray, users: IntArray) -> IntArray:
        """The plain NumPy :meth:`chunk_slates` (kept to pin the fast path's results)."""
        noise, explore, uniform = self.perturbation(users.shape[0])
        n, d = users.shape[0], self.contexts.shape[1]
        state = LinUCBState(n, 1, d, self.params.ridge)
        state.a_inv = self.a_inv[agent, users][:, None].copy()
        mean = np.einsum("spq,sq->sp", state.a_inv[:, 0], self.b[agent, users])
        mean = (mean + self._beta()[agent]) @ self.contexts.T + self.shaping_scores(agent) + noise
        taken = np.zeros((n, self.n_items), dtype=bool)
        out = np.empty((n, self.k), dtype=np.int64)
        rows, arm, zero = np.arange(n), np.zeros(n, dtype=np.int64), np.zeros(n)
        for r in range(self.k):
            score = mean + self.params.alpha * self._widths(state.a_inv[:, 0])
            score[explore] = uniform
            score[taken] = -np.inf
            out[:, r] = np.argmax(score, axis=1)
            taken[rows, out[:, r]] = True
            state.update(self.contexts[out[:, r]], arm, zero)
        return out

    def _widths(self, a_inv: FloatArray) -> FloatArray:
        """``float64[S, I]``: ``√(x_iᵀ A_u⁻¹ x_i)``, once per distinct ``x`` (reference)."""
        distinct, inverse = np.unique(self.contexts, axis=0, return_inverse=True)
        width = np.einsum("gp,spg->sg", distinct, a_inv @ distinct.T)
        return np.asarray(np.sqrt(np.maximum(width, 0.0))[:, inverse.ravel()], dtype=np.float64)

    def forget_users(self, agent: IntArray, users: IntArray) -> None:
        """New users start from the prior ``A = λI``, ``b = 0``."""
        self.a_inv[agent, users] = np.eye(self.contexts.shape[1]) / self.params.ridge
        self.b[agent, users] = 0.0

    def forget_items(self, items: IntArray) -> None:
        """Replaced items get their new features."""
        self._set_contexts()

    def _set_contexts(self) -> None:
        """Item contexts, their distinct vectors and each item's group among them."""
        self.contexts = item_contexts(self.channel.item_features())
        distinct, inverse = np.unique(self.contexts, axis=0, return_inverse=True)
        self.distinct = np.asarray(distinct, dtype=np.float64)
        self.group = np.ascontiguousarray(inverse.ravel(), dtype=np.int64)

    def learn(self, agent: IntArray, feedback: SlateFeedback) -> dict[str, float]:
        """``k`` Sherman–Morrison updates per served user: the shown items and the click.

        The same arithmetic as :meth:`reference_learn`, in place and with the shared
        model's ``np.add.at`` as an in-order loop (``learners.recsys._linucb_kernels``).
        """
        n = feedback.users.shape[0]
        if n == 0:
            return {}
        a_inv = self.a_inv[agent, feedback.users]
        b = self.b[agent, feedback.users]
        beta = self._beta()[agent]  # [n, d], before this step's data
        for r in range(feedback.slates.shape[1]):
            x = np.ascontiguousarray(self.contexts[feedback.slates[:, r]])
            reward = (feedback.clicked == r).astype(np.float64)
            sherman_morrison(a_inv, x)
            b += (reward - (x * beta).sum(axis=1))[:, None] * x
            if self.params.shared:
                add_outer_at(self.a0, self.b0, agent, x, reward)
        self.a_inv[agent, feedback.users] = a_inv
        self.b[agent, feedback.users] = b
        return {}

    def reference_learn(self, agent: IntArray, feedback: SlateFeedback) -> dict[str, float]:
        """The plain NumPy :meth:`learn` (kept to pin the fast path's results)."""
        n, d = feedback.users.shape[0], self.contexts.shape[1]
        if n == 0:
            return {}
        state = LinUCBState(n, 1, d, self.params.ridge)
        state.a_inv = self.a_inv[agent, feedback.users][:, None]
        state.b = self.b[agent, feedback.users][:, None]
        arm = np.zeros(n, dtype=np.int64)
        beta = self._beta()[agent]  # [n, d], before this step's data
        for r in range(feedback.slates.shape[1]):
            x = self.contexts[feedback.slates[:, r]]
            reward = (feedback.clicked == r).astype(np.float64)
            state.update(x, arm, reward - (x * beta).sum(axis=1))
            if self.params.shared:
                np.add.at(self.a0, agent, x[:, :, None] * x[:, None, :])
                np.add.at(self.b0, agent, reward[:, None] * x)
        self.a_inv[agent, feedback.users] = state.a_inv[:, 0]
        self.b[agent, feedback.users] = state.b[:, 0]
        return {}
