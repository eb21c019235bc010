"""Offline evaluation on MovieLens-100k: learned recommender agents vs Pop and BPR.

Protocol (``games.recommender.movielens``): RecBole 1.2.1's per-user time-ordered split
(``eval_args: {split: {RS: [0.8, 0.1, 0.1]}, order: TO, group_by: user, mode: full}``,
every rating an implicit positive), full-sort ranking of all 1,682 items with each user's
train and valid items masked, NDCG@10 and HR@10 over the 943 users with test items.

Rows:

* ``Pop`` — items by number of training interactions (RecBole's ``Pop``);
* ``BPR (offline)`` — BPR-MF trained directly on the training interactions with the
  ``recsys_bpr`` update (``learners.recsys.bpr.bpr_step``; 64 factors, uniform negatives,
  mini-batches of 1,024, ``epochs`` passes). RecBole's own trainer does not run here: with
  recbole installed ``--no-deps`` its ``recbole.config`` imports ``tensorboard``, and its
  trainer needs ``texttable``, ``thop`` and ``ray[tune]``, none installed, so this row
  implements the same model and metric protocol rather than calling RecBole;
* ``ALS (simulator)`` — the implicit ALS fitted on train that *defines* the simulated
  users (``preferences: fitted``): what an agent that learned the simulator perfectly
  would score;
* ``recsys_bpr`` / ``recsys_linucb (online)`` — one agent trained *online* in the
  ``recommender`` game on the fitted users (943 users, 1,682 items, slates of 10, no drift,
  no churn: ``boredom: 0``) for ``--rounds`` rounds, learning only from the simulated
  clicks; then its model's scores rank the catalogue for the offline metrics.

The check printed at the end: the online MF agent's NDCG@10 beats ``Pop``.

Run: ``python benchmarks/bench_recommender_offline.py [--rounds 200] [--epochs 30]``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from incentive_lab.core import LearnerContext, make_game, make_learner, make_mechanism, make_rng
from incentive_lab.games.recommender.movielens import FittedUsers, ranking_metrics
from incentive_lab.learners.recsys.bpr import bpr_step
from incentive_lab.rollout import LearnerGroup, Simulation

GAME = {
    "data": "movielens100k", "preferences": "fitted", "n_users": 943, "n_items": 1682,
    "n_agents": 1, "slate_size": 10, "drift": 0.0, "boredom": 0.0, "agents_choose": "items",
}  # fmt: skip


def offline_bpr(fit: FittedUsers, epochs: int, seed: int = 0) -> np.ndarray:
    """Scores of BPR-MF trained on the training interactions (module docstring)."""
    rng = np.random.default_rng(seed)
    users, items = fit.split.train
    user = np.zeros((fit.split.n_users, 64))
    item = 0.1 * rng.standard_normal((fit.split.n_items, 64))
    for _ in range(epochs):
        order = rng.permutation(users.shape[0])
        for start in range(0, order.shape[0], 1024):
            rows = order[start : start + 1024]
            neg = rng.integers(fit.split.n_items, size=rows.shape[0])
            bpr_step(user, item, None, (users[rows], items[rows], neg), 0.05, 0.001)
    return np.asarray(user @ item.T)


def online(learner_id: str, rounds: int, seed: int) -> tuple[dict[str, float], float, float]:
    """``(offline metrics, last-quarter CTR, seconds)`` of an agent trained in simulation."""
    game = make_game("recommender", GAME)
    learner = make_learner(learner_id, {}, LearnerContext.for_game(game), make_rng(seed))
    sim = Simulation(
        game, [LearnerGroup(0, 1, learner)], make_mechanism("none", {}, game, make_rng(0)),
        make_rng(seed),
    )  # fmt: skip
    ctr: list[float] = []

    class Recorder:
        def record(self, record: object) -> None:
            ctr.append(record.info["metrics"]["ctr"])  # type: ignore[attr-defined]

    start = time.perf_counter()
    sim.run(rounds, Recorder())
    seconds = time.perf_counter() - start
    scores = learner.scores(np.zeros(943, dtype=np.int64), np.arange(943))
    assert game.fitted is not None
    metrics = ranking_metrics(game.fitted.offline_scores(scores), game.fitted.split)
    return metrics, float(np.mean(ctr[-max(rounds // 4, 1) :])), seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    fit = make_game("recommender", GAME).fitted
    assert fit is not None
    split = fit.split
    sizes = [p[0].shape[0] for p in (split.train, split.valid, split.test)]
    print(f"MovieLens-100k, RecBole TO split train/valid/test = {sizes}; full sort, @10")
    print(f"{'model':<28} {'NDCG@10':>8} {'HR@10':>7}  notes")
    pop = np.bincount(split.train[1], minlength=split.n_items).astype(np.float64)
    rows = {
        "Pop": (ranking_metrics(np.tile(pop, (split.n_users, 1)), split), ""),
        "BPR (offline, 64 factors)": (
            ranking_metrics(offline_bpr(fit, args.epochs, args.seed), split),
            f"{args.epochs} epochs",
        ),
        "ALS (simulator)": (
            ranking_metrics(fit.offline_scores(fit.theta @ fit.vectors.T), split),
            "defines the users",
        ),
    }
    for name in ("recsys_bpr", "recsys_linucb"):
        metrics, ctr, seconds = online(name, args.rounds, args.seed)
        rows[f"{name} (online)"] = (
            metrics,
            f"{args.rounds} rounds, CTR {ctr:.3f}, {seconds:.0f} s",
        )
    for name, (metrics, note) in rows.items():
        print(f"{name:<28} {metrics['ndcg@10']:>8.4f} {metrics['hr@10']:>7.4f}  {note}")
    mf, base = rows["recsys_bpr (online)"][0]["ndcg@10"], rows["Pop"][0]["ndcg@10"]
    verdict = "PASS" if mf > base else "FAIL"
    print(f"check: online MF agent NDCG@10 {mf:.4f} > Pop {base:.4f}: {verdict}")


if __name__ == "__main__":
    main()
