"""The bottleneck tolls: schedules by hand, transfers and accounting, parameter errors.

Hand case: α = 2, β = 1, γ = 4 $/h, N = 10 commuters, s = 10 veh/h, t* = 3, t_f = 0, so
δ = βγ/(β+γ) = 0.8, δN/s = 0.8, t_q = 3 − (4/5)·1 = 2.2, t_q' = 3 + (1/5)·1 = 3.2 and the
fine toll is τ(t) = 0.8 − (3 − t) on [2.2, 3], 0.8 − 4(t − 3) on [3, 3.2], 0 elsewhere.
"""

from __future__ import annotations

import numpy as np
import pytest

from incentive_lab.core import make_rng
from incentive_lab.core.errors import ConfigError
from incentive_lab.core.registry import get, make_game, make_mechanism
from incentive_lab.mechanisms.bottleneck_tolls import coarse_optimum, coarse_social_cost

HAND = {
    "n_commuters": 10,
    "capacity": 10.0,
    "alpha": 2.0,
    "beta": 1.0,
    "gamma": 4.0,
    "desired_arrival": 3.0,
    "first_slot": 2.0,
    "slot_width": 0.2,
    "n_slots": 7,
}


def toll(mechanism_id: str, params: dict | None = None, **game_changes: object):
    game = make_game("bottleneck", {**HAND, **game_changes})
    return game, make_mechanism(mechanism_id, params or {}, game, make_rng(0))


def test_fine_toll_is_the_slot_mean_of_the_queueing_cost_by_hand() -> None:
    _, fine = toll("bottleneck_fine_toll")
    # slots [2.0, 2.2], ..., [3.2, 3.4]: means of the tent (linear within each slot)
    np.testing.assert_allclose(fine.tolls, [0.0, 0.1, 0.3, 0.5, 0.7, 0.4, 0.0], atol=1e-12)
    # a slot across the peak: [2.875, 3.125] (τ = 0.675, 0.8, 0.3 at its ends and at t*)
    _, across = toll("bottleneck_fine_toll", first_slot=2.875, slot_width=0.25, n_slots=2)
    assert across.tolls[0] == pytest.approx((0.125 * 1.475 / 2 + 0.125 * 1.1 / 2) / 0.25)
    # free-flow time moves the schedule to departure times t̂ = t* − t_f
    _, shifted = toll("bottleneck_fine_toll", free_flow=0.5, first_slot=1.5)
    np.testing.assert_allclose(shifted.tolls, fine.tolls, atol=1e-12)
    _, half = toll("bottleneck_fine_toll", {"scale": 0.5})
    np.testing.assert_allclose(half.tolls, 0.5 * fine.tolls)


def test_tolls_are_transfers_from_the_commuters() -> None:
    game, fine = toll("bottleneck_fine_toll", n_copies=2)
    actions = np.array([0, 1, 1, 2, 3, 4, 5, 5, 6, 6] * 2)
    result = game.step(actions)
    out = fine.adjust(game, actions, result.rewards, result.info)
    np.testing.assert_allclose(out.transfers, -fine.tolls[actions])
    np.testing.assert_allclose(out.shaped_rewards, result.rewards + out.transfers)
    assert out.cost == pytest.approx(fine.tolls[actions].sum())
    per_day = fine.tolls[actions[:10]].sum()  # 0.1·2 + 0.3 + 0.5 + 0.7 + 0.4·2 = 2.5
    assert per_day == pytest.approx(2.5)
    assert fine.update(game, actions, result.rewards, out) == {"toll_revenue": pytest.approx(2.5)}
    _, none = toll("bottleneck_fine_toll", {"scale": 0.0})
    assert not none.adjust(game, actions, result.rewards, result.info).transfers.any()


def test_coarse_toll_defaults_to_its_optimum_by_hand() -> None:
    # κ = (γ−α)/((α+γ)(β+γ)) = 1/15, ρ = δN/(2s) = 0.4, t_q^ρ = 2.2 + 0.4/15,
    # t⁺ = t_q^ρ + ρ(1/β − 1/α) = t_q^ρ + 0.2, t⁻ = t_q^ρ + 1 − ρ·2/(α+γ) = t_q^ρ + 13/15
    game, coarse = toll("bottleneck_coarse_toll")
    level, start, end = coarse_optimum(game.bottleneck_model)
    t_q = 2.2 + 0.4 / 15
    assert (level, start, end) == pytest.approx((0.4, t_q + 0.2, t_q + 13 / 15))
    assert coarse_social_cost(game.bottleneck_model) == pytest.approx(8 * (3 - 1 / 15) / 4)
    # slot midpoints 2.1, 2.3, ..., 3.3: tolled when in [2.4267, 3.0933)
    np.testing.assert_allclose(coarse.tolls, [0, 0, 0.4, 0.4, 0.4, 0, 0])


def test_coarse_toll_with_gamma_below_alpha_keeps_late_untolled_departures() -> None:
    # γ ≤ α: κ = 0 and t⁻ = t_q + N/s − ρ/γ (the mass is followed by late departures)
    game = make_game("bottleneck", {**HAND, "alpha": 5.0})
    level, start, end = coarse_optimum(game.bottleneck_model)
    assert (level, start, end) == pytest.approx((0.4, 2.2 + 0.4 * (1 - 1 / 5), 3.2 - 0.1))
    assert coarse_social_cost(game.bottleneck_model) == pytest.approx(0.75 * 8)


def test_coarse_toll_explicit_window_and_level() -> None:
    # midpoints 2.1, 2.3, ..., 3.3: those in [2.45, 2.95) are tolled
    _, coarse = toll("bottleneck_coarse_toll", {"level": 1.5, "start": 2.45, "end": 2.95})
    np.testing.assert_allclose(coarse.tolls, [0, 0, 1.5, 1.5, 1.5, 0, 0])
    with pytest.raises(ConfigError, match="end"):
        toll("bottleneck_coarse_toll", {"start": 3.0, "end": 2.0})
    with pytest.raises(ConfigError, match="end"):
        toll("bottleneck_coarse_toll", {"start": 3.5})  # after the optimal end
    with pytest.raises(ConfigError, match="level"):
        toll("bottleneck_coarse_toll", {"level": -1.0})


def test_tolls_need_a_bottleneck_and_follow_rule_changes() -> None:
    assert get("mechanism", "bottleneck_fine_toll").needs() == {"bottleneck_model"}
    with pytest.raises(ConfigError, match="bottleneck_fine_toll"):
        make_mechanism("bottleneck_fine_toll", {}, make_game("prisoners_dilemma"), make_rng(0))
    game, fine = toll("bottleneck_fine_toll")
    actions = np.zeros(10, dtype=np.int64) + 3
    game.reconfigure(capacity=20.0)  # δN/s halves: τ on [2.6, 3] is 0.4 − (3 − t)
    result = game.step(actions)
    fine.adjust(game, actions, result.rewards, result.info)
    np.testing.assert_allclose(fine.tolls, [0, 0, 0, 0.1, 0.3, 0.1, 0.0], atol=1e-12)
    fine.reconfigure(scale=2.0)
    np.testing.assert_allclose(fine.tolls, [0, 0, 0, 0.2, 0.6, 0.2, 0.0], atol=1e-12)
    _, coarse = toll("bottleneck_coarse_toll")
    with pytest.raises(ConfigError):
        coarse.reconfigure(start=3.5)
    assert coarse.params.start is None
    np.testing.assert_allclose(coarse.tolls, [0, 0, 0.4, 0.4, 0.4, 0, 0])
