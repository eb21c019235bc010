"""The ``recommender`` game: a recommender platform with competing recommender agents.

Importing this package registers the game ``recommender`` (:mod:`.game`: the round, the
observations, the rewards and the platform outcome). Its parts: :mod:`.params` (the
parameters and their documented defaults), :mod:`.users` (user drift, sessions,
satisfaction, churn, competition), :mod:`.choice` (affinity, position bias, logit choice),
:mod:`.slates` (a slate strategy index → a slate for each user; the oracle's Numba
kernels in :mod:`._oracle`), :mod:`.channel` (the ``slate_choice`` channel through which
agents submit item slates with ``agents_choose: items``), :mod:`.metrics` (per-round
metrics and observations), :mod:`.data` (optional calibration from MovieLens-100k) and
:mod:`.movielens` (RecBole's time-ordered split, users fitted on its training part,
offline NDCG@10 / HR@10).
"""

from incentive_lab.games.recommender import game

__all__ = ["game"]
