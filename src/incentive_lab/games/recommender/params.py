"""Parameters of the ``recommender`` game (documented defaults; see ``games.recommender.game``).

The defaults reproduce SPEC §1.7's calibration: ``d = 20`` topics, ``θ ~ U[−1, 1]^d``,
``β = 4``, no-click logit ``c0 = 4``, slates of 5, position bias ``b = −0.05`` per rank:
random-slate CTR ≈ 0.31, oracle ≈ 0.75 (``games.recommender.choice``).
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from pydantic import Field, SerializerFunctionWrapHandler, model_serializer, model_validator

from incentive_lab.core.errors import ConfigError
from incentive_lab.core.params import Params, field_error
from incentive_lab.games.recommender.llm_users import UserModel

DEFAULT_TOPICS = 20
LATER_DEFAULTS: dict[str, Any] = {
    "agents_choose": "strategies",
    "preferences": "genres",
    "switching_cost": 0.0,
    "satiation": 0.0,
    "satiation_recovery": 0.8,
    "user_model": "logit",
}
"""Fields added after v0 and their defaults: the stored (hashed) params omit them while at
the default, so configs written before keep their run ids (the golden traces)."""


class RecommenderParams(Params):
    """Parameters of the ``recommender`` game."""

    n_users: int = Field(1000, ge=1, le=10_000_000)
    """User slots (active users plus empty slots awaiting arrivals)."""
    n_items: int = Field(200, ge=2, le=1_000_000)
    """Items in the catalogue (at least ``slate_size``)."""
    n_agents: int = Field(4, ge=1, le=1000)
    """Competing recommender agents (each one action per round: a slate strategy)."""
    slate_size: int = Field(5, ge=1, le=100)
    """Items per slate (``k``); at most ``n_items``."""
    n_topics: int | None = Field(None, ge=1, le=1000)
    """Interest dimension ``d`` (``None``: 20, or the data's genres with ``movielens100k``)."""
    n_providers: int = Field(10, ge=1, le=100_000)
    """Content providers; each item belongs to one, drawn uniformly."""
    quality_noise: float = Field(0.15, ge=0.0, le=10.0)
    """Spread ``σ_q`` of item quality around its provider's level ``μ_p ~ U[0, 1]``."""
    data: Literal["synthetic", "movielens100k"] = "synthetic"
    """``synthetic`` or ``movielens100k`` (needs ``pip install --no-deps recbole==1.2.1``)."""
    item_features: list[list[float]] | None = None
    """Explicit topic weights ``[n_items][n_topics]`` (non-negative, a positive per row)."""
    affinity: Literal["dot", "distance"] = "dot"
    """``dot``: ``θ·f/‖f‖₁``; ``distance``: ``1 − ‖θ − p‖/√d`` (``games.recommender.choice``).

    The §1.7 calibration holds for ``dot``; ``distance`` affinities are lower (one-hot items sit
    at corners of the cube), so its CTRs are lower unless ``beta`` or ``no_click`` change."""
    beta: float = Field(4.0, ge=0.0, le=100.0)
    """Inverse temperature ``β`` of the logit choice on affinity."""
    no_click: float = Field(4.0, ge=-50.0, le=50.0)
    """No-click logit ``c0`` (weight ``exp(c0)``)."""
    position_bias: float = Field(-0.05, ge=-10.0, le=0.0)
    """Logit change ``b`` per rank down the slate (≤ 0)."""
    drift: float = Field(0.05, ge=0.0, le=1.0)
    """Interest drift ``η`` toward a clicked item's topics."""
    session_budget: float = Field(10.0, gt=0.0)
    """Rounds of time a new session starts with."""
    session_refund: float = Field(0.8, ge=0.0, le=10.0)
    """Time given back per click, times the item's quality."""
    patience: float = Field(5.0, gt=0.0)
    """Initial and largest latent satisfaction; the user churns when it reaches 0."""
    boredom: float = Field(0.4, ge=0.0, le=10.0)
    """Satisfaction lost per round (a click of quality ``q`` gives back ``q``)."""
    competition: Literal["hardmax", "epsilon", "softmax", "logit_switching"] = "softmax"
    """How users choose among agents by reputation (``logit_switching``: soft-max with a
    switching cost, ``games.recommender.users``)."""
    temperature: float = Field(0.1, gt=0.0, le=100.0)
    """Soft-max temperature ``τ`` of the competition layer (> 0)."""
    epsilon: float = Field(0.1, ge=0.0, le=1.0)
    """Exploration probability of the ``epsilon`` competition rule."""
    switching_cost: float = Field(0.0, ge=0.0, le=100.0)
    """Switching cost ``c`` of ``logit_switching``: the utility bonus of the agent a user
    used last (in reputation units, i.e. click rates); needs ``competition:
    logit_switching`` when positive."""
    reputation_rate: float = Field(0.1, gt=0.0, le=1.0)
    """Learning rate ``ρ`` of users' reputations of agents."""
    user_arrival: float = Field(0.05, ge=0.0, le=1.0)
    """Probability per round that an empty user slot gets a new (cold-start) user."""
    item_arrival: float = Field(0.0, ge=0.0, le=1.0)
    """Probability per round that an item is replaced by a new (cold-start) item."""
    cold_start_rounds: int = Field(10, ge=1)
    """Users younger than this many rounds count as cold-start users."""
    popularity_decay: float = Field(0.9, ge=0.0, lt=1.0)
    """Per-round decay of the click counts behind the ``popular`` strategy."""

    agents_choose: Literal["strategies", "items"] = "strategies"
    """``strategies``: an action is a slate strategy (v0). ``items``: agents may also play
    ``submitted`` (action 6) and show the item slates they submitted for their users through
    the game's ``slate_choice`` channel (``core.slate_choice``; learned recommenders)."""

    preferences: Literal["genres", "fitted"] = "genres"
    """With ``movielens100k``: ``genres`` — interests over genres from all ratings (v0);
    ``fitted`` — user ``u`` is MovieLens user ``u`` with implicit-ALS factors fitted on
    RecBole's time-ordered training split only, items carry the fitted item factors
    (``games.recommender.movielens``; needs ``affinity: dot``, ``drift: 0``,
    ``item_arrival: 0``; a churned user's slot is refilled by the same user)."""

    satiation: float = Field(0.0, ge=0.0, le=100.0)
    """Satiation strength ``ς``: interests drop by ``ς`` per recent consumption of a topic
    (``games.recommender.satiation``; 0: no satiation, v0; not with ``preferences:
    fitted``, whose interests are latent factors rather than topics)."""
    satiation_recovery: float = Field(0.8, ge=0.0, lt=1.0)
    """Satiation retention ``λ`` per round (``σ ← λ(σ + consumed)``); smaller recovers faster."""

    user_model: UserModel = "logit"
    """``logit``: every user clicks by the logit choice. ``{kind: llm, backend: {...}, panel: 4,
    ...}``: the users of slots ``0 … panel−1`` decide by a language model from a persona and
    their history (``games.recommender.llm_users``), the others by the logit choice."""

    @property
    def extended(self) -> bool:
        """Whether an option added after v0 is in use (the game then adds later metrics).

        The later metrics: novelty, user satisfaction, per-agent market share.
        """
        later = any(getattr(self, name) != value for name, value in LATER_DEFAULTS.items())
        return later or self.competition == "logit_switching"

    @model_serializer(mode="wrap")
    def _omit_later_defaults(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        out: dict[str, Any] = handler(self)
        for name, default in LATER_DEFAULTS.items():
            if name in out and out[name] == default:
                del out[name]
        return out

    @model_validator(mode="after")
    def _consistent(self) -> RecommenderParams:
        if self.slate_size > self.n_items:
            allowed = f"at most n_items={self.n_items} (a slate cannot exceed the catalogue)"
            raise field_error("recommender", "slate_size", self.slate_size, allowed)
        if self.preferences == "fitted":
            needs = {"data": "movielens100k", "affinity": "dot", "drift": 0.0, "item_arrival": 0.0}
            needs["satiation"] = 0.0  # fitted interests are latent factors, not topics
            for name, value in needs.items():
                if getattr(self, name) != value:
                    allowed = f"{value!r} with preferences: fitted"
                    raise field_error("recommender", name, getattr(self, name), allowed)
        if self.switching_cost > 0 and self.competition != "logit_switching":
            allowed = "0 unless competition: logit_switching"
            raise field_error("recommender", "switching_cost", self.switching_cost, allowed)
        if self.item_features is not None:
            if self.data != "synthetic":
                raise field_error("recommender", "item_features", "<given>", "data: synthetic only")
            check_features(self.item_features, self.n_items, self.topics)
        return self

    @property
    def topics(self) -> int:
        """``d`` for synthetic data."""
        return DEFAULT_TOPICS if self.n_topics is None else self.n_topics


def check_features(raw: object, n_items: int, n_topics: int) -> None:
    """Raise a validation error unless ``raw`` is a non-negative ``[n_items, n_topics]`` matrix."""
    name = "item_features"
    try:
        features = np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError):
        raise field_error(
            "recommender", name, "<ragged>", f"a matrix [{n_items}][{n_topics}]"
        ) from None
    if features.shape != (n_items, n_topics):
        allowed = f"shape ({n_items}, {n_topics}) = (n_items, n_topics)"
        raise field_error("recommender", name, f"shape {features.shape}", allowed)
    if not np.all(np.isfinite(features)) or (features < 0).any():
        raise field_error("recommender", name, "negative or non-finite", "finite weights ≥ 0")
    if (features.sum(axis=1) <= 0).any():
        raise field_error("recommender", name, "an all-zero row", "a positive weight per item")


def check_catalogue(p: RecommenderParams, n_genres: int, n_movies: int) -> None:
    """``ConfigError`` unless ``n_topics`` and ``n_items`` fit the MovieLens catalogue."""
    if p.n_topics is not None and p.n_topics != n_genres:
        allowed = f"None or {n_genres} (the genres of movielens100k)"
        raise ConfigError("game.params.n_topics", p.n_topics, allowed)
    if p.n_items > n_movies:
        raise ConfigError(
            "game.params.n_items", p.n_items, f"at most {n_movies} items with movielens100k"
        )
