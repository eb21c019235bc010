"""Slate strategies of the ``recommender`` game: a strategy index → a slate for each user.

A recommender agent's action is one of ``core.recommendation.SLATE_STRATEGIES``; the game
builds the personalised slates (``int64[S, k]``, rank 0 first) of the users the agent
serves with the functions below. Everything random about a round (the random slates, the
tie-breaks of ``fresh``) is drawn once per round in :class:`Round`, so a counterfactual
joint action replays the same round (common random numbers).

``random``  Floyd's sampling without replacement, vectorised over users, then a random
            order. ``popular``: top-``k`` recency-weighted click counts (ties: quality).
``oracle``  top-``k`` true affinity (ties: quality), computed in chunks of users so that
            ``10⁴ × 10³`` affinities never sit in memory at once; with one-hot items (the
            synthetic default) exactly from ``k²`` candidates (:func:`oracle_slates_one_hot`).
            :func:`fast_oracle_slates` / :func:`fast_oracle_slates_one_hot` give the same
            slates by a Numba one-pass top-``k`` (``games.recommender._oracle``), deferring
            the rare rows with ties to the NumPy reference.
``diverse`` the best-quality item of each of the user's ``k`` favourite non-empty topics
            (deeper items of the same topics if there are fewer than ``k`` topics).
``fresh``   the ``k`` newest items (ties at random). ``similar``: the best-quality items of
            the topic the user last clicked (a random topic if none yet).
``submitted`` (action 6, with ``agents_choose: items``) the slates the agent submitted for
            its users through ``slate_choice`` (``games.recommender.channel``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from incentive_lab.core.errors import ConfigError
from incentive_lab.core.top_k import top_k, top_k_reference
from incentive_lab.core.types import BoolArray, FloatArray, IntArray
from incentive_lab.games.recommender._oracle import top_k_one_hot
from incentive_lab.games.recommender.choice import Affinity, affinity_matrix, item_vectors

CHUNK = 2048
TIE = 1e-6


@dataclass(frozen=True)
class Items:
    """The catalogue, replaced (never mutated) when items arrive.

    ``features[I, d]`` (raw), ``vectors`` (choice model), ``unit`` (``f̂``, for drift),
    ``cosine`` (unit L2 norm, for diversity), ``topic[I]`` (argmax feature),
    ``quality[I]``, ``provider[I]``.
    """

    features: FloatArray
    vectors: FloatArray
    unit: FloatArray
    cosine: FloatArray
    topic: IntArray
    quality: FloatArray
    provider: IntArray


@dataclass(frozen=True)
class Round:
    """Everything a round's slates depend on (the context of counterfactual queries)."""

    users: IntArray
    agent_of: IntArray
    theta: FloatArray
    last_topic: IntArray
    random: IntArray
    popular: IntArray
    fresh: IntArray
    by_topic: IntArray
    topic_ok: BoolArray
    one_hot: bool
    choice_uniforms: FloatArray
    items: Items
    submitted: IntArray | None = None
    """``int64[S, k]`` slates submitted through ``slate_choice`` (``−1``: none yet)."""


def random_slates(n_items: int, k: int, draws: FloatArray, order: FloatArray) -> IntArray:
    """``int64[S, k]`` uniform ``k``-subsets (Floyd) in random order; ``draws, order: [S, k]``."""
    chosen = np.empty(draws.shape, dtype=np.int64)
    for c, j in enumerate(range(n_items - k, n_items)):
        t = np.minimum((draws[:, c] * (j + 1)).astype(np.int64), j)
        taken = (chosen[:, :c] == t[:, None]).any(axis=1)
        chosen[:, c] = np.where(taken, j, t)
    return np.take_along_axis(chosen, np.argsort(order, axis=1), axis=1)


def top_items(score: FloatArray, k: int) -> IntArray:
    """``int64[k]``: the indices of the ``k`` largest scores, largest first."""
    part = np.argpartition(-score, k - 1)[:k]
    return part[np.argsort(-score[part], kind="stable")].astype(np.int64)


def topic_table(topic: IntArray, quality: FloatArray, n_topics: int, k: int) -> IntArray:
    """``int64[d, k]``: per topic its ``k`` best-quality items (then the best others)."""
    member = topic[None, :] == np.arange(n_topics)[:, None]
    return top_k_reference(member * 2.0 + quality[None, :], k)


def oracle_slates(
    theta: FloatArray, items: Items, k: int, kind: Affinity, chunk: int = CHUNK
) -> IntArray:
    """``int64[S, k]``: each user's top-``k`` affinity items, best first (ties: quality)."""
    out = np.empty((theta.shape[0], k), dtype=np.int64)
    bonus = TIE * items.quality[None, :]
    for start in range(0, theta.shape[0], chunk):
        score = affinity_matrix(theta[start : start + chunk], items.vectors, kind) + bonus
        out[start : start + chunk] = top_k_reference(score, k)
    return out


def fast_oracle_slates(
    theta: FloatArray, items: Items, k: int, kind: Affinity, chunk: int = CHUNK
) -> IntArray:
    """:func:`oracle_slates`, bit for bit, by a Numba top-``k`` per chunk of users."""
    out = np.empty((theta.shape[0], k), dtype=np.int64)
    bonus = TIE * items.quality[None, :]
    for start in range(0, theta.shape[0], chunk):
        score = affinity_matrix(theta[start : start + chunk], items.vectors, kind) + bonus
        out[start : start + chunk] = top_k(score, k)
    return out


def fast_oracle_slates_one_hot(
    theta: FloatArray, items: Items, by_topic: IntArray, topic_ok: BoolArray, kind: Affinity
) -> IntArray:
    """:func:`oracle_slates_one_hot`, bit for bit, by a Numba pass over the ``k²`` candidates."""
    aff = topic_affinity(theta, topic_ok.shape[0], kind)
    out, unique = top_k_one_hot(aff, topic_ok, by_topic, items.topic, items.quality, TIE)
    if not unique.all():
        tied = np.flatnonzero(~unique)
        out[tied] = oracle_slates_one_hot(theta[tied], items, by_topic, topic_ok, kind, aff[tied])
    return out


def topic_affinity(theta: FloatArray, d: int, kind: Affinity) -> FloatArray:
    """``float64[S, d]``: affinity for a pure item of each topic (``dot``: ``θ`` itself)."""
    if kind == "dot":  # θ·e_t = θ_t exactly (the matrix product θ I adds only zeros)
        return np.ascontiguousarray(theta, dtype=np.float64)
    return np.ascontiguousarray(affinity_matrix(theta, item_vectors(np.eye(d), kind), kind))


def oracle_slates_one_hot(
    theta: FloatArray,
    items: Items,
    by_topic: IntArray,
    topic_ok: BoolArray,
    kind: Affinity,
    topic_aff: FloatArray | None = None,
) -> IntArray:
    """:func:`oracle_slates` for one-hot items, from ``k²`` candidates.

    Affinity depends on the topic only, so the top ``k`` items lie among the ``k``
    best-quality items of the user's ``k`` best non-empty topics (needs ``k`` such topics).
    ``topic_aff``: the users' affinity for each topic, if already computed.
    """
    k = by_topic.shape[1]
    d = topic_ok.shape[0]
    if topic_aff is None:
        topic_aff = affinity_matrix(theta, item_vectors(np.eye(d), kind), kind)
    topic_aff = np.where(topic_ok[None, :], topic_aff, -np.inf)
    best = np.argpartition(-topic_aff, k - 1, axis=1)[:, :k]  # [S, k] topics
    cand = by_topic[best].reshape(theta.shape[0], k * k)
    valid = items.topic[cand] == np.repeat(best, k, axis=1)
    rows = np.arange(theta.shape[0])[:, None]
    score = np.where(valid, topic_aff[rows, items.topic[cand]] + TIE * items.quality[cand], -np.inf)
    part = np.argpartition(-score, k - 1, axis=1)[:, :k]
    ranked = np.argsort(-np.take_along_axis(score, part, 1), axis=1, kind="stable")
    return np.take_along_axis(cand, np.take_along_axis(part, ranked, 1), 1).astype(np.int64)


def diverse_slates(theta: FloatArray, by_topic: IntArray, topic_ok: BoolArray, k: int) -> IntArray:
    """``int64[S, k]``: the best item of each of the user's favourite non-empty topics."""
    n_ok = max(int(topic_ok.sum()), 1)
    masked = np.where(topic_ok[None, :], theta, -np.inf)
    favourite = np.argsort(-masked, axis=1, kind="stable")[:, :n_ok]
    ranks = np.arange(k)
    topics = favourite[:, ranks % n_ok]
    depth = np.minimum(ranks // n_ok, by_topic.shape[1] - 1)
    return by_topic[topics, depth[None, :]].astype(np.int64)


def similar_slates(last_topic: IntArray, by_topic: IntArray) -> IntArray:
    """``int64[S, k]``: the best-quality items of each user's last clicked topic."""
    return by_topic[last_topic].astype(np.int64)


def build_slates(rnd: Round, strategies: IntArray, k: int, kind: Affinity) -> IntArray:
    """``int64[S, k]``: every served user's slate given its agent's strategy ``[S]``."""
    slates = np.empty((rnd.users.shape[0], k), dtype=np.int64)
    for s in np.unique(strategies):
        rows = np.flatnonzero(strategies == s)
        if s == 0:
            slates[rows] = rnd.random[rows]
        elif s == 1:
            slates[rows] = rnd.popular[None, :]
        elif s == 2:
            if rnd.one_hot:
                slates[rows] = fast_oracle_slates_one_hot(
                    rnd.theta[rows], rnd.items, rnd.by_topic, rnd.topic_ok, kind
                )
            else:
                slates[rows] = fast_oracle_slates(rnd.theta[rows], rnd.items, k, kind)
        elif s == 3:
            slates[rows] = diverse_slates(rnd.theta[rows], rnd.by_topic, rnd.topic_ok, k)
        elif s == 4:
            slates[rows] = rnd.fresh[None, :]
        elif s == 5:
            slates[rows] = similar_slates(rnd.last_topic[rows], rnd.by_topic)
        else:
            if rnd.submitted is None or (rnd.submitted[rows] < 0).any():
                lacking = rnd.users.shape[0] if rnd.submitted is None else rnd.submitted[rows] < 0
                raise ConfigError(
                    "actions",
                    f"'submitted' with {int(np.sum(lacking))} slate slots not submitted",
                    "submit a slate for every requested user (slate_choice.submit) first",
                )
            slates[rows] = rnd.submitted[rows]
    return slates
