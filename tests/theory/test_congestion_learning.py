"""Selfish learners in Pigou's and Braess's networks, with and without marginal-cost tolls.

1000 nonatomic agents (each 1/1000 of the unit demand), Boltzmann Q-learners (γ = 0,
α = 0.1, τ = 0.01) for 1500 steps, then 50 measured steps. With Boltzmann exploration the
population settles at the logit fixed point ``x ∝ exp(−cost/τ)``, which approaches the
Wardrop flow as τ → 0: in Pigou's network the share ``δ`` left on the constant edge solves
``δ/(1 − δ) = exp(−δ/τ)``, ``δ ≈ 0.03`` at τ = 0.01, so the price of anarchy is
``(x² + 1 − x)/(3/4) ≈ 1.29`` instead of the Wardrop 4/3; hence the bounds below.
With marginal-cost tolls the tolled costs ``1`` and ``2x`` are equal at the optimum ½/½,
which is also the logit fixed point for every τ.
"""

from __future__ import annotations

import numpy as np
import pytest

from incentive_lab.core import LearnerContext, make_game, make_learner, make_mechanism, make_rng
from incentive_lab.rollout import LearnerGroup, Simulation

LEARNER = {"alpha": 0.1, "gamma": 0.0, "tau": 0.01}


def outcome(preset: str, mechanism: str, seed: int = 0) -> dict[str, float]:
    game = make_game("congestion", {"preset": preset, "n_agents": 1000})
    learner = make_learner(
        "boltzmann_q", LEARNER, LearnerContext.for_game(game), make_rng(seed + 1)
    )
    rule = make_mechanism(mechanism, {}, game, make_rng(seed + 2))
    simulation = Simulation(game, [LearnerGroup(0, game.n_agents, learner)], rule, make_rng(seed))
    simulation.run(1500)
    measured = []
    for _ in range(50):
        result = game.step(simulation.act(simulation.obs))
        measured.append(result.info["metrics"])
    return {key: float(np.mean([m[key] for m in measured])) for key in measured[0]}


def test_pigou_selfish_flow_is_wardrop() -> None:
    metrics = outcome("pigou", "none")
    assert metrics["path_share_1"] >= 0.95  # (almost) everyone on ℓ(x) = x
    assert 1.27 <= metrics["price_of_anarchy"] <= 4 / 3 + 1e-9


def test_pigou_marginal_cost_toll_gives_the_optimal_split() -> None:
    metrics = outcome("pigou", "marginal_cost_toll")
    assert metrics["path_share_1"] == pytest.approx(0.5, abs=0.1)
    assert metrics["price_of_anarchy"] <= 1.02
    assert metrics["total_latency"] == pytest.approx(0.75, abs=0.015)


def test_braess_paradox_appears_and_tolls_remove_it() -> None:
    without_bridge = outcome("braess_no_bridge", "none")["total_latency"]
    with_bridge = outcome("braess", "none")
    tolled = outcome("braess", "marginal_cost_toll")
    assert without_bridge == pytest.approx(1.5, abs=0.02)
    assert with_bridge["total_latency"] >= 1.9  # Wardrop cost 2: the bridge hurts
    assert with_bridge["path_share_2"] >= 0.9  # everyone on s→A→B→t
    assert tolled["total_latency"] == pytest.approx(1.5, abs=0.02)
    assert tolled["path_share_2"] <= 0.05
