"""The ``public_goods`` game: payoffs, dominance threshold, groups, graphs, feedback, errors."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incentive_lab.core.errors import ConfigError
from incentive_lab.core.game import Game
from incentive_lab.core.registry import make_game
from incentive_lab.games.public_goods import PublicGoodsGame

C, D = 0, 1


def game(**params: Any) -> PublicGoodsGame:
    built: PublicGoodsGame = make_game("public_goods", params)
    built.reset(np.random.default_rng(7))
    return built


def test_hand_computed_group_of_five() -> None:
    g = game(n_agents=5, group_size=5, r_c=4.0, r_d=3.0)
    # three cooperators: each cooperator has m=2 -> 4·3/5 − 1 = 1.4; defectors m=3 -> 9/5
    assert g.step(np.array([C, C, C, D, D])).rewards == pytest.approx([1.4, 1.4, 1.4, 1.8, 1.8])
    # two cooperators: defectors have m=2 -> 2·3/5 = 1.2; cooperators m=1 -> 4·2/5 − 1
    assert g.rewards_for(np.array([C, C, D, D, D])) == pytest.approx([0.6, 0.6, 1.2, 1.2, 1.2])


def test_cost_scales_payoffs() -> None:
    g = game(n_agents=5, group_size=5, r_c=4.0, r_d=3.0, cost=2.5)
    assert g.rewards_for(np.array([C, C, C, D, D])) == pytest.approx([3.5] * 3 + [4.5] * 2)


def test_fixed_groups_are_consecutive_copies() -> None:
    g = game(n_agents=6, group_size=3, r_c=4.0, r_d=3.0)
    assert g.copies.tolist() == [0, 0, 0, 1, 1, 1]
    rewards = g.step(np.array([C, C, C, D, D, D])).rewards
    assert rewards == pytest.approx([3.0] * 3 + [0.0] * 3)  # all-C group: c(r_c − 1)


@settings(max_examples=60, deadline=None)
@given(
    r=st.floats(0.5, 12.0).filter(lambda r: all(abs(r - g) > 1e-6 for g in range(2, 9))),
    size=st.integers(2, 8),
    seed=st.integers(0, 2**32 - 1),
)
def test_with_equal_multipliers_cooperation_dominates_iff_r_exceeds_group_size(
    r: float, size: int, seed: int
) -> None:
    g = game(n_agents=size * 4, group_size=size, r_c=r, r_d=r)
    actions = np.random.default_rng(seed).integers(0, 2, g.n_agents)
    as_c = g.deviation(actions, np.full(g.n_agents, C)).own
    as_d = g.deviation(actions, np.full(g.n_agents, D)).own
    gain = as_c - as_d
    assert gain == pytest.approx(np.full(g.n_agents, r / size - 1.0))  # independent of m
    assert np.all(gain > 0) == (r > size) and np.all(gain < 0) == (r < size)


def test_regroup_partitions_each_round_and_is_reproducible() -> None:
    first = game(n_agents=20, group_size=4, regroup=True)
    second = game(n_agents=20, group_size=4, regroup=True)
    assert first.copies.tolist() == [0] * 20 and first.metadata.stochastic
    actions = np.random.default_rng(1).integers(0, 2, 20)
    seen = []
    for _ in range(6):
        a, b = first.step(actions), second.step(actions)
        assert np.bincount(first.groups).tolist() == [4] * 5  # a partition into groups of 4
        assert np.array_equal(first.groups, second.groups)
        assert np.array_equal(a.rewards, b.rewards)
        # counterfactuals use the groups of the round just played
        assert np.array_equal(first.rewards_for(actions), a.rewards)
        seen.append(first.groups.copy())
    assert any(not np.array_equal(seen[0], later) for later in seen[1:])
    third = make_game("public_goods", {"n_agents": 20, "group_size": 4, "regroup": True})
    third.reset(np.random.default_rng(8))
    third.step(actions)
    assert not np.array_equal(third.groups, seen[0])


def test_ring_graph_focal_groups() -> None:
    g = game(n_agents=6, r_c=4.5, r_d=3.0, graph={"kind": "ring", "degree": 2})
    assert g.topology is not None and g.topology.degrees.tolist() == [2] * 6
    assert g.copies.tolist() == [0] * 6
    rewards = g.step(np.array([C, D, D, D, D, D])).rewards
    # focal groups have d=2: the cooperator m=0 -> 4.5/3 − 1; its neighbours 1, 5 have m=1
    assert rewards == pytest.approx([0.5, 1.0, 0.0, 0.0, 0.0, 1.0])


def test_lattice_and_random_graphs() -> None:
    lattice = game(n_agents=16, graph={"kind": "lattice", "neighbourhood": "moore"})
    assert lattice.topology is not None and set(lattice.topology.degrees.tolist()) == {8}
    regular = game(n_agents=30, graph={"kind": "random_regular", "degree": 3, "seed": 2})
    assert regular.topology is not None and set(regular.topology.degrees.tolist()) == {3}
    er = game(n_agents=200, graph={"kind": "erdos_renyi", "degree": 4, "seed": 2})
    assert er.topology is not None and 3.0 < er.topology.degrees.mean() < 5.0


STRUCTURES: list[dict[str, Any]] = [
    {"n_agents": 12, "group_size": 4},
    {"n_agents": 12, "group_size": 3, "regroup": True},
    {"n_agents": 25, "graph": {"kind": "erdos_renyi", "degree": 3, "seed": 5}},
    {"n_agents": 16, "graph": {"kind": "lattice"}},
]


@pytest.mark.parametrize("structure", STRUCTURES)
@settings(max_examples=15, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    r_c=st.floats(2.0, 6.0),
    r_d=st.floats(0.0, 8.0),
    cost=st.floats(0.1, 3.0),
)
def test_vectorised_deviation_equals_loop(
    structure: dict[str, Any], seed: int, r_c: float, r_d: float, cost: float
) -> None:
    g = game(**structure, r_c=r_c, r_d=r_d, cost=cost, feedback={"law": "linear"})
    gen = np.random.default_rng(seed)
    g.step(gen.integers(0, 2, g.n_agents))  # moves r_c and (with regroup) the groups
    actions, alternative = gen.integers(0, 2, (2, g.n_agents))
    fast = g.deviation(actions, alternative)
    slow = Game.deviation(g, actions, alternative)
    np.testing.assert_allclose(fast.own, slow.own, atol=1e-12)
    np.testing.assert_allclose(fast.copy_welfare, slow.copy_welfare, atol=1e-9)


def test_linear_feedback_moves_r_c_and_reports_it() -> None:
    g = game(n_agents=10, group_size=5, r_c=3.0, feedback={"law": "linear", "alpha": 2, "beta": 6})
    first = g.step(np.array([C] * 8 + [D] * 2))
    assert first.info["metrics"]["r_c"] == 3.0  # the configured value plays first
    second = g.step(np.array([D] * 10))
    assert second.info["metrics"]["r_c"] == pytest.approx(2.0 + 4.0 * 0.8)
    # the all-D round was paid with r_c = 5.2; counterfactuals use it too
    assert g.r_c == pytest.approx(5.2)
    assert g.rewards_for(np.array([C] * 10)) == pytest.approx([4.2] * 10)
    assert g.step(np.array([C] * 10)).info["metrics"]["r_c"] == 2.0


def test_weitz_feedback_in_the_game() -> None:
    g = game(n_agents=10, group_size=5, r_c=4.0, feedback={"law": "weitz", "theta": 1.0})
    values = [g.step(np.array([C] * 8 + [D] * 2)).info["metrics"]["r_c"] for _ in range(30)]
    assert values[0] == 4.0 and all(b > a for a, b in itertools.pairwise(values))
    assert all(2.0 <= v <= 6.0 for v in values)
    x_star = [C] * 5 + [D] * 5  # x = 1/(1+θ) = 0.5: the environment stands still
    before = g.feedback_state
    g.step(np.array(x_star))
    assert g.feedback_state == pytest.approx(before)


def test_reconfigure_r_c_keeps_groups_and_stream() -> None:
    params = {"n_agents": 12, "group_size": 3, "regroup": True, "r_c": 3.0, "r_d": 3.0}
    shifted, twin = game(**params), game(**params)
    actions = np.random.default_rng(3).integers(0, 2, 12)
    for _ in range(3):
        shifted.step(actions)
        twin.step(actions)
    groups = shifted.groups.copy()
    shifted.reconfigure(r_c=5.0)
    assert np.array_equal(shifted.groups, groups) and shifted.r_c == 5.0
    assert shifted.metadata.pure_equilibria == ((C, C, C),)  # 5 > G = 3
    a, b = shifted.step(actions), twin.step(actions)
    assert np.array_equal(shifted.groups, twin.groups)  # same random stream afterwards
    cooperators = actions == C
    assert np.allclose(a.rewards[~cooperators], b.rewards[~cooperators])
    assert np.all(a.rewards[cooperators] > b.rewards[cooperators])
    with pytest.raises(ConfigError, match=r"group_size"):
        shifted.reconfigure(group_size=4)
    assert shifted.params.group_size == 3


def test_reconfigure_keeps_the_feedback_state_unless_r_c_changes() -> None:
    g = game(n_agents=10, group_size=5, r_c=4.0, feedback={"law": "weitz", "alpha": 2, "beta": 6})
    for _ in range(5):
        g.step(np.array([C] * 10))
    state = g.feedback_state
    g.reconfigure(r_d=1.0)
    assert g.feedback_state == state
    g.reconfigure(r_c=3.0)
    assert g.feedback_state == pytest.approx(0.25)


@pytest.mark.parametrize(
    ("r", "equilibria", "nash", "optimum"),
    [(3.0, ((D,) * 5,), 0.0, 2.0), (6.0, ((C,) * 5,), 5.0, 5.0)],
)
def test_metadata_with_equal_multipliers(
    r: float, equilibria: tuple[tuple[int, ...], ...], nash: float, optimum: float
) -> None:
    meta = game(n_agents=10, group_size=5, r_c=r, r_d=r).metadata
    assert meta.pure_equilibria == equilibria
    assert meta.nash_value == pytest.approx(nash) and meta.social_optimum == pytest.approx(optimum)
    assert meta.cooperative_action == C


def test_metadata_mixed_group_equilibrium_when_defectors_multiply_more() -> None:
    # Δ(m) = (m+1)·6/3 − 1 − m·9/3 = 1 − m: one cooperator (m=0 co-operators) is stable,
    # a second would lose (Δ(1) = 0 ties, Δ(2) < 0)
    meta = game(n_agents=3, group_size=3, r_c=6.0, r_d=9.0).metadata
    assert meta.pure_equilibria == ((C, D, D), (C, C, D))
    welfare = {1: (1 * 1.0 + 2 * 3.0) / 3, 2: (2 * 3.0 + 6.0) / 3}
    assert meta.nash_value == pytest.approx(max(welfare.values()))


def test_observations_are_a_single_state() -> None:
    g = game(n_agents=10, group_size=5)
    assert g.n_states == 1
    assert g.step(np.zeros(10, dtype=np.int64)).obs.tolist() == [0] * 10


@pytest.mark.parametrize(
    ("params", "field", "text"),
    [
        ({"n_agents": 10, "group_size": 3}, "n_agents", "multiple of group_size = 3"),
        ({"n_agents": 10, "group_size": 3, "regroup": True}, "n_agents", "multiple"),
        ({"r_c": 7.0, "feedback": {"law": "linear"}}, "r_c", r"\[2\.0, 6\.0\]"),
        ({"r_c": 1.0, "feedback": {"law": "weitz", "alpha": 2, "beta": 3}}, "r_c", "bounds"),
        ({"feedback": {"law": "linear", "alpha": 3, "beta": 3}}, "feedback", "alpha < beta"),
        ({"feedback": {"law": "wietz"}}, "feedback", "weitz"),
        ({"n_agents": 10, "graph": {"kind": "lattice"}}, "n_agents", "perfect square"),
        ({"graph": {"kind": "ring", "degree": 3}}, r"graph\.degree", "even"),
        ({"graph": {"kind": "ring"}, "group_size": 5}, "group_size", "graph"),
        ({"r_c": float("nan")}, "r_c", "finite"),
        ({"cost": 0.0}, "cost", "greater than 0"),
    ],
)
def test_bad_input_names_the_field(params: dict[str, Any], field: str, text: str) -> None:
    with pytest.raises(ConfigError, match=rf"game\.params\.{field}.*{text}"):
        make_game("public_goods", params)


def test_describe_mentions_the_rules() -> None:
    text = game(n_agents=10, group_size=5, regroup=True).describe()
    assert "groups of 5 redrawn every round" in text and "r_c = 4" in text
