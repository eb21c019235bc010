"""spatial_public_goods: payoffs against a naive reference, hand values, bad input."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incentive_lab.core import ConfigError, make_game

VON_NEUMANN = [(0, 1), (1, 0), (0, -1), (-1, 0)]
MOORE = [*VON_NEUMANN, (1, 1), (1, -1), (-1, 1), (-1, -1)]


def naive_payoffs(strategies, side, offsets, r_c, r_d, cost):
    """Literal Szabó–Hauert payoffs, written from the lattice coordinates alone."""

    def group(row, col):  # members of the group centred on (row, col), as a set of sites
        return {(row, col)} | {((row + dr) % side, (col + dc) % side) for dr, dc in offsets}

    field = np.asarray(strategies).reshape(side, side)
    out = np.zeros((side, side))
    for row in range(side):
        for col in range(side):
            for centre in group(row, col):  # every group agent (row, col) belongs to
                members = group(*centre)
                n_c = sum(field[m] == 0 for m in members)
                if field[row, col] == 0:
                    out[row, col] += cost * (n_c * r_c / len(members) - 1.0)
                else:
                    out[row, col] += cost * n_c * r_d / len(members)
    return out.reshape(-1)


@settings(max_examples=40, deadline=None)
@given(
    side=st.sampled_from([3, 4, 5]),
    moore=st.booleans(),
    r_c=st.floats(0.0, 10.0),
    r_d=st.floats(0.0, 10.0),
    cost=st.floats(0.1, 3.0),
    seed=st.integers(0, 2**32 - 1),
)
def test_payoffs_match_the_naive_reference(side, moore, r_c, r_d, cost, seed):
    neighbourhood = "moore" if moore else "von_neumann"
    if moore and side == 3:
        side = 4  # on 3×3 every Moore group is the whole lattice: keep it, but also test 4×4
    params = {"side": side, "neighbourhood": neighbourhood, "r_c": r_c, "r_d": r_d, "cost": cost}
    game = make_game("spatial_public_goods", params)
    game.reset(np.random.default_rng(0))
    actions = np.random.default_rng(seed).integers(0, 2, side * side)
    expected = naive_payoffs(actions, side, MOORE if moore else VON_NEUMANN, r_c, r_d, cost)
    np.testing.assert_allclose(game.step(actions).rewards, expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(game.overlapping_groups().payoffs(actions), expected, atol=1e-12)


def test_hand_values_of_a_lone_cooperator_on_3x3():
    # cooperator at site 0 in five groups of G = 5 with n_c = 1: 5·(4/5 − 1) = −1;
    # neighbour 1 shares the groups centred on 0, 1 and 2 with it: 3·4/5 = 2.4;
    # site 4 (diagonal) shares the groups centred on 1 and 3: 2·4/5 = 1.6
    game = make_game("spatial_public_goods", {"side": 3, "r": 4.0})
    game.reset(np.random.default_rng(0))
    actions = np.ones(9, dtype=np.int64)
    actions[0] = 0
    rewards = game.step(actions).rewards
    assert rewards[0] == pytest.approx(-1.0)
    assert rewards[1] == pytest.approx(2.4)
    assert rewards[4] == pytest.approx(1.6)
    assert rewards.sum() == pytest.approx(5 * 1 * (4.0 - 1.0))  # welfare = c(r−1)·Σ n_c


def test_all_cooperate_and_all_defect():
    game = make_game("spatial_public_goods", {"side": 4, "neighbourhood": "moore", "r": 6.0})
    game.reset(np.random.default_rng(0))
    np.testing.assert_allclose(game.step(np.zeros(16, dtype=np.int64)).rewards, 9 * 5.0)
    np.testing.assert_allclose(game.step(np.ones(16, dtype=np.int64)).rewards, 0.0)


def test_deviation_matches_brute_force():
    game = make_game("spatial_public_goods", {"side": 4, "r_c": 4.2, "r_d": 3.1, "cost": 1.5})
    game.reset(np.random.default_rng(0))
    rng = np.random.default_rng(5)
    actions, alternative = rng.integers(0, 2, 16), rng.integers(0, 2, 16)
    result = game.deviation(actions, alternative)
    for i in range(16):
        changed = actions.copy()
        changed[i] = alternative[i]
        rewards = game.rewards_for(changed)
        assert result.own[i] == pytest.approx(rewards[i])
        assert result.copy_welfare[i] == pytest.approx(rewards.sum())


@pytest.mark.parametrize(
    ("r", "equilibria"),
    [(4.0, {1}), (5.0, {0, 1}), (6.0, {0})],
)
def test_pure_equilibria_on_the_lattice(r, equilibria):
    # all-D is stable iff r <= G = 5 (a lone cooperator), all-C iff r >= G (a lone defector)
    game = make_game("spatial_public_goods", {"side": 5, "r": r})
    assert {eq[0] for eq in game.metadata.pure_equilibria} == equilibria
    assert game.metadata.social_optimum == pytest.approx(5 * (r - 1.0))


def test_graph_spec_and_networkx_graph_agree():
    spec = {"kind": "random_regular", "degree": 3, "seed": 4}
    game = make_game("spatial_public_goods", {"graph": spec, "n_agents": 20, "r": 3.0})
    graph = nx.random_regular_graph(3, 20, seed=4)
    other = make_game("spatial_public_goods", {"graph": graph, "r": 3.0})
    actions = np.random.default_rng(1).integers(0, 2, 20)
    np.testing.assert_allclose(game.rewards_for(actions), other.rewards_for(actions))
    np.testing.assert_allclose(
        game.rewards_for(actions), game.overlapping_groups().payoffs(actions), atol=1e-12
    )


def test_feedback_law_moves_r_c_and_the_exposed_structure():
    params = {
        "side": 4,
        "r_c": 4.0,
        "r_d": 4.0,
        "feedback": {"law": "linear", "alpha": 3, "beta": 6},
    }
    game = make_game("spatial_public_goods", params)
    game.reset(np.random.default_rng(0))
    result = game.step(np.zeros(16, dtype=np.int64))
    assert result.info["metrics"]["r_c"] == pytest.approx(4.0)
    assert game.overlapping_groups().r_c == pytest.approx(6.0)  # next round: all cooperated
    game.step(np.ones(16, dtype=np.int64))
    assert game.r_c == pytest.approx(6.0)
    assert game.overlapping_groups().r_c == pytest.approx(3.0)


def test_reconfigure_r_replaces_r_c_and_r_d():
    game = make_game("spatial_public_goods", {"side": 4, "r_c": 4.0, "r_d": 3.0})
    game.reconfigure(r=5.0)
    assert (game.params.multiplier_c, game.params.multiplier_d) == (5.0, 5.0)
    game.reconfigure(r_d=2.0)
    assert (game.params.multiplier_c, game.params.multiplier_d) == (4.5, 2.0)
    with pytest.raises(ConfigError, match="side"):
        game.reconfigure(side=5)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"side": 2}, "side"),
        ({"side": 4, "neighbourhood": "hex"}, "neighbourhood"),
        ({"side": 4, "r": 4.0, "r_c": 3.0}, "r_c"),
        ({"side": 4, "r": -1.0}, "r"),
        ({"side": 4, "cost": 0.0}, "cost"),
        ({"side": 4, "r_c": 7.0, "feedback": {"law": "linear", "alpha": 2, "beta": 6}}, "r_c"),
        ({"graph": {"kind": "ring", "degree": 2}}, "n_agents"),
        ({"graph": {"kind": "ring", "degree": 2}, "n_agents": 10, "side": 4}, "side"),
    ],
)
def test_bad_parameters_name_the_field(params, field):
    with pytest.raises(ConfigError, match=field):
        make_game("spatial_public_goods", params)


def test_graph_with_isolated_nodes_is_rejected():
    graph = nx.path_graph(5)
    graph.add_node(99)
    with pytest.raises(ConfigError, match="isolated"):
        make_game("spatial_public_goods", {"graph": graph})
    sparse = {"kind": "erdos_renyi", "degree": 1, "seed": 0}
    with pytest.raises(ConfigError, match="isolated"):
        make_game("spatial_public_goods", {"graph": sparse, "n_agents": 200})


@pytest.mark.parametrize("hood", ["von_neumann", "moore"])
def test_multithreaded_lattice_payoffs_match_the_csr_kernel_and_reference(hood):
    from incentive_lab.games import overlapping_groups

    side = 260  # 67,600 sites >= PARALLEL_FROM: the threaded row kernel
    assert side * side >= overlapping_groups.PARALLEL_FROM
    params = {"side": side, "neighbourhood": hood, "r_c": 4.7, "r_d": 3.2, "cost": 0.8}
    game = make_game("spatial_public_goods", params)
    actions = np.random.default_rng(11).integers(0, 2, side * side)
    top = game.topology
    csr = overlapping_groups.group_payoffs(actions, top.indptr, top.indices, 4.7, 3.2, 0.8)
    rewards = game.step(actions).rewards
    np.testing.assert_allclose(rewards, csr, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(
        rewards, game.overlapping_groups().payoffs(actions), rtol=1e-12, atol=1e-12
    )
    np.testing.assert_array_equal(game.step(actions).rewards, rewards)  # deterministic


def test_observations_are_shared_and_read_only():
    game = make_game("spatial_public_goods", {"side": 4})
    obs = game.reset(np.random.default_rng(0))
    assert not obs.any() and not obs.flags.writeable
    assert game.step(np.zeros(16, dtype=np.int64)).obs is obs


@pytest.mark.parametrize(
    "actions", [np.full(16, 2), np.full(16, -1), np.zeros(16), np.zeros(15, dtype=np.int64)]
)
def test_step_rejects_bad_actions(actions):
    game = make_game("spatial_public_goods", {"side": 4})
    with pytest.raises(ConfigError, match="actions"):
        game.step(actions)


def test_step_accepts_any_integer_dtype_and_counts_cooperators():
    game = make_game("spatial_public_goods", {"side": 4, "r_c": 4.0, "r_d": 4.0})
    actions = np.array([0, 1, 1, 1] * 4, dtype=np.int32)  # 4 cooperators of 16
    result = game.step(actions)
    np.testing.assert_array_equal(result.rewards, game.rewards_for(actions.astype(np.int64)))
    np.testing.assert_allclose(
        result.rewards, game.overlapping_groups().payoffs(actions), atol=1e-12
    )
    linear = make_game(
        "spatial_public_goods", {"side": 4, "r_c": 4.0, "feedback": {"law": "linear"}}
    )
    state = linear.step(actions).info["metrics"]["feedback_state"]
    assert state == pytest.approx(0.25)  # the linear law's state is the cooperator fraction


def test_serial_and_threaded_payoff_kernels_have_their_own_disk_cache():
    from incentive_lab.games import overlapping_groups

    serial = overlapping_groups._lattice_payoffs_serial
    threaded = overlapping_groups._lattice_payoffs_parallel
    assert serial.py_func.__qualname__ != threaded.py_func.__qualname__
    assert threaded.targetoptions.get("parallel") and not serial.targetoptions.get("parallel")
