"""Per-round metrics of the ``recommender`` game (``info["metrics"]``; see ``.game``)."""

from __future__ import annotations

import numpy as np

from incentive_lab.core.types import BoolArray, FloatArray, IntArray
from incentive_lab.games.recommender.choice import gini
from incentive_lab.games.recommender.params import RecommenderParams


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
