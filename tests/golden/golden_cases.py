"""The configs pinned by the golden traces: every family of game, learner and mechanism.

Each case is a small config (a few hundred steps, one or two seeds, a sweep kept where it
exercises several units) so the whole set runs in seconds. ``examples/`` configs are
shortened; the extra cases cover families the examples leave out (spatial Fermi imitation in
both update modes, LIO, the sampled planner, the LLM learner on a recorded replay).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "data"

EXAMPLES = (
    "auction_payment_rules",
    "chicken",
    "congestion_tolls",
    "differentiable_matrix",
    "differentiable_pgg",
    "differentiable_toy",
    "escape_room_lio",
    "game_selection",
    "global_local_baselines",
    "matrix",
    "phases_tax_off",
    "planner_dilemmas",
    "public_goods_faq",
    "public_goods_regime_shift",
    "recommender_fairness",
    "recommender_neural",
    "stag_hunt",
    "water_allocation",
)

EXTRA: dict[str, dict[str, Any]] = {
    "spatial_fermi_sequential": {
        "name": "golden-spatial-seq",
        "game": {"id": "spatial_public_goods", "params": {"side": 12, "r": 3.8}},
        "learners": [{"id": "fermi_imitation", "params": {"update": "random_sequential"}}],
        "steps": 30,
        "seeds": 2,
        "record_every": 5,
    },
    "spatial_fermi_synchronous": {
        "name": "golden-spatial-sync",
        "game": {"id": "spatial_public_goods", "params": {"side": 12, "r": 3.8}},
        "learners": [{"id": "fermi_imitation", "params": {"update": "synchronous"}}],
        "steps": 30,
        "seeds": 2,
        "record_every": 5,
    },
    "pd_replicator_moran": {
        "name": "golden-imitation",
        "game": {"id": "prisoners_dilemma", "params": {"n_copies": 40}},
        "learners": [{"id": "moran"}],
        "mechanism": {"id": "pigouvian_tax"},
        "steps": 200,
        "seeds": 2,
        "record_every": 20,
        "sweep": {
            "learners": [
                [{"id": "moran"}],
                [{"id": "proportional_imitation"}],
                [{"id": "replicator"}],
                [{"id": "boltzmann_q"}],
            ]
        },
    },
    "pd_mechanisms": {
        "name": "golden-pd-mechanisms",
        "game": {"id": "prisoners_dilemma", "params": {"n_copies": 30}},
        "learners": [{"id": "q_learning", "params": {"epsilon": 0.1}}],
        "steps": 200,
        "seeds": 1,
        "record_every": 25,
        "sweep": {
            "mechanism": [
                {"id": "svo"},
                {"id": "mutual_welfare"},
                {"id": "inequity_aversion"},
                {"id": "difference_rewards"},
                {"id": "adaptive_planner", "params": {"gradient": "sampled"}},
            ]
        },
    },
    "public_goods_asymmetric": {
        "name": "golden-pgg-asym",
        "game": {"id": "public_goods", "params": {"n_agents": 50, "group_size": 5}},
        "mechanism": {"id": "asymmetric_feedback"},
        "learners": [{"id": "faq"}],
        "steps": 200,
        "seeds": 1,
        "record_every": 20,
    },
    "subsample_q": {
        "name": "golden-subsample-q",
        "game": {"id": "global_local", "params": {"instance": "median", "n_agents": 6}},
        "learners": [{"id": "subsample_q", "params": {"k": 3, "m": 10, "sweeps": 20}}],
        "steps": 100,
        "seeds": 1,
        "record_every": 20,
    },
    "recommender_platform": {
        "name": "golden-recommender",
        "game": {"id": "recommender", "params": {"n_users": 200, "n_items": 60, "n_agents": 3}},
        "learners": [{"id": "bandit", "params": {"algorithm": "thompson"}}],
        "steps": 60,
        "seeds": 1,
        "record_every": 10,
        "sweep": {
            "mechanism": [
                {"id": "engagement_shaping"},
                {"id": "platform_difference"},
            ]
        },
    },
    "guess_average_policy_gradient": {
        "name": "golden-guess",
        "game": {"id": "guess_average"},
        "learners": [{"id": "policy_gradient"}],
        "steps": 100,
        "seeds": 1,
        "record_every": 20,
    },
    "llm_replay": {
        "name": "golden-llm",
        "game": {"id": "prisoners_dilemma"},
        "learners": [
            {
                "id": "llm",
                "params": {"backend": {"kind": "replay", "path": "@DATA@/llm_pd.jsonl"}},
            }
        ],
        "steps": 6,
        "seeds": 1,
        "record_every": 2,
    },
}

SHORT_STEPS = 300
"""Examples run at most this many steps (record windows scaled to fit)."""


def _shorten(raw: dict[str, Any]) -> dict[str, Any]:
    out = dict(raw)
    steps = min(int(out["steps"]), SHORT_STEPS)
    out["steps"] = steps
    out["record_every"] = max(1, min(int(out.get("record_every") or 1), steps // 6))
    seeds = out.get("seeds", 1)
    out["seeds"] = min(seeds, 2) if isinstance(seeds, int) else list(seeds)[:2]
    phases = out.get("phases") or []
    if phases:
        out["phases"] = [
            {**p, "at_step": max(1, int(p["at_step"]) * steps // int(raw["steps"]))} for p in phases
        ]
    for key in ("n_copies",):
        params = out.get("game", {}).get("params") or {}
        if key in params and params[key] > 100:
            out["game"] = {**out["game"], "params": {**params, key: 100}}
    return out


def _replace(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("@DATA@", str(DATA))
    if isinstance(value, dict):
        return {k: _replace(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace(v) for v in value]
    return value


def cases() -> dict[str, dict[str, Any]]:
    """Every golden case by name, as raw config mappings."""
    out: dict[str, dict[str, Any]] = {}
    for name in EXAMPLES:
        raw = yaml.safe_load((ROOT / "examples" / f"{name}.yaml").read_text())
        out[name] = _shorten(raw)
    for name, raw in EXTRA.items():
        out[name] = _replace(raw)
    return out
