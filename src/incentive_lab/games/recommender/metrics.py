"""Per-round metrics of the ``recommender`` game, and provider exposure amortized over rounds.

``round_metrics`` and ``later_metrics`` fill ``info["metrics"]`` (see ``.game``).

Amortized exposure
    ``exposure_gini`` is the Gini of one round's slate slots over providers. The fairness-
    of-exposure literature measures exposure accumulated over many rankings instead: Biega,
    Gummadi & Weikum (2018), "Equity of attention: amortizing individual fairness in
    rankings", SIGIR, require a subject's *cumulative* attention over a sequence of
    rankings to match its cumulative relevance (a single ranking cannot be fair, positions
    differ), with the unfairness ``Σ_i |A_i − R_i|``; Singh & Joachims (2018), "Fairness of
    exposure in rankings", KDD, define a group's exposure as its *expected* exposure under a
    stochastic ranking policy, i.e. its average over the rankings the policy draws.
    :func:`amortized_exposure_gini` is the Gini of the provider exposure summed over a
    window of rounds; :func:`amortized_exposure_distance` the total variation
    ``½ Σ_p |A_p / Σ A − π_p|`` of that cumulative exposure from a target ``π`` (Biega et
    al.'s L1 unfairness with attention and relevance normalised to shares; with
    ``exposure_fairness``'s target it is the distance the mechanism taxes, amortized).
"""

from __future__ import annotations

import numpy as np

from incentive_lab.core.types import BoolArray, FloatArray, IntArray
from incentive_lab.games.recommender.choice import gini
from incentive_lab.games.recommender.params import RecommenderParams
from incentive_lab.games.recommender.users import UserState

N_OBS = 5
MAX_SHARES = 32
"""Agents up to which ``market_share_k`` is reported per agent."""


def round_metrics(
    p: RecommenderParams,
    slates: IntArray,
    clicked: FloatArray,
    gain: FloatArray,
    diversity: FloatArray,
    churned: BoolArray,
    lengths: IntArray,
    exposure: IntArray,
    cold: BoolArray,
) -> dict[str, float]:
    """CTR, churn, diversity, coverage, exposure Gini, welfare, sessions, cold-start CTR.

    Arrays are over the round's ``S`` served users (``cold``: younger than
    ``cold_start_rounds``); ``exposure[n_agents, n_providers]`` counts slate slots.
    """
    n = slates.shape[0]
    metrics = {
        "ctr": float(clicked.mean()) if n else 0.0,
        "churn_rate": float(churned.mean()) if n else 0.0,
        "intra_list_diversity": float(diversity.mean()) if n else 0.0,
        "coverage": float(np.unique(slates).shape[0] / p.n_items) if n else 0.0,
        "exposure_gini": gini(exposure.sum(axis=0).astype(np.float64)),
        "platform_welfare": float(gain.sum() / p.n_users),
        "active_users": float(n / p.n_users),
    }
    if lengths.shape[0]:
        metrics["session_length"] = float(lengths.mean())
    if cold.any():
        metrics["cold_start_ctr"] = float(clicked[cold].mean())
    return metrics


def amortized_exposure(exposure: FloatArray) -> FloatArray:
    """``float64[P]``: slate slots per provider summed over all leading axes.

    ``exposure[T, P]`` (rounds × providers) or ``exposure[T, n_agents, P]`` (per agent:
    ``RecommenderOutcome.provider_exposure`` of each round); pass one agent's slice for that
    agent's amortized exposure.
    """
    values = np.asarray(exposure, dtype=np.float64)
    return np.asarray(values.reshape(-1, values.shape[-1]).sum(axis=0), dtype=np.float64)


def amortized_exposure_gini(exposure: FloatArray) -> float:
    """Gini of the provider exposure accumulated over rounds (module docstring)."""
    return gini(amortized_exposure(exposure))


def amortized_exposure_distance(exposure: FloatArray, target: FloatArray) -> float:
    """``½ Σ_p |A_p / Σ A − π_p|`` of the accumulated exposure ``A`` (0 if nothing shown).

    ``target[P]``: fair shares ``π`` summing to 1 (module docstring).
    """
    total = amortized_exposure(exposure)
    if total.sum() <= 0:
        return 0.0
    return float(0.5 * np.abs(total / total.sum() - np.asarray(target)).sum())


def later_metrics(
    p: RecommenderParams,
    slates: IntArray,
    popularity: FloatArray,
    satisfaction: FloatArray,
    served: FloatArray,
) -> dict[str, float]:
    """Novelty, user satisfaction and per-agent market share (reported with later options).

    ``novelty``: mean self-information ``−log₂ p_i`` of the items shown, ``p_i`` the
    Laplace-smoothed share of the recency-weighted clicks behind ``popular``
    (``(c_i + 1) / (Σ c + I)``, before this round's clicks), the popularity-based novelty of
    Zhou et al. (2010), "Solving the apparent diversity–accuracy dilemma of recommender
    systems", PNAS 107(10); ``user_satisfaction``: mean ``S_u / patience`` of the served
    users after the round (user welfare besides ``ctr``); ``market_share_k``: agent
    ``k``'s share of the served users (for at most ``MAX_SHARES`` agents).
    ``popularity[I]``, ``satisfaction[S]``, ``served[n_agents]``.
    """
    out: dict[str, float] = {}
    if slates.shape[0]:
        share = (popularity + 1.0) / (popularity.sum() + p.n_items)
        out["novelty"] = float(-np.log2(share[slates]).mean())
        out["user_satisfaction"] = float(np.clip(satisfaction / p.patience, 0.0, 1.0).mean())
    if served.shape[0] <= MAX_SHARES:
        total = max(float(served.sum()), 1.0)
        out.update({f"market_share_{k}": float(v / total) for k, v in enumerate(served)})
    return out


def user_shares(
    p: RecommenderParams, state: UserState, users: IntArray
) -> tuple[FloatArray, FloatArray]:
    """``(satisfaction / patience clipped to [0, 1], cold-start flag)`` of the served users."""
    satisfaction = np.clip(state.satisfaction[users] / p.patience, 0.0, 1.0)
    return satisfaction, (state.age[users] <= p.cold_start_rounds).astype(np.float64)


def observe(
    active: BoolArray, served: FloatArray, clicks: FloatArray, per_agent: FloatArray
) -> FloatArray:
    """``float64[n_agents, 5]``: market share, CTR, satisfaction, cold-start share, active.

    ``per_agent[2, n_agents]``: the summed :func:`user_shares` of each agent's users.
    """
    total = max(float(served.sum()), 1.0)
    denom = np.maximum(served, 1.0)
    obs = np.empty((served.shape[0], N_OBS))
    obs[:, 0] = served / total
    obs[:, 1] = clicks / denom
    obs[:, 2] = np.where(served > 0, per_agent[0] / denom, 1.0)
    obs[:, 3] = per_agent[1] / denom
    obs[:, 4] = active.mean()
    return np.clip(obs, 0.0, 1.0)
