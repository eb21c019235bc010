"""Sequential recommendation by causal self-attention (``recsys_sasrec``).

Each agent keeps its own SASRec model (``learners.recsys._sasrec_net``; Kang & McAuley
2018, "Self-Attentive Sequential Recommendation", ICDM) over each user slot's last
``max_len`` clicked items (``learners.recsys._history``). Its score of item ``i`` for a user
is ``r_{i,n} = F_n · M_i``, the relevance after the user's whole recent history (the last
position's output); its slate is the top-``k`` (with the family's exploration,
``learners.recsys._base``). A user with no click yet gets the scores of an all-padding
history (the same for every such user).

Constants (Kang & McAuley §IV-C): hidden size ``d = 50``, ``b = 2`` self-attention blocks,
``h = 1`` head, learned positional embeddings, Adam with learning rate 0.001, batch size 128;
dropout 0.2 (their MovieLens-1M setting; 0.5 on the sparse datasets); maximum length
``n = 200`` on MovieLens-1M and 50 on the sparser datasets — here ``max_len = 50``, since an
online user's history is short and the cost grows with ``n²``.

Learning (online, from click sequences): a click appends the item to the user's history;
every step, for each agent, the users who clicked and have at least two items are
shuffled and up to ``updates`` batches of ``batch`` of them take one Adam step each on the
BCE loss of §III-E: inputs ``(pad, s_1, …, s_{n−1})``, targets ``(s_1, …, s_n)``, one
negative per position drawn uniformly among the items other than the target (the paper
excludes the user's whole history; we exclude only the target). Slates without a click
leave the history unchanged. Torch threads are set to ``threads`` (1 by default); initial
weights and dropout masks come from torch generators seeded from the learner's NumPy
generator, so seeded runs repeat bit for bit on the CPU. A new user in a slot starts with
an empty history; replaced items are dropped from the histories and get fresh embeddings.

Warm start (``warm_start: logged``, ``learners.recsys._base``)
    before its first slate each agent trains its net on the game's logged per-user
    sequences (the training part of the split only, in time order) as Kang & McAuley train
    SASRec (``learners.recsys._sasrec_fit``: each user's last ``max_len + 1`` logged items,
    inputs and targets shifted by one, one negative per position among the user's unlogged
    items, BCE, the agent's Adam at ``lr``, ``batch`` users per step, dropout as above) for
    ``warm_epochs`` epochs — a fixed number, since early stopping on a validation split
    would read ratings the platform has not logged; the default 201 is the fixed epoch
    count of the authors' code (``kang205/SASRec``, ``main.py``). Then each logged slot's
    click history holds the user's last ``max_len`` logged items, so the net scores that
    user from its real history (and the first user served there adopts it); online
    learning continues from the fitted weights and Adam moments. On MovieLens-100k
    (``benchmarks/bench_recommender_offline.py``, 2026-12-06) the warm-started agent
    scores held-out NDCG@10 / HR@10 0.1019 / 0.4486 and 0.0989 / 0.4496 (seeds 0 / 1)
    before any round — against 0.0265 after 200 rounds for the pure-online agent, Pop
    0.0790, RecBole's BPR 0.1146 — and falls to 0.0800 / 0.0608 after 200 online rounds
    (0.0732 / 0.0778 with ``impressions: true``), mostly through the online weight updates
    (``benchmarks/README.md``).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from pydantic import Field

from incentive_lab.core.capabilities import Capability
from incentive_lab.core.errors import ConfigError
from incentive_lab.core.learner import LearnerContext
from incentive_lab.core.logged_interactions import LoggedInteractions
from incentive_lab.core.registry import register
from incentive_lab.core.slate_choice import SlateFeedback
from incentive_lab.core.types import FloatArray, IntArray
from incentive_lab.learners.neural.torch_nets import setup_torch
from incentive_lab.learners.recsys._base import ExplorationParams, SlateLearner
from incentive_lab.learners.recsys._history import ClickHistory


class SASRecParams(ExplorationParams):
    """Parameters of ``recsys_sasrec`` (defaults: Kang & McAuley 2018 §IV-C)."""

    max_len: int = Field(50, ge=2, le=1000)
    """Maximum sequence length ``n`` (recent clicked items read)."""
    hidden: int = Field(50, ge=1, le=1024)
    """Hidden size ``d``."""
    blocks: int = Field(2, ge=1, le=12)
    """Self-attention blocks ``b``."""
    heads: int = Field(1, ge=1, le=16)
    """Attention heads (must divide ``hidden``)."""
    dropout: float = Field(0.2, ge=0.0, lt=1.0)
    """Dropout rate."""
    lr: float = Field(0.001, gt=0.0, le=1.0)
    """Adam step size."""
    batch: int = Field(128, ge=1, le=100_000)
    """Users per gradient step."""
    updates: int = Field(4, ge=1, le=1000)
    """Largest number of gradient steps per environment step."""
    threads: int | None = Field(1, ge=1, le=256)
    """``torch.set_num_threads`` at construction (process-wide); ``None``: leave as is."""
    impressions: bool = False
    """Also learn from every served slate, clicked or not: one Adam step per ``batch`` served
    users (at most ``updates``) on the log-loss of the shown items
    (``_sasrec_net.SASRec.impression_loss``). Added after the first version: omitted from
    stored params while ``false``."""

    warm_epochs: int = Field(201, ge=1, le=10_000)
    """Epochs of training on the logged sequences with ``warm_start: logged`` (module
    docstring; added later: omitted from stored params at its default)."""

    added_defaults: ClassVar[dict[str, Any]] = {"impressions": False, "warm_epochs": 201}
    """Fields added after ``recsys_sasrec``'s first version, omitted from stored params at
    default (so earlier run ids hold; ``learners.recsys._base``)."""


@register(
    "learner",
    "recsys_sasrec",
    params=SASRecParams,
    description="Recommender agents choosing item slates by SASRec over recent clicks",
    tabular=False,
    stochastic=True,
    requires={Capability.SLATE_CHOICE},
)
class SASRecRecommender(SlateLearner[SASRecParams]):
    """A group of recommender agents, each with its own SASRec model (module docstring)."""

    learner_id = "recsys_sasrec"
    warm_starts = True

    def __init__(
        self, params: SASRecParams, context: LearnerContext, rng: np.random.Generator
    ) -> None:
        super().__init__(params, context, rng)
        if params.hidden % params.heads:
            raise ConfigError(
                "learner.params.heads", params.heads, f"a divisor of hidden={params.hidden}"
            )
        torch, self.generator = setup_torch(self.learner_id, params.threads, rng)
        from incentive_lab.learners.recsys._sasrec_net import SASRec

        self.nets: list[Any] = []
        self.optimisers: list[Any] = []
        for _ in range(context.n_agents):
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(int(rng.integers(2**63 - 1)))
                net = SASRec(
                    self.n_items, params.max_len, params.hidden, params.blocks, params.heads,
                    params.dropout,
                )  # fmt: skip
            self.nets.append(net)
            self.optimisers.append(
                torch.optim.Adam(net.parameters(), lr=params.lr, betas=(0.9, 0.98))
            )
        self.history = ClickHistory(context.n_agents, self.n_users, params.max_len, self.n_items)

    @property
    def torch(self) -> Any:
        """The torch module."""
        import torch

        return torch

    def fit_logged(self, log: LoggedInteractions) -> None:
        """Each agent: ``warm_epochs`` epochs on the logged sequences (module docstring).

        Then the logged slots' histories hold their last ``max_len`` logged items.
        """
        from incentive_lab.learners.recsys._sasrec_fit import fit_epochs, logged_windows

        p = self.params
        data = logged_windows(log, p.max_len)
        self.warm_losses: list[list[float]] = []
        """Each agent's mean training loss per warm-start epoch."""
        for a in range(self.n_agents):
            self.warm_losses.append(
                fit_epochs(self.nets[a], self.optimisers[a], data, p.warm_epochs, p.batch, self.rng)
            )
            self.history.items[a, data.users] = data.histories

    def scores(self, agent: IntArray, users: IntArray) -> FloatArray:
        """``F_n · M_i`` for every item, ``F_n`` the last position's output."""
        torch = self.torch
        out = np.empty((users.shape[0], self.n_items))
        for a in np.unique(agent):
            rows = np.flatnonzero(agent == a)
            seq = self.history.sequences(np.full(rows.shape[0], a), users[rows])
            net = self.nets[a]
            net.eval()
            with torch.no_grad():
                last = net(torch.as_tensor(seq))[:, -1]
                out[rows] = net.item_scores(last, self.n_items).double().numpy()
        return out

    def forget_users(self, agent: IntArray, users: IntArray) -> None:
        """New users start with an empty history."""
        self.history.forget(agent, users)

    def forget_items(self, items: IntArray) -> None:
        """Replaced items leave the histories and get fresh embeddings."""
        torch = self.torch
        self.history.drop_items(items)
        for net in self.nets:
            with torch.no_grad():
                fresh = torch.randn(items.shape[0], net.hidden, generator=self.generator)
                net.item.weight[torch.as_tensor(items)] = fresh * net.hidden**-0.5

    def learn(self, agent: IntArray, feedback: SlateFeedback) -> dict[str, float]:
        """Append the clicks, then BCE steps on the clickers' sequences (module docstring)."""
        torch, p = self.torch, self.params
        hit = np.flatnonzero(feedback.clicked >= 0)
        items = feedback.slates[hit, feedback.clicked[hit]]
        losses = self.learn_impressions(agent, feedback) if p.impressions else []
        self.history.push(agent[hit], feedback.users[hit], items)
        for a in np.unique(agent[hit]):
            users = feedback.users[hit[agent[hit] == a]]
            users = users[self.history.lengths(np.full(users.shape[0], a), users) >= 2]
            users = users[self.rng.permutation(users.shape[0])][: p.batch * p.updates]
            net, optimiser = self.nets[a], self.optimisers[a]
            net.train()
            for start in range(0, users.shape[0], p.batch):
                seq = self.history.sequences(np.full(users.shape[0], a), users)[
                    start : start + p.batch
                ]
                inputs = np.concatenate([np.full((seq.shape[0], 1), self.n_items), seq[:, :-1]], 1)
                shift = self.rng.integers(self.n_items - 1, size=seq.shape)
                negatives = np.where(seq < self.n_items, (seq + 1 + shift) % self.n_items, seq)
                with torch.random.fork_rng(devices=[]):
                    torch.manual_seed(int(self.rng.integers(2**63 - 1)))
                    loss = net.bce_loss(
                        torch.as_tensor(inputs), torch.as_tensor(seq), torch.as_tensor(negatives)
                    )
                    optimiser.zero_grad()
                    loss.backward()
                    optimiser.step()
                losses.append(loss.item())
        return {"bce_loss": float(np.mean(losses)) if losses else 0.0}

    def learn_impressions(self, agent: IntArray, feedback: SlateFeedback) -> list[float]:
        """Adam steps on the served users' impression log-loss (``impressions``).

        Run before the step's clicks enter the histories, so each slate is scored from the
        history it was chosen from (``_sasrec_net.SASRec.impression_loss``).
        """
        torch, p = self.torch, self.params
        losses = []
        for a in np.unique(agent):
            rows = np.flatnonzero(agent == a)
            rows = rows[self.rng.permutation(rows.shape[0])][: p.batch * p.updates]
            net, optimiser = self.nets[a], self.optimisers[a]
            net.train()
            for start in range(0, rows.shape[0], p.batch):
                chunk = rows[start : start + p.batch]
                seq = self.history.sequences(np.full(chunk.shape[0], a), feedback.users[chunk])
                with torch.random.fork_rng(devices=[]):
                    torch.manual_seed(int(self.rng.integers(2**63 - 1)))
                    loss = net.impression_loss(
                        torch.as_tensor(seq),
                        torch.as_tensor(feedback.slates[chunk]),
                        torch.as_tensor(feedback.clicked[chunk]),
                    )
                    optimiser.zero_grad()
                    loss.backward()
                    optimiser.step()
                losses.append(loss.item())
        return losses
