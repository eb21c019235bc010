"""Human-readable item labels of the ``recommender`` game, for language models in the loop.

A language model reads items as text: the LLM recommender (``learners.recsys.llm_ranker``,
through ``SlateChoice.item_labels``) and the LLM user simulator (:mod:`.llm_users`).

``data: movielens100k``
    ``"Toy Story (1995) [Animation, Children's, Comedy]"`` — the title and release year of
    ``ml-100k.item`` (shipped in the ``recbole`` wheel, read in place) and the movie's genres.
    The game's item ``j`` is the catalogue's ``j``-th movie (movies by decreasing number of
    ratings, ``data.calibrate``; the same order as ``movielens.fit_users``). Titles are used
    only while items are never replaced (``item_arrival: 0``, the default): a replaced item
    is a random catalogue movie whose identity the game does not keep, so with
    ``item_arrival > 0`` every item is labelled by its genres alone (``"a movie (Comedy,
    Drama)"``).
``data: synthetic``
    ``"item 17 (topic 3)"`` — the item's topics (weights ≥ half the largest) as names.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Protocol

import numpy as np

from incentive_lab.core.types import FloatArray
from incentive_lab.games.recommender.data import Catalogue, _read, recbole_ml100k
from incentive_lab.games.recommender.movielens import read_interactions
from incentive_lab.games.recommender.slates import Items

TITLE_COLUMNS = ("item_id:token", "movie_title:token_seq", "release_year:token")


@lru_cache(maxsize=1)
def movielens_titles() -> tuple[str, ...]:
    """``"Title (year)"`` of every MovieLens-100k movie in the catalogue's order.

    The order is by decreasing number of ratings, ties in file order (``data.calibrate``).
    """
    folder = recbole_ml100k()
    items = _read(folder, "ml-100k.item", TITLE_COLUMNS)
    inter = read_interactions(folder)
    count = np.bincount(inter.items, minlength=inter.n_items)
    order = np.argsort(-count, kind="stable")
    titles = [
        f"{title.strip()} ({year.strip()})" if year.strip() else title.strip()
        for title, year in zip(
            items["movie_title:token_seq"], items["release_year:token"], strict=True
        )
    ]
    return tuple(titles[k] for k in order)


def topic_names(features: FloatArray, names: tuple[str, ...]) -> list[str]:
    """The names of each item's main topics (weights at least half the row's largest)."""
    top = features.max(axis=1, keepdims=True)
    main = (features > 0) & (features >= 0.5 * top)
    return [", ".join(names[k] for k in np.flatnonzero(row)) for row in main]


def item_labels(
    features: FloatArray, topics: tuple[str, ...], titles: tuple[str, ...] | None
) -> tuple[str, ...]:
    """One label per item row of ``features[I, d]`` (module docstring).

    ``topics``: the ``d`` topic names; ``titles``: the items' titles (``None``: none known).
    """
    genres = topic_names(features, topics)
    if titles is not None:
        return tuple(f"{t} [{g}]" for t, g in zip(titles, genres, strict=True))
    if topics and not topics[0].startswith("topic "):  # genres of a dataset, no title known
        return tuple(f"a movie ({g})" for g in genres)
    return tuple(f"item {j} ({g})" for j, g in enumerate(genres))


def game_topics(n_topics: int, catalogue_topics: tuple[str, ...] | None) -> tuple[str, ...]:
    """Topic names: the dataset's genres, else ``topic 0 … topic d−1``."""
    if catalogue_topics is not None:
        return catalogue_topics
    return tuple(f"topic {k}" for k in range(n_topics))


class CatalogueParams(Protocol):
    """The game parameters :func:`labels_for` reads (``.params.RecommenderParams``)."""

    @property
    def n_items(self) -> int:
        """Items in the catalogue."""
        ...

    @property
    def item_arrival(self) -> float:
        """Probability per round that an item is replaced."""
        ...


class LabelledGame(Protocol):
    """What :func:`labels_for` reads of the game (``.game.RecommenderGame``)."""

    @property
    def params(self) -> CatalogueParams:
        """The game's parameters."""
        ...

    catalogue: Catalogue | None
    items: Items
    n_topics: int


def labels_for(game: LabelledGame) -> tuple[str, ...]:
    """The labels of the game's current items (module docstring)."""
    p, catalogue = game.params, game.catalogue
    titles = None
    if catalogue is not None and p.item_arrival == 0.0:
        titles = movielens_titles()[: p.n_items]
    names = game_topics(game.n_topics, None if catalogue is None else catalogue.topics)
    return item_labels(game.items.features, names, titles)
