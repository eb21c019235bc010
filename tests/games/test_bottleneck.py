"""The ``bottleneck`` game: hand-computed queues and costs, metrics, counterfactuals, rules.

The small day used below: slots of one hour starting at 0, capacity s = 2 vehicles/h,
α = 2, β = 1, γ = 4 $/h, t* = 3 (unless stated). Commuters of a slot join uniformly spread
over it; a commuter's cost is the mean over its slot of α·(t_f + D) + β·early + γ·late.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incentive_lab.core.capabilities import Capability, provided
from incentive_lab.core.errors import ConfigError
from incentive_lab.core.registry import get, make_game
from incentive_lab.games.bottleneck import BottleneckGame

SMALL = {
    "n_slots": 3,
    "slot_width": 1.0,
    "first_slot": 0.0,
    "desired_arrival": 3.0,
    "capacity": 2.0,
    "alpha": 2.0,
    "beta": 1.0,
    "gamma": 4.0,
}


def small(n_commuters: int, **changes: object) -> BottleneckGame:
    game = make_game("bottleneck", {**SMALL, "n_commuters": n_commuters, **changes})
    assert isinstance(game, BottleneckGame)
    return game


def test_four_commuters_in_one_slot_build_a_queue_by_hand() -> None:
    # λ = 4/h > s = 2/h: Q(τ) = 2τ, D = τ (mean 0.5 h); A = 2τ, early = 3 − 2τ (mean 2 h)
    game = small(4)
    result = game.step(np.zeros(4, dtype=np.int64))
    np.testing.assert_allclose(result.rewards, -(2 * 0.5 + 1 * 2.0))
    m = result.info["metrics"]
    assert m["mean_cost"] == pytest.approx(3.0)
    assert m["queueing_cost"] == pytest.approx(1.0) and m["schedule_cost"] == pytest.approx(2.0)
    assert m["queueing_share"] == pytest.approx(1 / 3)
    assert m["max_queue"] == pytest.approx(2.0)
    assert [m[f"queue_{k}"] for k in range(3)] == pytest.approx([2.0, 0.0, 0.0])
    assert [m[f"departure_rate_{k}"] for k in range(3)] == pytest.approx([4.0, 0.0, 0.0])


def test_a_draining_queue_and_an_empty_slot_by_hand() -> None:
    game = small(5)
    actions = np.array([0, 0, 0, 0, 1])
    counts, means, queues = game.day(actions)
    np.testing.assert_array_equal(counts[0], [4, 1, 0])
    # slot 1: Q0 = 2, λ = 1: Q = 2 − τ, D = (2 − τ)/2 (mean 0.75); A = 2 + τ/2, early mean 0.75
    np.testing.assert_allclose(means[0, 1], [0.75, 0.75, 0.0])
    # slot 2 (empty): Q0 = 1 drains by τ = 0.5: mean D = 0.125; A = 2.5 then 2 + τ: early 0.375
    np.testing.assert_allclose(means[0, 2], [0.125, 0.375, 0.0])
    np.testing.assert_allclose(queues[0], [2.0, 1.0, 0.0])
    np.testing.assert_allclose(game.rewards_for(actions), [-3.0] * 4 + [-2.25])
    # the slot-1 commuter moving to slot 2: the queue is gone by then, D = 0, early mean 0.5
    deviation = game.deviation(actions, np.array([0, 0, 0, 0, 2]))
    assert deviation.own[4] == pytest.approx(-0.5)
    assert deviation.copy_welfare[4] == pytest.approx(-(4 * 3.0 + 0.5))
    np.testing.assert_allclose(deviation.own[:4], -3.0)


def test_lateness_and_free_flow_time_by_hand() -> None:
    # t* = 1.5, A = 2τ: early ∫(1.5 − 2τ) over [0, .75] = .5625, late ∫(2τ − 1.5) over [.75, 1]
    # = .0625: cost 2·0.5 + 0.5625 + 4·0.0625 = 1.8125
    assert small(4, desired_arrival=1.5).step(np.zeros(4, dtype=np.int64)).rewards == (
        pytest.approx(-1.8125)
    )
    # a free-flow time t_f shifts arrivals and adds α·t_f
    shifted = small(4, desired_arrival=2.0, free_flow=0.5)
    assert shifted.step(np.zeros(4, dtype=np.int64)).rewards == pytest.approx(-2.8125)


def test_departures_at_capacity_make_no_queue() -> None:
    game = small(6)
    result = game.step(np.array([0, 0, 1, 1, 2, 2]))  # λ = s = 2 in every slot
    assert result.info["metrics"]["max_queue"] == 0.0
    assert result.info["metrics"]["queueing_share"] == 0.0
    # early times: slot k spans [k, k+1], mean 3 − (k + ½)
    np.testing.assert_allclose(result.rewards, [-2.5, -2.5, -1.5, -1.5, -0.5, -0.5])


def test_copies_are_independent_instances() -> None:
    game = small(4, n_copies=3)
    assert game.n_agents == 12
    np.testing.assert_array_equal(game.copies, np.repeat(np.arange(3), 4))
    actions = np.array([0, 0, 0, 0, 0, 1, 2, 2, 2, 2, 2, 2])
    rewards = game.step(actions).rewards
    for c in range(3):
        alone = small(4).rewards_for(actions[4 * c : 4 * c + 4])
        np.testing.assert_allclose(rewards[4 * c : 4 * c + 4], alone)


def test_deviation_agrees_with_replaying_each_move() -> None:
    game = make_game("bottleneck", {"n_commuters": 30, "n_copies": 2, "capacity": 40.0})
    rng = np.random.default_rng(3)
    actions = rng.integers(0, game.n_actions, game.n_agents)
    alternative = rng.integers(0, game.n_actions, game.n_agents)
    deviation = game.deviation(actions, alternative)
    copies = game.copies
    for i in range(game.n_agents):
        changed = actions.copy()
        changed[i] = alternative[i]
        rewards = game.rewards_for(changed)
        assert deviation.own[i] == pytest.approx(rewards[i])
        assert deviation.copy_welfare[i] == pytest.approx(rewards[copies == copies[i]].sum())


def test_defaults_are_the_published_constants_and_the_capability_is_offered() -> None:
    game = make_game("bottleneck")
    p = game.params
    assert (p.alpha, p.beta, p.gamma) == (6.4, 3.9, 15.21)
    assert p.gamma > p.alpha > p.beta
    assert Capability.BOTTLENECK_MODEL in get("game", "bottleneck").offers
    model = provided(game, Capability.BOTTLENECK_MODEL)
    assert model.capacity == p.capacity and model.n_commuters == p.n_commuters
    np.testing.assert_allclose(model.slot_starts, 8.0 + np.arange(45) / 30)
    assert game.metadata.action_names[:2] == ("08:00", "08:02")
    delta = 3.9 * 15.21 / (3.9 + 15.21)
    assert game.covers_rush_hour()
    assert game.metadata.nash_value == pytest.approx(-delta * 200 / 200)
    assert game.metadata.social_optimum == pytest.approx(-delta / 2)


def test_bad_parameters_name_the_field() -> None:
    with pytest.raises(ConfigError, match="beta"):
        make_game("bottleneck", {"alpha": 3.0, "beta": 3.9})
    with pytest.raises(ConfigError, match="capacity"):
        make_game("bottleneck", {"capacity": 0.0})
    game = make_game("bottleneck", {"n_commuters": 10})
    with pytest.raises(ConfigError, match="n_slots"):
        game.reconfigure(n_slots=10)
    game.reconfigure(capacity=50.0)
    assert game.bottleneck_model.capacity == 50.0


def test_many_slots_skip_the_profile_metrics() -> None:
    game = make_game("bottleneck", {"n_commuters": 10, "n_slots": 200})
    metrics = game.step(np.zeros(10, dtype=np.int64)).info["metrics"]
    assert "queue_0" not in metrics and "max_queue" in metrics


def test_report_figure_references_are_the_closed_forms() -> None:
    from incentive_lab.evaluation.figures.bottleneck import theory_curves

    # α = 2, β = 1, γ = 4, N = 4, s = 2, t* = 3: δ = 0.8, t_q = 3 − 1.6 = 1.4,
    # t_q' = 3 + 0.4, t̃ = 3 − δN/(αs) = 2.2; rates sα/(α−β) = 4, sα/(α+γ) = 2/3; peak δN/α
    curves = theory_curves(small(4).params)
    np.testing.assert_allclose(curves["time"], [1.4, 2.2, 3.4])
    np.testing.assert_allclose(curves["rate"], [4.0, 2 / 3])
    np.testing.assert_allclose(curves["queue"], [0.0, 1.6, 0.0])
    # the rates carry exactly N commuters over the rush hour
    assert curves["rate"] @ np.diff(curves["time"]) == pytest.approx(4.0)


def brute_force_costs(game: BottleneckGame, counts: np.ndarray, points: int = 4000) -> np.ndarray:
    """Slot-mean costs by direct simulation: the fluid queue on a fine grid of join times."""
    p = game.params
    rates = np.repeat(counts / p.slot_width, points)
    dt = p.slot_width / points
    times = p.first_slot + dt * (np.arange(rates.size) + 0.5)
    queue, waits = 0.0, np.empty(rates.size)
    for j, rate in enumerate(rates):  # Q at the middle of each sub-interval
        half = max(0.0, queue + (rate - p.capacity) * dt / 2)
        waits[j] = half / p.capacity
        queue = max(0.0, queue + (rate - p.capacity) * dt)
    arrival = times + waits + p.free_flow
    cost = (
        p.alpha * (waits + p.free_flow)
        + p.beta * np.maximum(0.0, p.desired_arrival - arrival)
        + p.gamma * np.maximum(0.0, arrival - p.desired_arrival)
    )
    return cost.reshape(p.n_slots, points).mean(axis=1)


@settings(max_examples=25, deadline=None)
@given(
    counts=st.lists(st.integers(0, 12), min_size=3, max_size=3),
    capacity=st.floats(0.5, 10.0),
    target=st.floats(0.0, 4.0),
    free_flow=st.floats(0.0, 1.0),
)
def test_exact_slot_means_match_a_direct_simulation(counts, capacity, target, free_flow) -> None:
    n = max(2, sum(counts))
    counts = np.array(counts, dtype=np.float64)
    counts[-1] += n - counts.sum()
    game = small(n, capacity=capacity, desired_arrival=target, free_flow=free_flow)
    actions = np.repeat(np.arange(3), counts.astype(np.int64))
    _, means, queues = game.day(actions)
    np.testing.assert_allclose(
        game.slot_costs(means)[0], brute_force_costs(game, counts), rtol=1e-4, atol=1e-4
    )
    # conservation: what is left queued is what arrived minus what could be served
    assert queues[0, -1] >= max(0.0, n - capacity * 3.0) - 1e-9
