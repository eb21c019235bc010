"""Congestion game: textbook flows and costs, tolls' transfers, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from incentive_lab.core import ConfigError, make_game, make_mechanism, make_rng


def test_pigou_reference_values() -> None:
    game = make_game("congestion", {"preset": "pigou", "n_agents": 4})
    np.testing.assert_allclose(game.optimal_flow, [0.5, 0.5], atol=1e-6)
    np.testing.assert_allclose(game.wardrop_flow, [0.0, 1.0], atol=1e-6)
    assert game.optimal_total_latency == pytest.approx(0.75, abs=1e-9)
    result = game.step(np.ones(4, dtype=np.int64))  # all on ℓ(x) = x
    np.testing.assert_allclose(result.rewards, -1.0)
    assert result.info["metrics"]["price_of_anarchy"] == pytest.approx(4 / 3)


def test_braess_reference_values() -> None:
    game = make_game("congestion", {"preset": "braess", "n_agents": 2})
    assert game.metadata.nash_value == pytest.approx(-2.0, abs=1e-6)
    assert game.metadata.social_optimum == pytest.approx(-1.5, abs=1e-6)
    plain = make_game("congestion", {"preset": "braess_no_bridge", "n_agents": 2})
    assert plain.metadata.nash_value == pytest.approx(-1.5, abs=1e-6)


def test_atomic_optimum_by_enumeration() -> None:
    # 3 unit agents, ℓ1 = 1, ℓ2 = x: k on edge 2 costs k² + (3 − k), best k ∈ {0, 1}: 3
    game = make_game("congestion", {"preset": "pigou", "n_agents": 3, "atomic": True})
    assert game.optimal_total_latency == pytest.approx(3.0)


def test_tolls_charge_marginal_cost_and_fixed_amounts() -> None:
    game = make_game("congestion", {"preset": "pigou", "n_agents": 4})
    actions = np.array([0, 1, 1, 1])
    result = game.step(actions)
    toll = make_mechanism("marginal_cost_toll", {}, game, make_rng(0))
    adjustment = toll.adjust(game, actions, result.rewards, result.info)
    np.testing.assert_allclose(adjustment.transfers, [0.0, -0.75, -0.75, -0.75])
    assert toll.update(game, actions, result.rewards, adjustment)["toll_revenue"] == pytest.approx(
        0.75 * 0.75
    )
    fixed = make_mechanism("fixed_toll", {"tolls": {"s->t": 0.2}}, game, make_rng(0))
    np.testing.assert_allclose(
        fixed.adjust(game, actions, result.rewards, result.info).transfers, [-0.2, 0, 0, 0]
    )
    with pytest.raises(ConfigError, match=r"tolls\.x->y.*edge labels of the game: s->t, s->t#1"):
        make_mechanism("fixed_toll", {"tolls": {"x->y": 1.0}}, game, make_rng(0))


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"graph": [{"source": "s", "target": "t", "latency": [2.0, -1.0]}]}, r"graph\.0\.latency"),
        (
            {
                "graph": [
                    {"source": "s", "target": "A", "latency": [1.0]},
                    {"source": "B", "target": "t", "latency": [1.0]},
                ]
            },
            r"game\.params\.graph.*at least one path from source 's' to sink 't'",
        ),
        ({"preset": "pigu"}, r"game\.params\.preset"),
        ({"demand": -1.0}, r"game\.params\.demand"),
    ],
)
def test_bad_input_names_the_field(params: dict, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        make_game("congestion", params)
