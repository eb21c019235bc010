"""Online implicit matrix factorisation by BPR-SGD (``recsys_bpr``).

Each agent keeps its own factors: user vectors ``p_u ∈ ℝ^f`` (per user slot), item vectors
``q_i ∈ ℝ^f`` and item biases ``b_i``; its score of item ``i`` for user ``u`` is
``x̂_ui = p_u·q_i (+ b_i)`` and its slate is the top-``k`` (with the family's exploration,
``learners.recsys._base``).

Learning (Bayesian Personalised Ranking, Rendle, Freudenthaler, Gantner & Schmidt-Thieme
2009, "BPR: Bayesian personalized ranking from implicit feedback", UAI, Algorithm
``LearnBPR``): for a triple ``(u, i, j)`` — user ``u`` clicked ``i`` and not ``j`` — with
``x̂_uij = x̂_ui − x̂_uj`` and ``g = σ(−x̂_uij) = 1 − σ(x̂_uij)``, one stochastic gradient
ascent step on ``ln σ(x̂_uij) − λ‖Θ‖²`` is::

    p_u ← p_u + η (g (q_i − q_j) − λ p_u)
    q_i ← q_i + η (g p_u − λ q_i)          b_i ← b_i + η (g − λ b_i)
    q_j ← q_j + η (−g p_u − λ q_j)         b_j ← b_j + η (−g − λ b_j)

Triples of one step (online): for every served user who clicked item ``i``, ``j`` runs over
the ``k − 1`` items shown but not clicked (the user saw them and preferred ``i``) and
``n_sampled`` items drawn uniformly from the catalogue (``j ≠ i``; Rendle's uniform
negative sampling). Besides, as ``LearnBPR`` draws ``(u, i)`` uniformly from all observed
positives with replacement, every step draws ``replay`` clicks uniformly from a buffer of
the agent's last ``buffer`` clicks (of users still in their slot) with a uniform ``j``.
With ``update: batch`` (the default) all triples of a step are evaluated at the parameters
before the step and their updates summed (one mini-batch step; a single triple is exactly
the step above). With ``update: sequential`` they are applied one after the other in a
random order, each at the parameters the previous one left, as ``LearnBPR`` does
(``learners.recsys._bpr_sgd``): online, a step's triples share many rows (every user is
shown the same popular items), and the summed step moves such a row by ``η`` times its
multiplicity; on MovieLens-100k (``benchmarks/bench_recommender_offline.py``) the
sequential update lifts the online agent's held-out NDCG@10 after 200 rounds from 0.044
to 0.063 (0.070 with item biases; the summed update with item biases collapses instead).
``shown_negatives: false`` drops the shown-but-not-clicked negatives (Rendle's uniform
negatives only). Slates without a
click carry no positive. Item factors start ``N(0, init_std²)``; user factors start at 0
(a new user's first slates are the same for everyone until the first click; ``p_u`` then
moves along ``q_i − q_j``); item biases (``item_bias: true``, an extension; off by
default, as in Rendle's BPR-MF ``x̂_ui = p_u·q_i``) start at 0. A new user in a slot
(after a churn), or a new item, starts afresh.

Optimiser (``optimizer``)
    ``sgd`` (the default): the steps above with step ``η = lr``. ``adam``: one step of
    ``torch.optim.Adam`` (Kingma & Ba 2015) per learning step on the *mean* loss of the
    step's triples, ``−ln σ(x̂_uij) + (λ/2)(‖p_u‖² + ‖q_i‖² + ‖q_j‖² + b_i² + b_j²)``, with
    ``α = lr`` (RecBole uses ``0.001``; ``learners.recsys._bpr_adam``); only with
    ``update: batch``.

Warm start (``warm_start: logged``, ``learners.recsys._base``)
    before its first slate each agent trains BPR-MF on the game's logged interactions as
    RecBole 1.2.1 trains its ``BPR`` (``learners.recsys._bpr_adam``: xavier-normal factors,
    batches of 2,048 positives with one uniform negative among the user's non-positives,
    dense Adam with ``α = 0.001``, no L2) for ``warm_epochs`` epochs — a fixed number,
    since early stopping on a validation split would read ratings the platform has not
    logged — with this learner's ``factors`` and ``item_bias``. RecBole's BPR stops after
    76–142 epochs on MovieLens-100k, ours after 43–117 (``benchmarks/
    bench_recommender_offline.py``), hence the default of 100. Online learning then
    continues from those factors (with ``optimizer: adam``, from the warm start's Adam
    moments at step ``lr``). On MovieLens-100k with 64 factors the warm-started agent scores
    NDCG@10 0.1146 / 0.1163 (seeds 0 / 1) before any round and, with ``optimizer: adam, lr:
    0.001``, 0.1135 / 0.1135 after 600 online rounds; continued with ``update: sequential,
    item_bias: true`` at ``lr: 0.05`` it falls to 0.0807 / 0.0726, where the pure-online
    agent is (0.0797 / 0.0741; ``benchmarks/README.md``).
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import Field, model_validator

from incentive_lab.core.capabilities import Capability
from incentive_lab.core.learner import LearnerContext
from incentive_lab.core.logged_interactions import LoggedInteractions
from incentive_lab.core.params import field_error
from incentive_lab.core.registry import register
from incentive_lab.core.slate_choice import SlateFeedback
from incentive_lab.core.types import FloatArray, IntArray
from incentive_lab.learners.recsys._base import ExplorationParams, SlateLearner
from incentive_lab.learners.recsys._bpr_adam import Adam, bpr_epochs, bpr_gradients
from incentive_lab.learners.recsys._bpr_sgd import bpr_sgd


class BPRParams(ExplorationParams):
    """Parameters of ``recsys_bpr``."""

    factors: int = Field(16, ge=1, le=1024)
    """Latent dimension ``f``."""
    lr: float = Field(0.05, gt=0.0, le=10.0)
    """SGD step ``η``."""
    reg: float = Field(0.01, ge=0.0, le=10.0)
    """L2 regularisation ``λ``."""
    n_sampled: int = Field(4, ge=0, le=1000)
    """Uniformly sampled negatives per click, besides the shown-but-not-clicked items."""
    shown_negatives: bool = True
    """Use the shown-but-not-clicked items of a clicked slate as negatives (``false``:
    only Rendle's uniform negatives; module docstring)."""
    init_std: float = Field(0.1, gt=0.0, le=10.0)
    """Standard deviation of the initial item factors."""
    item_bias: bool = False
    """Learn item biases ``b_i`` (``false``: Rendle's plain ``x̂_ui = p_u·q_i``)."""
    replay: int = Field(256, ge=0, le=1_000_000)
    """Triples per step drawn from the buffer of past clicks."""
    buffer: int = Field(20_000, ge=1, le=10_000_000)
    """Past clicks kept per agent for replay (the oldest are overwritten)."""
    update: Literal["batch", "sequential"] = "batch"
    """``batch``: a step's triples summed at the parameters before the step (one
    mini-batch step); ``sequential``: Rendle's ``LearnBPR``, one triple after the other in
    a random order (``learners.recsys._bpr_sgd``)."""
    optimizer: Literal["sgd", "adam"] = "sgd"
    """Online steps: ``sgd`` (step ``lr``) or ``adam`` (Adam on the step's mean loss, step
    ``lr``; only with ``update: batch``; module docstring)."""
    warm_epochs: int = Field(100, ge=1, le=10_000)
    """Epochs of RecBole-style BPR training on the logged interactions with ``warm_start:
    logged`` (module docstring)."""

    added_defaults: ClassVar[dict[str, Any]] = {"optimizer": "sgd", "warm_epochs": 100}

    @model_validator(mode="after")
    def _adam_steps_batches(self) -> BPRParams:
        if self.optimizer == "adam" and self.update != "batch":
            allowed = "sgd with update: sequential (adam steps on a batch: update: batch)"
            raise field_error("recsys_bpr", "optimizer", self.optimizer, allowed)
        return self


def bpr_step(
    user: FloatArray,
    item: FloatArray,
    bias: FloatArray | None,
    triples: tuple[IntArray, IntArray, IntArray],
    lr: float,
    reg: float,
) -> float:
    """One summed BPR-SGD step in place on ``user[U, f]``, ``item[I, f]``, ``bias[I]``.

    ``triples = (u, i, j)`` (arrays of one length); ``bias=None``: no item biases.
    Returns the mean ``ln σ(x̂_uij)``.
    """
    u, i, j = triples
    pu, qi, qj = user[u], item[i], item[j]
    x = (pu * (qi - qj)).sum(axis=1)
    if bias is not None:
        x = x + bias[i] - bias[j]
    g = np.exp(-np.logaddexp(0.0, x))  # σ(−x) = 1 / (1 + eˣ), without overflow
    np.add.at(user, u, lr * (g[:, None] * (qi - qj) - reg * pu))
    np.add.at(item, i, lr * (g[:, None] * pu - reg * qi))
    np.add.at(item, j, lr * (-g[:, None] * pu - reg * qj))
    if bias is not None:
        np.add.at(bias, i, lr * (g - reg * bias[i]))
        np.add.at(bias, j, lr * (-g - reg * bias[j]))
    return float(-np.logaddexp(0.0, -x).mean()) if x.size else 0.0


@register(
    "learner",
    "recsys_bpr",
    params=BPRParams,
    description="Recommender agents choosing item slates by online BPR matrix factorisation",
    tabular=False,
    stochastic=True,
    requires={Capability.SLATE_CHOICE},
)
class BPRRecommender(SlateLearner[BPRParams]):
    """A group of recommender agents, each with its own BPR-MF model (module docstring)."""

    learner_id = "recsys_bpr"
    warm_starts = True

    def __init__(
        self, params: BPRParams, context: LearnerContext, rng: np.random.Generator
    ) -> None:
        super().__init__(params, context, rng)
        m, f = context.n_agents, params.factors
        self.user = np.zeros((m, self.n_users, f))
        self.item = params.init_std * rng.standard_normal((m, self.n_items, f))
        self.bias = np.zeros((m, self.n_items))
        # ring buffer of past clicks per agent: user slot, user serial, item
        self.past = np.full((m, params.buffer, 3), -1, dtype=np.int64)
        self.n_past = np.zeros(m, dtype=np.int64)
        self.adam = [Adam(lr=params.lr) for _ in range(m)]
        """Each agent's Adam state (``optimizer: adam``; moments start at the first step)."""

    def fit_logged(self, log: LoggedInteractions) -> None:
        """Each agent: RecBole-style BPR on the log for ``warm_epochs`` (module docstring)."""
        p = self.params
        shape = (self.n_users, self.n_items)
        for a in range(self.n_agents):
            epochs = bpr_epochs(
                (log.users, log.items), shape, self.rng, p.factors, item_bias=p.item_bias
            )
            for _ in range(p.warm_epochs):
                model, _fit = next(epochs)
            self.user[a], self.item[a], self.bias[a] = model.user, model.item, model.bias
            model.adam.lr = p.lr
            self.adam[a] = model.adam

    def scores(self, agent: IntArray, users: IntArray) -> FloatArray:
        """``x̂_ui = p_u·q_i (+ b_i)`` for every item."""
        out = np.empty((users.shape[0], self.n_items))
        for a in np.unique(agent):
            rows = np.flatnonzero(agent == a)
            product = self.user[a, users[rows]] @ self.item[a].T
            product += self.bias[a][None, :]  # in place: the same sums, one array fewer
            out[rows] = product
        return out

    def forget_users(self, agent: IntArray, users: IntArray) -> None:
        """New users start from zero factors (and zero Adam moments)."""
        self.user[agent, users] = 0.0
        for a in np.unique(agent):
            self.adam[a].reset_rows(users[agent == a], 0)

    def forget_items(self, items: IntArray) -> None:
        """New items start from fresh random factors and a zero bias; their clicks go."""
        shape = (self.item.shape[0], items.shape[0], self.params.factors)
        self.item[:, items] = self.params.init_std * self.rng.standard_normal(shape)
        self.bias[:, items] = 0.0
        self.past[np.isin(self.past[:, :, 2], items)] = -1
        for adam in self.adam:
            adam.reset_rows(items, 1)
            adam.reset_rows(items, 2)

    def _remember(self, a: int, users: IntArray, serial: IntArray, items: IntArray) -> None:
        size = self.params.buffer
        slots = (self.n_past[a] + np.arange(users.shape[0])) % size
        self.past[a, slots] = np.stack([users, serial, items], axis=1)
        self.n_past[a] += users.shape[0]

    def _replay(self, a: int) -> tuple[IntArray, IntArray, IntArray]:
        """``replay`` past clicks of users still in their slot, with uniform negatives."""
        past = self.past[a, : min(int(self.n_past[a]), self.params.buffer)]
        live = past[(past[:, 0] >= 0) & (past[:, 1] == self.user_serial[a, past[:, 0].clip(0)])]
        if live.shape[0] == 0 or self.params.replay == 0:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty
        pick = live[self.rng.integers(live.shape[0], size=self.params.replay)]
        neg = self.rng.integers(self.n_items, size=pick.shape[0])
        keep = neg != pick[:, 2]
        return pick[keep, 0], pick[keep, 2], neg[keep]

    def learn(self, agent: IntArray, feedback: SlateFeedback) -> dict[str, float]:
        """One BPR step per agent on the triples of its clicks (module docstring)."""
        p = self.params
        hit = np.flatnonzero(feedback.clicked >= 0)
        fit = []
        for a in np.unique(agent):
            rows = hit[agent[hit] == a]
            u, slates, slot = feedback.users[rows], feedback.slates[rows], feedback.clicked[rows]
            pos = slates[np.arange(rows.shape[0]), slot]
            shown = np.ones(slates.shape, dtype=bool)
            shown[np.arange(rows.shape[0]), slot] = False
            if not p.shown_negatives:
                shown[:] = False
            k_neg = shown.sum(axis=1)
            users = [np.repeat(u, k_neg)]
            positives = [np.repeat(pos, k_neg)]
            negatives = [slates[shown]]
            if p.n_sampled:
                sampled = self.rng.integers(self.n_items, size=(rows.shape[0], p.n_sampled))
                keep = sampled != pos[:, None]
                users.append(np.repeat(u, keep.sum(axis=1)))
                positives.append(np.repeat(pos, keep.sum(axis=1)))
                negatives.append(sampled[keep])
            replayed = self._replay(int(a))
            users.append(replayed[0])
            positives.append(replayed[1])
            negatives.append(replayed[2])
            self._remember(int(a), u, feedback.serial[rows], pos)
            triples = (np.concatenate(users), np.concatenate(positives), np.concatenate(negatives))
            if p.update == "sequential":
                order = self.rng.permutation(triples[0].shape[0])
                u_, i_, j_ = (t[order] for t in triples)
                fit.append(
                    bpr_sgd(
                        self.user[a],
                        self.item[a],
                        self.bias[a],
                        u_,
                        i_,
                        j_,
                        p.lr,
                        p.reg,
                        p.item_bias,
                    )
                )
                continue
            bias = self.bias[a] if p.item_bias else None
            if p.optimizer == "sgd":
                fit.append(bpr_step(self.user[a], self.item[a], bias, triples, p.lr, p.reg))
            elif triples[0].shape[0]:
                step_fit, grads = bpr_gradients(self.user[a], self.item[a], bias, triples, p.reg)
                self.adam[a].step([self.user[a], self.item[a], self.bias[a]], grads)
                fit.append(step_fit)
        return {"bpr_log_likelihood": float(np.mean(fit)) if fit else 0.0}
