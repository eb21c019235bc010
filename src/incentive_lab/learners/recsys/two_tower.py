"""Neural two-tower retrieval with the logQ-corrected in-batch softmax (``recsys_two_tower``).

Each agent keeps its own two-tower model (``learners.recsys._towers``; Yi et al. 2019,
"Sampling-bias-corrected neural modeling for large corpus item recommendations", RecSys):
a user tower over the user slot's id embedding and the mean embedding of its last
``history`` clicked items (``learners.recsys._history``), an item tower over the item's id
embedding and its public content features ``x_i = f_i / ‖f_i‖₁`` (``slate_choice.
item_features``), both L2-normalised; score ``s(u, i) = ⟨u, v_i⟩ / τ``. Its slate is the
top-``k`` (with the family's exploration, ``learners.recsys._base``).

Learning (online, from clicks): every step, for each agent, a batch of the step's clicks
``(user, item)`` plus ``replay`` clicks drawn from its buffer of past clicks (users still in
their slot) takes ``updates`` Adam steps (Kingma & Ba 2015) on the in-batch softmax with the
logQ correction (``_towers.logq_softmax_loss``; Yi et al. eq. (4)), accidental hits (the
row's own item elsewhere in the batch) removed. The item frequencies are
estimated by Yi et al.'s streaming Algorithm 2 (:class:`FrequencyEstimator`), with the
item id as its own hash (the catalogue is finite, so no collisions). Slates without a
click carry no positive. Torch threads are set to ``threads`` (1 by default); initial
weights and re-drawn rows come from a torch generator seeded from the learner's NumPy
generator, so seeded runs repeat bit for bit on the CPU. A new user in a slot gets a fresh
id embedding and an empty history; a new item a fresh id embedding and its new features
(Adam's moment estimates of those rows are kept).

Added later, off by default (``_towers`` module docstring): ``skips`` — the user tower also
reads the user's last ``skips`` skipped items (every item of a served slate except the
clicked one, pushed slot by slot after the step's update, like the clicks), the "unclick"
feedback of Xie et al. 2021 (DFN); ``item_bias`` — a per-item bias in the score (Koren et al.
2009), reset to 0 for a new item; ``user_id: false`` — no user id embedding: the user tower
reads only the user's recent clicked (and skipped) items, as YouTube's candidate generator
does (Covington et al. 2016), so what it learns from one user's clicks serves every user
with a similar history, a new one included. ``warm_start: logged``: fitted to the logged
clicks before going online (``learners.recsys._two_tower_fit``).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from pydantic import Field

from incentive_lab.core.capabilities import Capability
from incentive_lab.core.learner import LearnerContext
from incentive_lab.core.logged_interactions import LoggedInteractions
from incentive_lab.core.registry import register
from incentive_lab.core.slate_choice import SlateFeedback
from incentive_lab.core.types import FloatArray, IntArray
from incentive_lab.learners.neural.torch_nets import setup_torch
from incentive_lab.learners.recsys._base import ExplorationParams, SlateLearner
from incentive_lab.learners.recsys._history import ClickBuffer, ClickHistory
from incentive_lab.learners.recsys.linucb import item_contexts


class TwoTowerParams(ExplorationParams):
    """Parameters of ``recsys_two_tower``."""

    dim: int = Field(32, ge=1, le=1024)
    """Embedding size ``d`` of ids and tower outputs."""
    hidden: int = Field(64, ge=1, le=4096)
    """Width of each tower's hidden layer."""
    history: int = Field(20, ge=1, le=1000)
    """Recent clicked items the user tower averages."""
    temperature_softmax: float = Field(0.05, gt=0.0, le=10.0)
    """Softmax temperature ``τ`` of the score (Yi et al. §4.2 tune it; 0.05 is their
    Wikipedia setting)."""
    lr: float = Field(0.005, gt=0.0, le=1.0)
    """Adam step size."""
    updates: int = Field(1, ge=1, le=100)
    """Gradient steps per environment step."""
    replay: int = Field(256, ge=0, le=100_000)
    """Past clicks replayed in each batch."""
    buffer: int = Field(20_000, ge=1, le=10_000_000)
    """Past clicks kept per agent for replay."""
    alpha: float = Field(0.01, gt=0.0, le=1.0)
    """Learning rate ``α`` of the streaming frequency estimation (Yi et al. Algorithm 2)."""
    logq: bool = True
    """Apply the logQ correction (``false``: the plain in-batch softmax, Yi et al.'s
    baseline)."""
    threads: int | None = Field(1, ge=1, le=256)
    """``torch.set_num_threads`` at construction (process-wide); ``None``: leave as is."""
    impressions: bool = False
    """Also learn from every served slate, clicked or not, by the conditional-logit slate
    loss with a no-click option (``_towers.slate_choice_loss``; module docstring). Added
    after the first version: omitted from stored params while ``false``."""

    skips: int = Field(0, ge=0, le=1000)
    """Recent skipped items (shown, not clicked) the user tower also averages (0: none; the
    "unclick" sequence of Xie et al. 2021; module docstring). Added later: omitted from
    stored params while 0."""
    item_bias: bool = False
    """Add a learned per-item bias ``b_i`` to the score (Koren et al. 2009; module docstring).
    Added later: omitted from stored params while ``false``."""
    user_id: bool = True
    """Give the user tower the user slot's id embedding (``false``: the tower reads only the
    user's recent items, Covington et al. 2016; module docstring). Added later: omitted from
    stored params while ``true``."""
    warm_epochs: int = Field(20, ge=1, le=10_000)
    """Passes over the log with ``warm_start: logged`` (``learners.recsys._two_tower_fit``;
    our choice, fixed: no early stopping on ratings the platform has not logged)."""
    warm_batch: int = Field(512, ge=2, le=1_000_000)
    """Logged clicks per mini-batch of the warm start (the in-batch softmax's negatives)."""

    added_defaults: ClassVar[dict[str, Any]] = {
        "impressions": False,
        "skips": 0,
        "item_bias": False,
        "user_id": True,
        "warm_epochs": 20,
        "warm_batch": 512,
    }
    """Fields added after ``recsys_two_tower``'s first version, omitted from stored params at
    default (so earlier run ids hold; ``learners.recsys._base``)."""


class FrequencyEstimator:
    """Streaming item-frequency estimation (Yi et al. 2019, Algorithm 2), per agent.

    ``last[m, I]`` (``A``: the step an item was last in a batch, −1: never) and
    ``gap[m, I]`` (``B``: the estimated number of steps between its appearances). For each
    occurrence of item ``y`` in the batch of step ``t``, in order:
    ``B[y] ← (1 − α)·B[y] + α·(t − A[y])``, ``A[y] ← t``; an item occurring ``c`` times in
    one batch therefore gets ``B ← (1 − α)^{c−1}((1 − α)B + α(t − A))`` (the later
    occurrences have gap 0). Estimated probability of being in a batch: ``p = 1 / B``.
    A never-seen item's first gap is the number of steps so far, ``B ← t`` (our choice:
    the paper does not say how ``B`` starts). Steps count from 1.
    """

    def __init__(self, n_agents: int, n_items: int, alpha: float) -> None:
        self.alpha = alpha
        self.last = np.full((n_agents, n_items), -1, dtype=np.int64)
        self.gap = np.ones((n_agents, n_items))
        self.step = np.zeros(n_agents, dtype=np.int64)

    def update(self, a: int, items: IntArray) -> None:
        """Count one batch of agent ``a`` with items ``items`` (repeats allowed)."""
        self.step[a] += 1
        t = int(self.step[a])
        seen, count = np.unique(items, return_counts=True)
        fresh = self.last[a, seen] < 0
        ema = (1 - self.alpha) * self.gap[a, seen] + self.alpha * (t - self.last[a, seen])
        first = np.where(fresh, float(t), ema)
        self.gap[a, seen] = first * (1 - self.alpha) ** (count - 1)
        self.last[a, seen] = t

    def log_prob(self, a: int, items: IntArray) -> FloatArray:
        """``log p = −log B`` of ``items`` for agent ``a``."""
        return np.asarray(-np.log(self.gap[a, items]), dtype=np.float64)

    def forget(self, items: IntArray) -> None:
        """Replaced items start unseen."""
        self.last[:, items] = -1
        self.gap[:, items] = 1.0


@register(
    "learner",
    "recsys_two_tower",
    params=TwoTowerParams,
    description="Recommender agents choosing item slates by a two-tower model (logQ softmax)",
    tabular=False,
    stochastic=True,
    requires={Capability.SLATE_CHOICE},
)
class TwoTowerRecommender(SlateLearner[TwoTowerParams]):
    """A group of recommender agents, each with its own two-tower model (module docstring)."""

    learner_id = "recsys_two_tower"
    warm_starts = True

    def __init__(
        self, params: TwoTowerParams, context: LearnerContext, rng: np.random.Generator
    ) -> None:
        super().__init__(params, context, rng)
        torch, self.generator = setup_torch(self.learner_id, params.threads, rng)
        from incentive_lab.learners.recsys._towers import TwoTower

        m = context.n_agents
        self.features = item_contexts(self.channel.item_features())
        self.nets: list[Any] = []
        self.optimisers: list[Any] = []
        for _ in range(m):
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(int(rng.integers(2**63 - 1)))
                net = TwoTower(
                    self.n_users, self.n_items, self.features.shape[1], params.dim, params.hidden,
                    no_click=params.impressions, skips=params.skips > 0,
                    item_bias=params.item_bias, user_ids=params.user_id,
                )  # fmt: skip
            self.nets.append(net)
            self.optimisers.append(torch.optim.Adam(net.parameters(), lr=params.lr))
        self.history = ClickHistory(m, self.n_users, params.history, self.n_items)
        self.skipped = (
            ClickHistory(m, self.n_users, params.skips, self.n_items) if params.skips else None
        )
        self.buffer = ClickBuffer(m, params.buffer)
        self.frequency = FrequencyEstimator(m, self.n_items, params.alpha)
        self.warm_losses: list[float] = []
        """Mean loss of each warm-start epoch, agent after agent (``warm_start: logged``)."""

    def fit_logged(self, log: LoggedInteractions) -> None:
        """Each agent: ``warm_epochs`` passes of the click loss over the log.

        Then the logged users' histories hold their logged items
        (``learners.recsys._two_tower_fit``).
        """
        from incentive_lab.learners.recsys._two_tower_fit import fit_logged

        self.warm_losses = fit_logged(self, log)

    def item_embeddings(self, a: int) -> Any:
        """``[I, d]`` unit item embeddings of agent ``a`` (no gradient)."""
        torch = self.torch
        with torch.no_grad():
            ids = torch.arange(self.n_items)
            return self.nets[a].items(ids, torch.as_tensor(self.features, dtype=torch.float32))

    @property
    def torch(self) -> Any:
        """The torch module."""
        import torch

        return torch

    def scores(self, agent: IntArray, users: IntArray) -> FloatArray:
        """``s(u, i) = ⟨u, v_i⟩ / τ (+ b_i)`` for every item."""
        torch = self.torch
        out = np.empty((users.shape[0], self.n_items))
        for a in np.unique(agent):
            rows = np.flatnonzero(agent == a)
            net = self.nets[a]
            with torch.no_grad():
                u = self.user_tower(net, users[rows], self.inputs(int(a), users[rows]))
                score = u @ self.item_embeddings(int(a)).T / self.params.temperature_softmax
                bias = net.item_bias(torch.arange(self.n_items))
                if bias is not None:
                    score = score + bias[None, :]
            out[rows] = score.double().numpy()
        return out

    def forget_users(self, agent: IntArray, users: IntArray) -> None:
        """New users: empty histories and (with ``user_id``) fresh id embeddings."""
        self.history.forget(agent, users)
        if self.skipped is not None:
            self.skipped.forget(agent, users)
        if not self.params.user_id:  # the id table is never read
            return
        for a in np.unique(agent):
            self.nets[a].reset_rows("user_id", users[agent == a].tolist(), self.generator)

    def forget_items(self, items: IntArray) -> None:
        """New items: their features, fresh id embeddings, no history or frequency."""
        self.features = item_contexts(self.channel.item_features())
        self.history.drop_items(items)
        if self.skipped is not None:
            self.skipped.drop_items(items)
        self.buffer.drop_items(items)
        self.frequency.forget(items)
        for net in self.nets:
            net.reset_rows("item_id", items.tolist(), self.generator)

    def learn(self, agent: IntArray, feedback: SlateFeedback) -> dict[str, float]:
        """``updates`` Adam steps per agent on its clicks and replayed ones (module docstring)."""
        torch, p = self.torch, self.params
        hit = np.flatnonzero(feedback.clicked >= 0)
        losses = []
        for a in np.unique(agent if p.impressions else agent[hit]):
            rows = hit[agent[hit] == a]
            users = feedback.users[rows]
            items = feedback.slates[rows, feedback.clicked[rows]]
            clicks = self.click_batch(int(a), users, feedback.serial[rows], items)
            slates = self.slate_batch(int(a), np.flatnonzero(agent == a), feedback)
            net, optimiser = self.nets[a], self.optimisers[a]
            for _ in range(p.updates):
                loss = torch.zeros(())
                if clicks is not None:
                    loss = loss + self.click_loss(net, *clicks)
                if slates is not None:
                    loss = loss + self.slate_loss(net, *slates)
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
                losses.append(loss.item())
            self.history.push(np.full(rows.shape[0], a), users, items)
            self.push_skips(int(a), np.flatnonzero(agent == a), feedback)
        return {"softmax_loss": float(np.mean(losses)) if losses else 0.0}

    def push_skips(self, a: int, rows: IntArray, feedback: SlateFeedback) -> None:
        """Push every item of agent ``a``'s served slates but the clicked one, slot by slot."""
        if self.skipped is None:  # without ``skips``
            return
        for r in range(feedback.slates.shape[1]):
            skip = rows[feedback.clicked[rows] != r]
            self.skipped.push(
                np.full(skip.shape[0], a), feedback.users[skip], feedback.slates[skip, r]
            )

    def inputs(self, a: int, users: IntArray) -> tuple[IntArray, IntArray | None]:
        """``(histories, skipped)`` of agent ``a``'s ``users``, as they are now.

        ``skipped`` is ``None`` without ``skips``.
        """
        agents = np.full(users.shape[0], a)
        skipped = None if self.skipped is None else self.skipped.sequences(agents, users)
        return self.history.sequences(agents, users), skipped

    def user_tower(self, net: Any, users: IntArray, seqs: tuple[IntArray, IntArray | None]) -> Any:
        """``[S, d]`` unit user embeddings of ``users`` with inputs ``seqs`` (with gradient)."""
        torch = self.torch
        seq, skipped = seqs
        extra = None if skipped is None else torch.as_tensor(skipped)
        return net.users(torch.as_tensor(users), torch.as_tensor(seq), extra)

    def click_batch(
        self, a: int, users: IntArray, serial: IntArray, items: IntArray
    ) -> tuple[IntArray, tuple[IntArray, IntArray | None], IntArray, FloatArray] | None:
        """``(users, (histories, skipped), items, log q)``: the step's clicks plus replayed ones.

        ``None`` if agent ``a`` got no click this step. Adds the clicks to the buffer and the
        batch to the frequency estimate.
        """
        p = self.params
        if users.shape[0] == 0:
            return None
        old_u, old_i = self.buffer.sample(a, p.replay, self.user_serial[a], self.rng)
        self.buffer.add(a, users, serial, items)
        batch_u = np.concatenate([users, old_u])
        batch_i = np.concatenate([items, old_i])
        self.frequency.update(a, batch_i)
        log_q = self.frequency.log_prob(a, batch_i) if p.logq else np.zeros(len(batch_i))
        return batch_u, self.inputs(a, batch_u), batch_i, log_q

    def click_loss(
        self,
        net: Any,
        users: IntArray,
        seqs: tuple[IntArray, IntArray | None],
        items: IntArray,
        log_q: FloatArray,
    ) -> Any:
        """The logQ-corrected in-batch softmax of one click batch (``_towers``)."""
        from incentive_lab.learners.recsys._towers import logq_softmax_loss

        torch = self.torch
        features = torch.as_tensor(self.features[items], dtype=torch.float32)
        u = self.user_tower(net, users, seqs)
        ids = torch.as_tensor(items)
        v = net.items(ids, features)
        log_q_t = torch.as_tensor(log_q, dtype=torch.float32)
        temperature = self.params.temperature_softmax
        return logq_softmax_loss(u, v, log_q_t, temperature, ids=ids, bias=net.item_bias(ids))

    def slate_batch(
        self, a: int, rows: IntArray, feedback: SlateFeedback
    ) -> tuple[IntArray, tuple[IntArray, IntArray | None], IntArray, IntArray] | None:
        """``(users, (histories, skipped), slates, clicked slot)`` of agent ``a``'s ``rows``.

        ``None`` without ``impressions``. Histories are those the slates were chosen from
        (before this step's clicks and skips are pushed).
        """
        if not self.params.impressions or rows.shape[0] == 0:
            return None
        users = feedback.users[rows]
        return users, self.inputs(a, users), feedback.slates[rows], feedback.clicked[rows]

    def slate_loss(
        self,
        net: Any,
        users: IntArray,
        seqs: tuple[IntArray, IntArray | None],
        slates: IntArray,
        clicked: IntArray,
    ) -> Any:
        """The conditional-logit slate loss of the served users (``_towers``)."""
        from incentive_lab.learners.recsys._towers import slate_choice_loss

        torch = self.torch
        flat = slates.ravel()
        features = torch.as_tensor(self.features[flat], dtype=torch.float32)
        u = self.user_tower(net, users, seqs)
        ids = torch.as_tensor(slates)
        v = net.items(ids.reshape(-1), features).reshape(*slates.shape, -1)
        return slate_choice_loss(
            u, v, torch.as_tensor(clicked), net.no_click, self.params.temperature_softmax,
            bias=net.item_bias(ids),
        )  # fmt: skip
