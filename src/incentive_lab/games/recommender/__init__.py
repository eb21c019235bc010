"""The ``recommender`` game: a recommender platform with competing recommender agents.

Importing this package registers the game ``recommender`` (:mod:`.game`: the round, the
observations, the rewards and the platform outcome). Its parts: :mod:`.params` (the
parameters and their documented defaults), :mod:`.users` (user drift, sessions,
satisfaction, churn, competition), :mod:`.choice` (affinity, position bias, logit choice),
:mod:`.slates` (a slate strategy index → a slate for each user) and :mod:`.data` (optional
calibration from MovieLens-100k).
"""

from incentive_lab.games.recommender import game

__all__ = ["game"]
