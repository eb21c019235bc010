"""MovieLens-100k from data: RecBole's split sizes, the time-ordered split and the offline
metrics by hand, fitted preferences on the real data (recbole installed)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from incentive_lab.core import ConfigError, make_game
from incentive_lab.games.recommender.movielens import (
    Split,
    ranking_metrics,
    read_interactions,
    recbole_split,
    split_counts,
)

INTER = "user_id:token\titem_id:token\trating:float\ttimestamp:float\n"
ITEM = "item_id:token\tmovie_title:token_seq\trelease_year:token\tclass:token_seq\n"


@pytest.mark.parametrize(
    ("total", "counts"),
    [(10, [8, 1, 1]), (20, [16, 2, 2]), (5, [3, 1, 1]), (2, [1, 0, 1]), (3, [1, 1, 1]),
     (1, [1, 0, 0]), (24, [20, 2, 2])],
)  # fmt: skip
def test_split_counts_follow_recbole(total, counts):
    # c_j = ⌊0.1 n⌋, c_0 = rest; a part with 0 < 0.1 n < 1 takes one from train while train > 1
    assert split_counts(total) == counts


def test_time_ordered_split_by_hand(tmp_path: Path):
    items = ITEM + "".join(f"{i}\tm{i}\t1990\tDrama\n" for i in range(1, 11))
    # user 7: 10 ratings with shuffled timestamps (item k rated at time 100 - k); user 8: 3
    rows = [(7, k, 100 - k) for k in range(1, 11)] + [(8, 1, 5), (8, 2, 5), (8, 3, 1)]
    inter = INTER + "".join(f"{u}\t{i}\t4\t{t}\n" for u, i, t in rows)
    (tmp_path / "ml-100k.inter").write_text(inter)
    (tmp_path / "ml-100k.item").write_text(items)
    split = recbole_split(read_interactions(tmp_path))

    def of(part, user):
        return sorted(part[1][part[0] == user].tolist())

    # user 7 (index 0) in time order: items 10, 9, …, 1 → train 10..3, valid 2, test 1
    assert of(split.train, 0) == [2, 3, 4, 5, 6, 7, 8, 9]  # item k is index k − 1
    assert of(split.valid, 0) == [1] and of(split.test, 0) == [0]
    # user 8: item 3 first (t=1), then items 1, 2 tied at t=5 in file order → 1 / 1 / 1
    assert of(split.train, 1) == [2] and of(split.valid, 1) == [0] and of(split.test, 1) == [1]


def test_ndcg_and_hit_ratio_by_hand():
    # 2 users × 6 items; k = 3
    scores = np.array([[0.9, 0.8, 0.7, 0.6, 0.5, 0.4], [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]])
    split = Split(
        train=(np.array([0]), np.array([0])),  # user 0's item 0 is masked
        valid=(np.array([1]), np.array([5])),  # user 1's item 5 is masked
        test=(np.array([0, 0, 1]), np.array([2, 5, 0])),
        n_users=2,
        n_items=6,
    )
    out = ranking_metrics(scores, split, k=3)
    # user 0 ranks 1, 2, 3 → test item 2 at rank 2: DCG = 1/log2(3); |T| = 2: IDCG = 1 + 1/log2(3)
    ndcg0 = (1 / np.log2(3)) / (1 + 1 / np.log2(3))
    # user 1 ranks 4, 3, 2 → test item 0 not in the top 3
    assert out["ndcg@3"] == pytest.approx(ndcg0 / 2)
    assert out["hr@3"] == 0.5 and out["users"] == 2.0


def test_fitted_preferences_need_consistent_parameters():
    with pytest.raises(ConfigError, match="data"):
        make_game("recommender", {"preferences": "fitted"})
    with pytest.raises(ConfigError, match="drift"):
        make_game("recommender", {"preferences": "fitted", "data": "movielens100k"})


def test_fitted_users_are_movielens_users_and_only_train_reaches_them():
    pytest.importorskip("recbole")
    params = {
        "data": "movielens100k", "preferences": "fitted", "drift": 0.0, "n_users": 943,
        "n_items": 1682, "slate_size": 10, "agents_choose": "items",
    }  # fmt: skip
    game = make_game("recommender", params)
    fit = game.fitted
    assert [p[0].shape[0] for p in (fit.split.train, fit.split.valid, fit.split.test)] == [
        80808, 9596, 9596,
    ]  # fmt: skip
    assert np.array_equal(game.users.theta, fit.theta)
    affinity = fit.offline_scores(fit.theta @ fit.vectors.T)
    # ALS on train ranks held-out items better than training popularity (NDCG@10)
    pop = np.bincount(fit.split.train[1], minlength=fit.split.n_items).astype(float)
    als = ranking_metrics(affinity, fit.split)["ndcg@10"]
    assert als > ranking_metrics(np.tile(pop, (943, 1)), fit.split)["ndcg@10"]
    # the affinity of training positives is high, of everything else low
    train = np.zeros_like(affinity, dtype=bool)
    train[fit.split.train] = True
    assert affinity[train].mean() > 0.5 and affinity[~train].mean() < 0.2
