"""Why our first offline BPR-MF scored below RecBole's BPR on MovieLens-100k: an ablation.

Same split and metrics as ``bench_recommender_offline.py`` (RecBole's time-ordered 80/10/10
split, full sort, NDCG@10). Every variant trains 64 factors on the training interactions
and stops when the valid NDCG@10 (train items masked) has not improved for 10 epochs
(RecBole's ``stopping_step``); the row reports the test NDCG@10 of the best-valid epoch.

Variants (Rendle, Freudenthaler, Gantner & Schmidt-Thieme 2009, "BPR: Bayesian personalized
ranking from implicit feedback", UAI; RecBole 1.2.1's ``BPR`` for the recipe):

* ``sgd summed``: the first offline row's update (``learners.recsys.bpr.bpr_step``: one
  summed SGD step per batch of 1,024, η 0.05, λ 0.001, user factors 0, item factors
  ``N(0, 0.1²)``), with negatives drawn uniformly from *all* items;
* ``sgd sequential``: Rendle's ``LearnBPR``, one triple at a time
  (``learners.recsys._bpr_sgd``), same constants;
* ``… non-positive negatives``: negatives drawn among the items the user has no training
  interaction with (RecBole's ``Sampler``, ``learners.recsys._bpr_adam.sample_negatives``);
* ``adam``: RecBole's recipe (``learners.recsys._bpr_adam.bpr_epochs``), with its
  non-positive negatives or with negatives among all items.

Run: ``python benchmarks/bench_recommender_bpr_ablation.py [--seeds 0,1]`` (about 3 min on
one loaded core).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator
from typing import Any

import numpy as np

PATIENCE = 10


def sgd_scores(
    split: Any, rng: np.random.Generator, sequential: bool, non_positive: bool
) -> Iterator[np.ndarray]:
    """Scores after each epoch of the SGD variants (module docstring)."""
    from incentive_lab.learners.recsys._bpr_adam import sample_negatives
    from incentive_lab.learners.recsys._bpr_sgd import bpr_sgd
    from incentive_lab.learners.recsys.bpr import bpr_step

    users, items = split.train
    shape = (split.n_users, split.n_items)
    positive = np.zeros(shape, dtype=bool)
    positive[users, items] = True
    user = np.zeros((shape[0], 64))
    item = 0.1 * rng.standard_normal((shape[1], 64))
    bias = np.zeros(shape[1])

    def negatives(u: np.ndarray) -> np.ndarray:
        if non_positive:
            return sample_negatives(u, positive, rng)
        return rng.integers(shape[1], size=u.shape[0])

    while True:
        order = rng.permutation(users.shape[0])
        if sequential:
            u, i = users[order], items[order]
            bpr_sgd(user, item, bias, u, i, negatives(u), 0.05, 0.001, False)
        else:
            for start in range(0, order.shape[0], 1024):
                rows = order[start : start + 1024]
                u = users[rows]
                bpr_step(user, item, None, (u, items[rows], negatives(u)), 0.05, 0.001)
        yield user @ item.T


def adam_scores(split: Any, rng: np.random.Generator, non_positive: bool) -> Iterator[np.ndarray]:
    """Scores after each epoch of RecBole's recipe (negatives among all items if not
    ``non_positive``: every user is then given no positives for the sampler)."""
    from incentive_lab.learners.recsys import _bpr_adam

    shape = (split.n_users, split.n_items)
    if non_positive:
        epochs = _bpr_adam.bpr_epochs(split.train, shape, rng)
        yield from (model.scores() for model, _fit in epochs)
        return
    # the same loop with unrestricted negatives: a sampler that sees no positives
    users, items = split.train
    none = np.zeros(shape, dtype=bool)
    model = _bpr_adam.BPRModel(
        _bpr_adam.xavier_normal(shape[0], 64, rng),
        _bpr_adam.xavier_normal(shape[1], 64, rng),
        np.zeros(shape[1]),
        _bpr_adam.Adam(),
    )
    while True:
        order = rng.permutation(users.shape[0])
        for start in range(0, order.shape[0], _bpr_adam.BATCH):
            rows = order[start : start + _bpr_adam.BATCH]
            u = users[rows]
            triples = (u, items[rows], _bpr_adam.sample_negatives(u, none, rng))
            _fit, grads = _bpr_adam.bpr_gradients(model.user, model.item, None, triples, 0.0)
            model.adam.step([model.user, model.item, model.bias], grads)
        yield model.scores()


def early_stopped(scores: Iterator[np.ndarray], split: Any) -> tuple[float, float, int]:
    """``(test NDCG@10 at the best valid epoch, best valid NDCG@10, best epoch)``."""
    from incentive_lab.games.recommender.movielens import Split, ranking_metrics

    none = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
    valid = Split(split.train, none, split.valid, split.n_users, split.n_items)
    best, best_epoch, test = -1.0, 0, 0.0
    for epoch, score in enumerate(scores, 1):
        value = ranking_metrics(score, valid)["ndcg@10"]
        if value > best:
            best, best_epoch = value, epoch
            test = ranking_metrics(score, split)["ndcg@10"]
        elif epoch - best_epoch >= PATIENCE:
            break
    return test, best, best_epoch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", default="0,1")
    args = parser.parse_args()
    from incentive_lab.games.recommender.movielens import read_interactions, recbole_split

    split = recbole_split(read_interactions())
    variants = {
        "sgd summed": lambda rng: sgd_scores(split, rng, False, False),
        "sgd summed, non-positive negatives": lambda rng: sgd_scores(split, rng, False, True),
        "sgd sequential": lambda rng: sgd_scores(split, rng, True, False),
        "sgd sequential, non-positive negatives": lambda rng: sgd_scores(split, rng, True, True),
        "adam, negatives among all items": lambda rng: adam_scores(split, rng, False),
        "adam (RecBole's recipe)": lambda rng: adam_scores(split, rng, True),
    }
    print(f"{'variant (64 factors, early stopping)':<42} seed  test    valid   best epoch")
    for name, make in variants.items():
        for seed in (int(s) for s in args.seeds.split(",")):
            start = time.perf_counter()
            test, valid, epoch = early_stopped(make(np.random.default_rng(seed)), split)
            seconds = time.perf_counter() - start
            print(f"{name:<42} {seed:>4}  {test:.4f}  {valid:.4f}  {epoch:>4} ({seconds:.0f} s)")


if __name__ == "__main__":
    main()
