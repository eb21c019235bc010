"""Satiation: repeated consumption of a topic lowers its appeal, which recovers over time.

Every user carries a satiation level per topic, ``σ_u ∈ ℝ^d_{≥0}``, the discounted count of
what it consumed (clicked), and its *effective* interests are its interests minus the
satiation times a strength ``ς`` (``satiation``)::

    σ_u ← λ · (σ_u + f̂_i · click_u)            (after each round it is served)
    θ̃_u = θ_u − ς · σ_u                         (what the logit choice and the oracle see)

so the affinity of an item of a topic the user just consumed drops by ``ς`` per recent
consumption and recovers geometrically at the rate ``λ`` (``satiation_recovery``) when the
user consumes something else. This is the satiation dynamic of *rebounding bandits*
(Leqi, Kılınç-Karzan, Lipton & Montgomery 2021, "Rebounding bandits for modeling satiation
effects", NeurIPS: an arm's reward ``b_k − γ_k s_t(k)``, its satiation
``s_{t+1}(k) = λ_k (s_t(k) + 1[pulled k])``), per topic as the interest-evolution user of
RecSim (Ie et al. 2019, "RecSim: a configurable simulation platform for recommender
systems") lets consumption move a user's interests. ``f̂_i`` is the consumed item's topic
weights normalised to sum 1 (one-hot topics: the topic itself). A new user starts with
``σ = 0``. With ``ς = 0`` (default) the game never reads or writes ``σ``.

With satiation a click-greedy (myopic) recommender and a long-horizon one disagree: the
myopic one keeps serving a user's favourite topic while it is satiated; one that values
future clicks spreads consumption over topics so that none is worn out.
"""

from __future__ import annotations

import numpy as np

from incentive_lab.core.types import FloatArray, IntArray


def effective_interests(
    theta: FloatArray, satiation: FloatArray, users: IntArray, strength: float
) -> FloatArray:
    """``float64[S, d]``: ``θ_u − ς σ_u`` of ``users`` (``θ_u`` itself, a copy, if ``ς = 0``)."""
    if strength == 0.0:
        return theta[users]
    return np.asarray(theta[users] - strength * satiation[users], dtype=np.float64)


def satiate(
    satiation: FloatArray,
    users: IntArray,
    consumed: FloatArray,
    clicked: FloatArray,
    recovery: float,
) -> None:
    """``σ_u ← λ (σ_u + f̂_i · click_u)`` in place for the served ``users[S]``.

    ``consumed[S, d]``: ``f̂`` of the item each user clicked (any row where it did not);
    ``clicked[S]``: 1 for a click, 0 for none.
    """
    satiation[users] = recovery * (satiation[users] + consumed * clicked[:, None])
