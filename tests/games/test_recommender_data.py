"""MovieLens-100k calibration: the loader on small synthetic files, the real data if installed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from incentive_lab.core import ConfigError, make_game, make_rng
from incentive_lab.games.recommender import data as recommender_data
from incentive_lab.games.recommender.data import load_movielens100k

INTER = "user_id:token\titem_id:token\trating:float\ttimestamp:float\n"
ITEM = "item_id:token\tmovie_title:token_seq\trelease_year:token\tclass:token_seq\n"


def write(folder: Path, inter: str, item: str) -> Path:
    (folder / "ml-100k.inter").write_text(inter)
    (folder / "ml-100k.item").write_text(item)
    return folder


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    items = ITEM + "1\tA\t1995\tAction Comedy\n2\tB\t1996\tDrama\n3\tC\t1997\t\n"
    ratings = [(7, 1, 5), (7, 2, 1), (8, 1, 3), (8, 3, 4), (8, 1, 4)]
    inter = INTER + "".join(f"{u}\t{i}\t{r}\t0\n" for u, i, r in ratings)
    return write(tmp_path, inter, items)


def test_calibration_hand_values(tiny: Path) -> None:
    cat = load_movielens100k(tiny)
    assert cat.topics == ("Action", "Comedy", "Drama", "unknown")
    # items ordered by rating count: item 1 (3 ratings), then 2 and 3 (1 each, stable order)
    np.testing.assert_array_equal(cat.features, [[1, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]])
    mean = 17 / 5
    q1 = ((12 + 5 * mean) / 8 - 1) / 4
    assert cat.quality[0] == pytest.approx(q1)
    assert cat.quality[1] == pytest.approx(((1 + 5 * mean) / 6 - 1) / 4)
    # user 7: Action/Comedy rated 5 -> +1, Drama rated 1 -> -1, unknown unrated -> 0
    np.testing.assert_allclose(cat.interests[0], [1.0, 1.0, -1.0, 0.0])
    # user 8: Action/Comedy mean 3.5 -> 0.25, unknown 4 -> 0.5
    np.testing.assert_allclose(cat.interests[1], [0.25, 0.25, 0.0, 0.5])


@pytest.mark.parametrize(
    ("inter", "item", "match"),
    [
        ("", ITEM + "1\tA\t1995\tDrama\n", "empty file"),
        ("user\titem\n1\t1\n", ITEM + "1\tA\t1995\tDrama\n", "columns"),
        (INTER, ITEM + "1\tA\t1995\tDrama\n", "no data rows"),
        (INTER + "1\t1\t5\n", ITEM + "1\tA\t1995\tDrama\n", "ragged"),
        (INTER + "1\t1\tfive\t0\n", ITEM + "1\tA\t1995\tDrama\n", "numeric"),
        (INTER + "1\t9\t5\t0\n", ITEM + "1\tA\t1995\tDrama\n", "listed items"),
    ],
)
def test_malformed_files_are_config_errors(
    tmp_path: Path, inter: str, item: str, match: str
) -> None:
    with pytest.raises(ConfigError, match=match):
        load_movielens100k(write(tmp_path, inter, item))


def test_missing_files_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="recbole"):
        load_movielens100k(tmp_path)


def test_missing_recbole_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    def absent(name: str) -> None:
        raise ModuleNotFoundError(name)

    monkeypatch.setattr(recommender_data.resources, "files", absent)
    with pytest.raises(ConfigError, match=r"pip install --no-deps recbole==1\.2\.1"):
        make_game("recommender", {"data": "movielens100k"})


def test_real_movielens100k() -> None:
    pytest.importorskip("recbole", reason="recbole (MovieLens-100k) is not installed")
    cat = load_movielens100k()
    assert cat.interests.shape == (943, 19) and cat.features.shape == (1682, 19)
    assert np.all(cat.features.sum(axis=1) >= 1) and np.all((cat.quality >= 0) & (cat.quality <= 1))
    game = make_game("recommender", {"data": "movielens100k", "n_users": 300, "n_items": 400})
    assert game.n_topics == 19
    game.reset(make_rng(0))
    ctr = {s: game.step(np.full(4, s)).info["metrics"]["ctr"] for s in (0, 2)}
    assert ctr[2] > ctr[0]
    with pytest.raises(ConfigError, match="n_topics"):
        make_game("recommender", {"data": "movielens100k", "n_topics": 20})
    with pytest.raises(ConfigError, match="n_items"):
        make_game("recommender", {"data": "movielens100k", "n_items": 5000})
