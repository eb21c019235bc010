"""An LLM recommender (``recsys_llm``): a language model ranks candidate items per user.

A recommender agent of the ``slate_choice`` family (``learners.recsys._base``) whose slate
for a user is chosen by a chat model from a short candidate list, in the spirit of
LLM-as-ranker recommenders (Hou et al. 2024, "Large language models are zero-shot rankers
for recommender systems", ECIR: the user's sequential history and the candidates as text,
the model returns a ranking; candidates come from a cheap retriever).

Each step, for the users the agent serves (``SlateChoice.requests``):

1. **Retriever** (per agent, from its own clicks only): the score of item ``i`` for user
   ``u`` is ``cos(g_u, f_i) + w · log(1 + c_i) / log(1 + max_j c_j)``, where ``g_u`` is
   the sum of the genre/topic features ``f`` of the items ``u`` clicked with this agent
   (zero for a new user), ``c_i`` the agent's click count of item ``i`` decayed by
   ``popularity_decay`` per step, and ``w = popularity_weight``. Every served user gets
   the retriever's top-``k`` (with the family's ε / Gumbel exploration) by default.
2. **LLM ranking** for at most ``max_users`` of the served users per step (drawn uniformly
   from the agent group's users with its generator; the cap bounds the cost: one chat per
   ranked user, inherently sequential): the candidates are the user's top-``M``
   (``candidates``) of the retriever without exploration, shown as item labels
   (``SlateChoice.item_labels``: MovieLens title, year and genres) with the user's last
   ``history`` clicks; the model answers ``{"ranking": [...]}`` under a JSON schema (the
   local backend's grammar enforces it; :mod:`.ranking_prompt`), and the slate is the
   ranked candidates. A rejected answer is re-asked at most ``max_reasks`` times; a backend
   error or a still-unusable answer keeps the retriever's slate and counts as a
   *fallback*. Every other served user also keeps the retriever's slate.
3. **Update**: from the clicks it received (``feedback``), the agent updates ``c``, the
   profiles ``g_u`` and each user's click history. A new user in a slot, or a new item,
   starts afresh. Rewards (possibly reshaped) are not used.

Backends: the ``llm`` learner's ``backend`` block (``openai``, ``local``, ``replay``;
``record``, ``cache``; ``learners.llm.chat``). Diagnostics per step: ``requests``,
``reasks``, ``parse_failures``, ``backend_errors``, ``fallbacks``, ``repaired`` (answers
whose repeats or short list were filled from the retriever order), ``llm_users``
(users ranked by the model) and the family's ``ctr``. ``transcripts`` keeps the first
``transcript_limit`` decisions (messages, raw answers, errors, candidates, slate).
"""

from __future__ import annotations

import json
from collections import deque
from typing import Any

import numpy as np
from pydantic import Field

from incentive_lab.core.capabilities import Capability
from incentive_lab.core.chat import ChatError
from incentive_lab.core.errors import ConfigError
from incentive_lab.core.learner import LearnerContext, Transition
from incentive_lab.core.registry import register
from incentive_lab.core.slate_choice import SlateFeedback
from incentive_lab.core.top_k import top_k
from incentive_lab.core.types import FloatArray, IntArray
from incentive_lab.learners.llm.chat import chat_from_params
from incentive_lab.learners.llm.learner import BackendParams
from incentive_lab.learners.recsys import ranking_prompt as rp
from incentive_lab.learners.recsys._base import ExplorationParams, SlateLearner

COUNTERS = (
    "requests",
    "reasks",
    "parse_failures",
    "backend_errors",
    "fallbacks",
    "repaired",
    "llm_users",
)


class LLMRankerParams(ExplorationParams):
    """Parameters of ``recsys_llm``."""

    backend: BackendParams
    """The chat backend (required; the ``llm`` learner's ``backend`` block)."""
    epsilon: float = Field(0.0, ge=0.0, le=1.0)
    """Probability that a served user not ranked by the model gets a random slate."""
    candidates: int = Field(20, ge=1, le=200)
    """Candidates ``M`` shown to the model (the retriever's top-``M``; at least ``k``)."""
    max_users: int = Field(4, ge=0, le=100_000)
    """Users ranked by the model per step and group (the others get the retriever's)."""
    history: int = Field(10, ge=0, le=200)
    """Most recent clicks of the user shown in the prompt."""
    popularity_weight: float = Field(1.0, ge=0.0, le=100.0)
    """Weight ``w`` of the normalised click counts in the retriever's score."""
    popularity_decay: float = Field(0.99, ge=0.0, le=1.0)
    """Per-step decay of the agent's item click counts."""
    max_reasks: int = Field(1, ge=0, le=5)
    """Re-asks after an unusable answer before falling back."""
    max_answer_chars: int = Field(4000, ge=16, le=1_000_000)
    """Longer answers are rejected."""
    transcript_limit: int = Field(20, ge=0, le=100_000)
    """Decisions whose prompts and answers are kept."""


@register(
    "learner",
    "recsys_llm",
    params=LLMRankerParams,
    description="LLM recommender: a chat model ranks retrieved candidates from a user's history",
    tabular=False,
    stochastic=True,
    has_policy=False,
    requires={Capability.SLATE_CHOICE},
)
class LLMRanker(SlateLearner[LLMRankerParams]):
    """A group of recommender agents whose slates a chat model ranks (module docstring)."""

    learner_id = "recsys_llm"

    def __init__(
        self, params: LLMRankerParams, context: LearnerContext, rng: np.random.Generator
    ) -> None:
        super().__init__(params, context, rng)
        if params.candidates < self.k:
            allowed = f"at least the slate size {self.k}"
            raise ConfigError("learner.params.candidates", params.candidates, allowed)
        self.chat = chat_from_params(params.backend, "learner.params.backend")
        self.m = min(params.candidates, self.n_items)
        self.schema = json.dumps(rp.ranking_schema(self.m, self.k), sort_keys=True)
        features = np.asarray(self.channel.item_features(), dtype=np.float64)
        self.unit = features / np.maximum(np.linalg.norm(features, axis=1, keepdims=True), 1e-12)
        n = context.n_agents
        self.clicks = np.zeros((n, self.n_items))
        self.profile = np.zeros((n, self.n_users, features.shape[1]))
        self.histories: dict[tuple[int, int], deque[int]] = {}
        self._labels: tuple[str, ...] | None = None
        self._round = 1
        self.totals = dict.fromkeys(COUNTERS, 0)
        self._step = dict.fromkeys(COUNTERS, 0)
        self.transcripts: list[dict[str, Any]] = []

    # -- the retriever ---------------------------------------------------------------------
    def scores(self, agent: IntArray, users: IntArray) -> FloatArray:
        """``float64[S, I]``: ``cos(g_u, f_i) + w · normalised log click count``."""
        profile = self.profile[agent, users]
        norm = np.maximum(np.linalg.norm(profile, axis=1, keepdims=True), 1e-12)
        match = (profile / norm) @ self.unit.T
        counts = np.log1p(self.clicks[agent])
        top = np.maximum(counts.max(axis=1, keepdims=True), 1e-12)
        return np.asarray(match + self.params.popularity_weight * counts / top)

    def learn(self, agent: IntArray, feedback: SlateFeedback) -> dict[str, float]:
        """Decay and add click counts; add clicked items to profiles and histories."""
        self.clicks *= self.params.popularity_decay
        hit = np.flatnonzero(feedback.clicked >= 0)
        items = feedback.slates[hit, feedback.clicked[hit]]
        np.add.at(self.clicks, (agent[hit], items), 1.0)
        np.add.at(self.profile, (agent[hit], feedback.users[hit]), self.unit[items])
        if self.params.history:
            for a, u, i in zip(agent[hit], feedback.users[hit], items, strict=True):
                key = (int(a), int(u))
                if key not in self.histories:
                    self.histories[key] = deque(maxlen=self.params.history)
                self.histories[key].append(int(i))
        return {}

    def forget_users(self, agent: IntArray, users: IntArray) -> None:
        """A new user in a slot: no profile, no history."""
        self.profile[agent, users] = 0.0
        for a, u in zip(agent, users, strict=True):
            self.histories.pop((int(a), int(u)), None)

    def forget_items(self, items: IntArray) -> None:
        """A new item: no clicks yet; the labels are read again."""
        self.clicks[:, items] = 0.0
        self._labels = None

    # -- the model -------------------------------------------------------------------------
    def labels(self) -> tuple[str, ...]:
        """The items' labels (read once, again after an item is replaced)."""
        if self._labels is None:
            self._labels = tuple(self.channel.item_labels())
        return self._labels

    def slates(self, agent: IntArray, users: IntArray) -> IntArray:
        """Retriever slates for all; the model's ranking for up to ``max_users`` of them."""
        out = super().slates(agent, users)
        count = min(self.params.max_users, users.shape[0])
        if count == 0:
            return out
        rows = np.sort(self.rng.choice(users.shape[0], size=count, replace=False))
        candidates = top_k(self.scores(agent[rows], users[rows]), self.m)
        for row, cands in zip(rows, candidates, strict=True):
            slate = self._rank(int(agent[row]), int(users[row]), cands)
            if slate is not None:
                out[row] = slate
        return out

    def _count(self, name: str) -> None:
        self._step[name] += 1
        self.totals[name] += 1

    def _rank(self, agent: int, user: int, candidates: IntArray) -> IntArray | None:
        """The model's slate for ``user`` from ``candidates`` (``None``: fallback)."""
        p, labels = self.params, self.labels()
        history = [labels[i] for i in self.histories.get((agent, user), ())]
        chat = rp.messages(history, [labels[i] for i in candidates], self.k)
        record: dict[str, Any] = {
            "round": self._round,
            "agent": int(self.context.agents[agent]),
            "user": user,
            "candidates": candidates.tolist(),
            "messages": [list(m) for m in chat],
            "answers": [],
            "errors": [],
        }
        self._count("llm_users")
        order = self._ask(chat, record)
        record["fallback"] = order is None
        slate = None if order is None else candidates[np.asarray(order, dtype=np.int64)]
        if slate is None:
            self._count("fallbacks")
        record["slate"] = None if slate is None else slate.tolist()
        if len(self.transcripts) < p.transcript_limit:
            self.transcripts.append(record)
        return slate

    def _ask(self, chat: list[tuple[str, str]], record: dict[str, Any]) -> list[int] | None:
        p = self.params
        for attempt in range(p.max_reasks + 1):
            seed = p.backend.seed if p.backend.seed is not None else int(self.rng.integers(2**31))
            self._count("requests")
            try:
                text = self.chat.ask(
                    chat, json_schema=self.schema, max_tokens=p.backend.max_tokens, seed=seed
                )
            except ChatError as exc:
                self._count("backend_errors")
                record["errors"].append(f"backend: {exc}")
                return None
            record["answers"].append(text[: p.max_answer_chars])
            parsed = rp.parse_ranking(text, self.m, self.k, p.max_answer_chars)
            if parsed.order is not None:
                if parsed.repaired:
                    self._count("repaired")
                return parsed.order
            self._count("parse_failures")
            record["errors"].append(f"parse: {parsed.error}")
            if attempt >= p.max_reasks:
                return None
            self._count("reasks")
            reask = rp.reask_message(parsed.error, self.m, self.k)
            chat = [*chat, ("assistant", text[: p.max_answer_chars]), ("user", reask)]
        return None

    def update(self, transition: Transition) -> dict[str, float]:
        """Learn from the clicks; return the family's ``ctr`` and this step's counters."""
        stats = super().update(transition)
        stats.update({name: float(value) for name, value in self._step.items()})
        self._step = dict.fromkeys(COUNTERS, 0)
        self._round += 1
        return stats
