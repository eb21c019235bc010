"""What every learning recommender of this family shares: the channel, exploration, top-k.

A recommender group drives agents of a game offering ``slate_choice``
(``core.slate_choice``). Every agent of the group keeps its *own* model (nothing is shared
between agents, so competing agents learn only from their own clicks). Each step it:

1. reads the users it will serve (``requests``), forgets users and items whose serial
   changed (a new user in a slot, a new item in the catalogue);
2. scores every item for every served user with its model (``scores``: ``float64[S, I]``);
3. turns scores into slates of ``k`` distinct items by exploration:

   * ``temperature τ > 0``: Gumbel-top-``k`` — add ``τ·G``, ``G ~ Gumbel(0, 1)`` i.i.d.,
     take the ``k`` largest: an exact sample without replacement from the Plackett–Luce
     (softmax, temperature ``τ``) ranking of the scores (Kool, van Hoof & Welling 2019,
     "Stochastic beams and where to find them", ICML); ``τ = 0``: greedy top-``k``;
   * ``epsilon ε``: each served user gets, with probability ``ε``, a uniformly random slate;

4. submits them and plays the action ``submitted``; in ``update`` it reads the slates and
   clicks it received (``feedback``) and learns from them (``learn``).

Learning from the mechanism's shaped reward (item credit)
    The loop hands ``update`` each agent's *shaped* reward ``r̃_i`` (``Transition.rewards``)
    and the population's *base* rewards (``population_rewards``: clicks per user slot). The
    clicks the agent reads from ``feedback`` are the base reward broken down by user and
    item; the mechanism's part ``Δ_i = r̃_i − r_i`` arrives only as one number per agent and
    step. Every agent therefore decomposes it additively over the slate slots it showed,
    ``U·Δ_i ≈ Σ_j n_ij c_ij`` (``n_ij``: slots given to item ``j`` this step, ``c_ij``:
    the credit of one slot of item ``j``, in clicks), estimated online by least squares
    from the aggregate signal — per-step rewards recovered from summed feedback as in
    Efroni, Merlis & Mannor (2021), "Reinforcement learning with trajectory feedback",
    AAAI — with the normalised LMS step (Nagumo & Noda 1967; the Kaczmarz projection at
    ``μ = 1``)::

        e = U·Δ_i − n_i·c_i,        c_i ← c_i + μ · e · n_i / ‖n_i‖²

    and ranks by ``score + w·c_ij`` (``w``: ``shaping``, ``μ``: ``shaping_rate``). Items
    never shown keep credit 0. For ``exposure_fairness`` this is the tax's exact per-slot
    decomposition: with ``TV = Σ_{p over-exposed} (ê_p − π_p)``, a slot of an
    over-exposed provider ``p`` costs ``(λ/k)(1 − π_p/ê_p)`` and a slot of any other
    provider nothing, so the credit learns a penalty on the items of the providers the
    agent over-exposes (it never sees providers). Shaping that is additive over consumed
    items (``engagement_shaping``, ``platform_difference``: quality, satisfaction) is
    captured likewise through its correlation with exposure; slate-level terms
    (``diversity_bonus``'s intra-list diversity) are not item-additive and are only
    approximated. Without a mechanism ``Δ = 0``, the credit stays exactly 0 and the slates
    are those of the click model alone. The credit of a replaced item resets to 0.

Warm start from logged interactions (``warm_start: logged``)
    A real platform's model starts from the interactions it logged, not from nothing. A game
    whose users come from data offers them (capability ``logged_interactions``,
    ``core.logged_interactions``; the ``recommender`` game with ``preferences: fitted``:
    the training part of MovieLens-100k's split, never valid or test). With ``warm_start:
    logged`` each agent fits its model to them before its first slate (``fit_logged``, per
    learner: ``recsys_bpr`` trains BPR-MF as RecBole does, ``learners.recsys._bpr_adam``;
    ``recsys_two_tower`` its click loss, ``_two_tower_fit``; ``recsys_sasrec`` Kang &
    McAuley's sequence loss, ``_sasrec_fit``)
    and then keeps learning online from its clicks. The logged history of slot ``u`` goes
    to the first user the agent serves there (its serial is adopted without a reset), that
    of item ``j`` to the item in place ``j`` at the first slate; a new user in the slot, or
    a new item, later starts afresh as usual. Learners without a ``fit_logged`` refuse
    the option; a game without the capability is refused with the capability named.

Scores are computed in chunks of users (``CHUNK``) so that ``10⁴ × 10³`` score matrices
never sit in memory at once.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Any, ClassVar, Literal, TypeVar

import numpy as np
from pydantic import Field, SerializerFunctionWrapHandler, model_serializer

from incentive_lab.core.errors import ConfigError
from incentive_lab.core.learner import Learner, LearnerContext, Transition
from incentive_lab.core.logged_interactions import LoggedInteractions
from incentive_lab.core.params import Params
from incentive_lab.core.slate_choice import SlateChoice, SlateFeedback, SlateRequest
from incentive_lab.core.top_k import top_k, top_k_reference
from incentive_lab.core.types import Actions, BoolArray, FloatArray, IntArray, Obs

CHUNK = 2048
WARM = -2
"""``user_serial`` / ``item_serial`` of a warm-started slot or item not yet synchronised with
the game: its first serial is adopted, not reset."""
P = TypeVar("P", bound="ExplorationParams")


class ExplorationParams(Params):
    """Exploration shared by the recommenders of this family (module docstring)."""

    epsilon: float = Field(0.05, ge=0.0, le=1.0)
    """Probability that a served user gets a uniformly random slate."""
    temperature: float = Field(0.0, ge=0.0, le=100.0)
    """Gumbel-top-``k`` temperature ``τ`` on the scores (0: greedy)."""
    shaping: float = Field(1.0, ge=0.0, le=1e6)
    """Weight ``w`` of the learned item credit of the mechanism's shaping in the scores
    (module docstring; 0: rank by the click model only)."""
    shaping_rate: float = Field(0.5, ge=0.0, le=2.0)
    """Normalised-LMS step ``μ`` of the item credit (0: never learn it)."""
    warm_start: Literal["none", "logged"] = "none"
    """``logged``: fit the model to the game's logged interactions before the first slate
    (module docstring; needs a game offering ``logged_interactions``); ``none``: start
    from scratch."""

    added_defaults: ClassVar[dict[str, Any]] = {}
    """Fields a subclass added after its first version, omitted from stored params at default
    (besides the family's ``SHAPING_DEFAULTS``)."""

    @model_serializer(mode="wrap")
    def _omit_shaping_defaults(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """Stored params omit fields added later while at their defaults (older run ids hold)."""
        out: dict[str, Any] = handler(self)
        for name, default in {**SHAPING_DEFAULTS, **self.added_defaults}.items():
            if name in out and out[name] == default:
                del out[name]
        return out


SHAPING_DEFAULTS: dict[str, Any] = {"shaping": 1.0, "shaping_rate": 0.5, "warm_start": "none"}
"""Fields added after the family's first version, omitted from stored params at default."""


def credit_step(credit: FloatArray, counts: FloatArray, total: float, rate: float) -> FloatArray:
    """``c + μ·(total − n·c)·n/‖n‖²``: one normalised-LMS step (``c`` if ``n = 0``).

    ``credit[I]``: per-slot credit of each item; ``counts[I]``: slots per item this step;
    ``total``: the agent's shaping this step in clicks (``U·Δ``).
    """
    norm = float(counts @ counts)
    if norm == 0.0:
        return credit
    error = total - float(counts @ credit)
    return np.asarray(credit + rate * error * counts / norm, dtype=np.float64)


def require_channel(context: LearnerContext, learner_id: str) -> SlateChoice:
    """The context's slate channel (``ConfigError`` naming what is needed if absent)."""
    if context.slate_choice is None:
        raise ConfigError(
            f"{learner_id}.context.slate_choice",
            None,
            "a game offering slate_choice, a generative model of its users' clicks on "
            "submitted slates (game recommender with agents_choose: items)",
        )
    return context.slate_choice


def require_log(
    context: LearnerContext, learner_id: str, channel: SlateChoice
) -> LoggedInteractions:
    """The context's logged interactions, checked against the channel's users and items."""
    field = "learner.params.warm_start"  # relocated to learners.K.params by the builder
    log = context.logged_interactions
    if log is None:
        raise ConfigError(
            field,
            "logged",
            "none, or a game offering logged_interactions (recommender with preferences: fitted)",
        )
    if (log.n_users, log.n_items) != (channel.n_users, channel.n_items):
        shape = (log.n_users, log.n_items)
        allowed = f"a log of the channel's {channel.n_users} users and {channel.n_items} items"
        raise ConfigError(field, f"logged over {shape}", allowed)
    return log


class SlateLearner(Learner[P]):
    """Base of the family: one model per agent, slates through ``slate_choice``."""

    learner_id = "recsys"
    warm_starts: ClassVar[bool] = False
    """Declares that ``fit_logged`` is implemented (``warm_start: logged`` is accepted)."""

    def __init__(self, params: P, context: LearnerContext, rng: np.random.Generator) -> None:
        super().__init__(params, context, rng)
        self.channel = require_channel(context, self.learner_id)
        self.k = self.channel.slate_size
        self.n_items = self.channel.n_items
        self.n_users = self.channel.n_users
        self.user_serial = np.full((context.n_agents, self.n_users), -1, dtype=np.int64)
        self.item_serial = self.channel.item_serial().copy()
        self.credit = np.zeros((context.n_agents, self.n_items))
        """``float64[m, I]``: each agent's learned per-slot credit of the mechanism's shaping."""
        self.pending_log: LoggedInteractions | None = None
        """Logged interactions to fit before the first slate (``warm_start: logged``)."""
        if params.warm_start == "logged":
            if not self.warm_starts:
                raise ConfigError(
                    "learner.params.warm_start",
                    "logged",
                    "none (this learner declares no warm start)",
                )
            self.pending_log = require_log(context, self.learner_id, self.channel)

    def local(self, agents: IntArray) -> IntArray:
        """Group-local index of global agent ids."""
        return np.searchsorted(self.context.agents, agents).astype(np.int64)

    @abstractmethod
    def scores(self, agent: IntArray, users: IntArray) -> FloatArray:
        """``float64[S, I]``: the item scores of local agents ``agent[S]`` for ``users[S]``."""

    @abstractmethod
    def learn(self, agent: IntArray, feedback: SlateFeedback) -> dict[str, float]:
        """Learn from the last step's slates and clicks (``agent``: local indices)."""

    @abstractmethod
    def forget_users(self, agent: IntArray, users: IntArray) -> None:
        """Reset the model of users ``users`` for local agents ``agent`` (new users)."""

    def forget_items(self, items: IntArray) -> None:
        """Reset the model of replaced items (default: nothing to reset)."""

    def fit_logged(self, log: LoggedInteractions) -> None:
        """Fit every agent's model to the logged interactions (``warm_start: logged``).

        Learners that declare ``warm_starts`` override it; the others refuse the option.
        """

    def warm_start(self) -> None:
        """Fit the pending log (once; the first ``act`` calls it); its slots become ``WARM``."""
        if self.pending_log is None:
            return
        log, self.pending_log = self.pending_log, None
        self.fit_logged(log)
        self.user_serial[:, np.unique(log.users)] = WARM
        self.item_serial[:] = WARM

    def _sync(self, request: SlateRequest, agent: IntArray) -> None:
        serial = self.channel.item_serial()
        changed = serial != self.item_serial
        if changed.any():
            reset = np.flatnonzero(changed & (self.item_serial != WARM))
            if reset.shape[0]:
                self.forget_items(reset)
                self.credit[:, reset] = 0.0
            self.item_serial = serial.copy()
        known = self.user_serial[agent, request.users]
        stale = known != request.serial
        if stale.any():
            reset = stale & (known != WARM)  # a warm-started slot adopts its first user
            if reset.any():
                self.forget_users(agent[reset], request.users[reset])
            self.user_serial[agent[stale], request.users[stale]] = request.serial[stale]

    def perturbation(self, rows: int) -> tuple[FloatArray, BoolArray, FloatArray]:
        """``(noise[S, I], explore[S], uniform[S, I])`` of one chunk of ``rows`` users.

        ``τ·Gumbel`` noise (zeros if ``τ = 0``), the users who get a random slate, and
        their random scores.
        """
        p = self.params
        shape = (rows, self.n_items)
        noise = (
            p.temperature * self.rng.gumbel(size=shape) if p.temperature > 0 else np.zeros(shape)
        )
        explore = np.asarray(self.rng.random(rows) < p.epsilon)
        return noise, explore, self.rng.random((int(explore.sum()), self.n_items))

    def chunk_slates(self, agent: IntArray, users: IntArray) -> IntArray:
        """``int64[S, k]``: top-``k`` of the perturbed scores (module docstring).

        The all-zero shaping and noise terms are not added (adding ``+0.0`` only turns
        ``-0.0`` into ``+0.0``, which compare equal: the slates are those of
        :meth:`reference_chunk_slates`).
        """
        noise, explore, uniform = self.perturbation(users.shape[0])
        score = self.scores(agent, users)
        if self.credit.any():
            score = score + self.shaping_scores(agent)
        if self.params.temperature > 0:
            score = score + noise
        score[explore] = uniform
        return top_k(score, self.k)

    def reference_chunk_slates(self, agent: IntArray, users: IntArray) -> IntArray:
        """The plain NumPy :meth:`chunk_slates` (kept to pin the fast path's results)."""
        noise, explore, uniform = self.perturbation(users.shape[0])
        score = self.scores(agent, users) + self.shaping_scores(agent) + noise
        score[explore] = uniform
        return top_k_reference(score, self.k)

    def shaping_scores(self, agent: IntArray) -> FloatArray:
        """``float64[S, I]``: ``w·c`` of local agents ``agent[S]`` (zeros without shaping)."""
        return np.asarray(self.params.shaping * self.credit[agent], dtype=np.float64)

    def learn_shaping(self, transition: Transition, feedback: SlateFeedback) -> dict[str, float]:
        """One normalised-LMS step of every agent's item credit (module docstring)."""
        if transition.population_rewards is None or self.params.shaping_rate == 0.0:
            return {}
        base = np.asarray(transition.population_rewards, dtype=np.float64)[self.context.agents]
        shaping = (np.asarray(transition.rewards, dtype=np.float64) - base) * self.n_users
        if not shaping.any() and not self.credit.any():
            return {}  # no mechanism: the credit stays exactly 0
        agent = self.local(feedback.agents)
        for a in range(self.n_agents):
            shown = feedback.slates[agent == a].ravel()
            counts = np.bincount(shown, minlength=self.n_items).astype(np.float64)
            self.credit[a] = credit_step(
                self.credit[a], counts, float(shaping[a]), self.params.shaping_rate
            )
        return {"shaping_per_user_slot": float(shaping.mean() / self.n_users)}

    def slates(self, agent: IntArray, users: IntArray) -> IntArray:
        """``int64[S, k]``: the slates of ``users``, in chunks of ``CHUNK`` users."""
        out = np.empty((users.shape[0], self.k), dtype=np.int64)
        for start in range(0, users.shape[0], CHUNK):
            rows = slice(start, start + CHUNK)
            out[rows] = self.chunk_slates(agent[rows], users[rows])
        return out

    def act(self, obs: Obs) -> Actions:
        """Submit a slate for every user the group serves; play ``submitted``."""
        agents = self.context.agents
        request = self.channel.requests(agents)
        agent = self.local(request.agents)
        self.warm_start()
        self._sync(request, agent)
        self.channel.submit(agents, self.slates(agent, request.users))
        return np.full(self.n_agents, self.channel.submitted, dtype=np.int64)

    def update(self, transition: Transition) -> dict[str, float]:
        """Learn from the last step's clicks and the item credit of the mechanism's shaping."""
        feedback = self.channel.feedback(self.context.agents)
        stats = self.learn(self.local(feedback.agents), feedback)
        stats.update(self.learn_shaping(transition, feedback))
        served = feedback.clicked.shape[0]
        stats["ctr"] = float((feedback.clicked >= 0).mean()) if served else 0.0
        return stats
