"""Platform mechanisms for recommender games: the platform shapes what its recommenders earn.

Registers ``engagement_shaping`` (reward long-term user engagement: :mod:`.engagement`),
``diversity_bonus`` (pay for diverse slates: :mod:`.diversity`), ``exposure_fairness``
(tax unfair exposure of content providers: :mod:`.fairness`) and ``platform_difference``
(difference rewards for each agent's contribution to platform welfare: :mod:`.difference`),
all built on the shared plumbing of :mod:`.base`. Each needs a game that offers
``recommender_outcome``.
"""

from incentive_lab.mechanisms.platform import difference, diversity, engagement, fairness

__all__ = ["difference", "diversity", "engagement", "fairness"]
