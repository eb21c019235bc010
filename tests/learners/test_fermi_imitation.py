"""fermi_imitation: kernels against a literal pure-Python rule, seeding, bad input."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incentive_lab.core import (
    ConfigError,
    LearnerContext,
    Transition,
    make_game,
    make_learner,
    make_mechanism,
)
from incentive_lab.learners.imitation import _kernels_fermi as kernels_fermi
from incentive_lab.learners.imitation import _kernels_fermi_lattice as kernels_fermi_lattice
from incentive_lab.learners.imitation import _kernels_random as kernels_random
from incentive_lab.rollout import LearnerGroup, Simulation

from .conftest import make_context


def literal_mcs(structure, strategies, picks, uniforms, K):
    """The textbook elementary updates, payoffs recomputed from scratch every time."""
    strategies = strategies.copy()
    topology = structure.topology
    for x, u in zip(picks, uniforms, strict=True):
        neighbours = topology.neighbours(x)
        j = int(u * len(neighbours))
        y = neighbours[j]
        if strategies[x] == strategies[y]:
            continue
        payoffs = structure.payoffs(strategies)
        w = 1.0 / (1.0 + math.exp((payoffs[x] - payoffs[y]) / K))
        if u * len(neighbours) - j < w:
            strategies[x] = strategies[y]
    return strategies


def kernel_mcs(structure, strategies, picks, uniforms, K, lattice):
    top = structure.topology
    rule = (structure.r_c, structure.r_d, structure.cost, 0, 1.0 / K)
    strategies = strategies.astype(np.int8)
    if lattice:
        side, drow, dcol = kernels_fermi_lattice.lattice_offsets(top.indptr, top.indices)
        counts = kernels_fermi_lattice.lattice_counts(strategies, side, drow, dcol, 0)
        kernels_fermi_lattice.lattice_random_sequential_step(
            strategies, counts, side, drow, dcol, *rule, picks, uniforms
        )
        expected = kernels_fermi_lattice.lattice_counts(strategies, side, drow, dcol, 0)
    else:
        counts = kernels_fermi.group_counts(strategies, top.indptr, top.indices, 0)
        inverse = 1.0 / (top.degrees + 1.0)
        kernels_fermi.random_sequential_step(
            strategies, counts, inverse, top.indptr, top.indices, *rule, 0.0, 2, picks, uniforms
        )
        expected = kernels_fermi.group_counts(strategies, top.indptr, top.indices, 0)
    np.testing.assert_array_equal(counts, expected)  # incremental counts stay exact
    return strategies


@settings(max_examples=30, deadline=None)
@given(
    case=st.sampled_from(["vn4", "moore4", "vn5", "graph"]),
    r=st.floats(2.0, 8.0),
    K=st.floats(0.05, 2.0),
    seed=st.integers(0, 2**32 - 1),
)
def test_kernels_follow_the_literal_rule(case, r, K, seed):
    if case == "graph":
        graph = nx.random_regular_graph(3, 12, seed=seed % 1000)
        game = make_game("spatial_public_goods", {"graph": graph, "r": r})
    else:
        side = 5 if case == "vn5" else 4
        hood = "moore" if case.startswith("moore") else "von_neumann"
        game = make_game("spatial_public_goods", {"side": side, "neighbourhood": hood, "r": r})
    structure = game.overlapping_groups()
    rng = np.random.default_rng(seed)
    n = game.n_agents
    strategies = rng.integers(0, 2, n)
    picks, uniforms = rng.integers(0, n, 3 * n), rng.random(3 * n)
    expected = literal_mcs(structure, strategies, picks, uniforms, K)
    csr = kernel_mcs(structure, strategies, picks, uniforms, K, lattice=False)
    np.testing.assert_array_equal(csr, expected)
    if case != "graph":
        lattice = kernel_mcs(structure, strategies, picks, uniforms, K, lattice=True)
        np.testing.assert_array_equal(lattice, expected)


def test_a_random_regular_graph_is_not_taken_for_a_lattice():
    top = make_game("spatial_public_goods", {"side": 4}).topology
    assert kernels_fermi_lattice.lattice_offsets(top.indptr, top.indices) is not None
    game = make_game(
        "spatial_public_goods", {"graph": nx.random_regular_graph(4, 16, seed=1), "r": 4.0}
    )
    top = game.topology
    assert kernels_fermi_lattice.lattice_offsets(top.indptr, top.indices) is None


def test_synchronous_hand_case():
    # ring of 3, K = 1, payoffs (0, 3, 0): neighbours of 0 are [1, 2], of 1 [0, 2], of 2 [0, 1]
    top = make_context(3, n_actions=2).topology
    population = np.array([1, 0, 1], dtype=np.int8)
    payoffs = np.array([0.0, 3.0, 0.0])
    up, down = 1.0 / (1.0 + math.exp(-3.0)), 1.0 / (1.0 + math.exp(3.0))  # 0.953, 0.047
    # agent 0: u·2 = 0.4 → neighbour 1, 0.4 < up: adopts C; agent 1: 1.8 → neighbour 2,
    # 0.8 > down: keeps C; agent 2: 1.98 → neighbour 1, 0.98 > up: keeps D
    uniforms = np.array([0.2, 0.9, 0.99])
    assert 0.4 < up < 0.98 and down < 0.8
    out = kernels_fermi.synchronous_step(
        population, payoffs, np.arange(3), top.indptr, top.indices, 1.0, 0.0, 2, uniforms
    )
    np.testing.assert_array_equal(out, [0, 0, 1])


def simulate(params, seed, steps=20, side=10, r=4.5):
    game = make_game("spatial_public_goods", {"side": side, "r": r})
    rng = np.random.default_rng(seed)
    learner = make_learner("fermi_imitation", params, LearnerContext.for_game(game), rng)
    sim = Simulation(
        game, [LearnerGroup(0, game.n_agents, learner)], make_mechanism("none", {}, game, rng), rng
    )
    history = []
    for _ in range(steps):
        sim.run(1)
        history.append(learner.strategies.copy())
    return np.array(history)


@pytest.mark.parametrize("update", ["random_sequential", "synchronous"])
def test_seeded_runs_reproduce(update):
    a = simulate({"update": update}, seed=7)
    b = simulate({"update": update}, seed=7)
    c = simulate({"update": update}, seed=8)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_initial_cooperation_fraction():
    game = make_game("spatial_public_goods", {"side": 100})
    ctx = LearnerContext.for_game(game)
    for p in (0.0, 0.3, 1.0):
        learner = make_learner(
            "fermi_imitation", {"initial_cooperation": p}, ctx, np.random.default_rng(1)
        )
        assert np.mean(learner.act(np.zeros(game.n_agents)) == 0) == pytest.approx(p, abs=0.02)


def test_without_a_payoff_structure_the_step_is_synchronous():
    ctx = make_context(6, n_actions=2)
    learner = make_learner("fermi_imitation", {}, ctx, np.random.default_rng(0))
    actions = learner.act(np.zeros(6, dtype=np.int64))
    stats = learner.update(Transition(actions, actions, np.zeros(6), actions))
    assert stats["synchronous"] == 1.0


def test_sub_population_group_only_changes_its_members():
    game = make_game("spatial_public_goods", {"side": 6, "r": 3.0})
    ctx = LearnerContext.for_game(game, 0, 18)
    learner = make_learner("fermi_imitation", {}, ctx, np.random.default_rng(0))
    others = np.ones(18, dtype=np.int64)  # defectors outside the group
    for _ in range(30):
        actions = np.concatenate([learner.act(np.zeros(18)), others])
        rewards = game.rewards_for(actions)
        learner.update(
            Transition(
                actions[:18],
                actions[:18],
                rewards[:18],
                actions[:18],
                population_actions=actions,
                population_rewards=rewards,
            )
        )
    assert learner.strategies.shape == (18,)
    np.testing.assert_array_equal(learner._population[18:], 1)  # outsiders untouched
    assert np.all(learner.strategies == 1)  # r = 3 < 3.74: cooperation dies out


@pytest.mark.parametrize(
    "params", [{"K": 0.0}, {"K": -1.0}, {"update": "async"}, {"initial_cooperation": 1.5}]
)
def test_bad_parameters(params):
    with pytest.raises(ConfigError):
        make_learner("fermi_imitation", params, make_context(4), np.random.default_rng(0))


@pytest.mark.parametrize("hood", ["von_neumann", "moore"])
def test_lattice_synchronous_kernel_equals_the_csr_kernel(hood):
    top = make_game("spatial_public_goods", {"side": 7, "neighbourhood": hood}).topology
    rng = np.random.default_rng(3)
    strategies = rng.integers(0, 2, 49).astype(np.int8)
    payoffs, uniforms = rng.normal(size=49), rng.random(49)
    expected = kernels_fermi.synchronous_step(
        strategies, payoffs, np.arange(49), top.indptr, top.indices, 2.0, 0.0, 2, uniforms
    )
    layout = kernels_fermi_lattice.lattice_offsets(top.indptr, top.indices)
    changed = kernels_fermi_lattice.lattice_synchronous_step(
        strategies, payoffs, *layout, 2.0, uniforms
    )
    np.testing.assert_array_equal(strategies, expected)
    assert 0 < changed < 49


def test_lattice_mcs_equals_the_csr_kernel_on_a_large_lattice():
    """The division-free row/column arithmetic holds on every site of a 300 × 300 lattice."""
    game = make_game("spatial_public_goods", {"side": 300, "r": 4.2})
    structure = game.overlapping_groups()
    rng = np.random.default_rng(5)
    n = game.n_agents
    strategies = rng.integers(0, 2, n).astype(np.int8)
    picks = np.concatenate([np.arange(n), rng.integers(0, n, 2 * n)])  # every site at least once
    uniforms = rng.random(picks.size)
    lattice = kernel_mcs(structure, strategies, picks, uniforms, 0.4, lattice=True)
    csr = kernel_mcs(structure, strategies, picks, uniforms, 0.4, lattice=False)
    np.testing.assert_array_equal(lattice, csr)
    assert 0 < np.count_nonzero(lattice != strategies)


@pytest.mark.parametrize("hood", ["von_neumann", "moore"])
def test_threaded_synchronous_kernel_equals_the_csr_kernel(hood):
    side = 260  # above PARALLEL_FROM: rows run on several threads
    assert side * side >= kernels_fermi_lattice.PARALLEL_FROM
    n = side * side
    top = make_game("spatial_public_goods", {"side": side, "neighbourhood": hood}).topology
    rng = np.random.default_rng(9)
    strategies = rng.integers(0, 2, n).astype(np.int8)
    payoffs, uniforms = rng.normal(size=n), rng.random(n)
    expected = kernels_fermi.synchronous_step(
        strategies, payoffs, np.arange(n), top.indptr, top.indices, 1.5, 0.0, 2, uniforms
    )
    layout = kernels_fermi_lattice.lattice_offsets(top.indptr, top.indices)
    first = strategies.copy()
    changed = kernels_fermi_lattice.lattice_synchronous_step(first, payoffs, *layout, 1.5, uniforms)
    np.testing.assert_array_equal(first, expected)
    assert changed == np.count_nonzero(expected != strategies) > 0
    again = strategies.copy()
    kernels_fermi_lattice.lattice_synchronous_step(again, payoffs, *layout, 1.5, uniforms)
    np.testing.assert_array_equal(again, first)  # deterministic whatever the threads


def test_population_actions_from_outside_resync_the_learner():
    game = make_game("spatial_public_goods", {"side": 6, "r": 4.5})
    rng = np.random.default_rng(2)
    learner = make_learner("fermi_imitation", {}, LearnerContext.for_game(game), rng)
    forced = np.zeros(36, dtype=np.int64)  # everyone cooperates: nothing to imitate
    rewards = game.rewards_for(forced)
    learner.update(Transition(forced, forced, rewards, forced, False, False, forced, rewards))
    np.testing.assert_array_equal(learner.strategies, forced)


def splitmix64_reference(seed, count):
    """SplitMix64 (Steele, Lea & Flood 2014) in plain Python integers, as uniforms."""
    mask, state, out = 2**64 - 1, seed, []
    for _ in range(count):
        state = (state + 0x9E3779B97F4A7C15) & mask
        z = ((state ^ (state >> 30)) * 0xBF58476D1CE4E5B9) & mask
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
        out.append((z ^ (z >> 31)) >> 11)
    return np.array(out, dtype=np.float64) / 2.0**53


@pytest.mark.parametrize("seed", [0, 1, 2**63 + 12345, 2**64 - 1])
def test_counter_based_uniforms_are_the_splitmix64_stream(seed):
    expected = splitmix64_reference(seed, 40)
    np.testing.assert_array_equal(kernels_random.uniforms(np.uint64(seed), 0, 40), expected)
    np.testing.assert_array_equal(kernels_random.uniforms(np.uint64(seed), 17, 5), expected[17:22])


@pytest.mark.parametrize(
    ("side", "hood", "low", "high"),
    [(5, "von_neumann", 0, 25), (6, "moore", 0, 36), (40, "von_neumann", 300, 1100)],
)
def test_seeded_lattice_mcs_equals_the_array_kernel_on_its_draws(side, hood, low, high):
    """The fused-RNG MCS is the array MCS (itself tested against the literal rule)."""
    game = make_game("spatial_public_goods", {"side": side, "neighbourhood": hood, "r": 4.4})
    top = game.topology
    layout = kernels_fermi_lattice.lattice_offsets(top.indptr, top.indices)
    rows, cols = kernels_fermi_lattice.wrap_tables(*layout)
    table = kernels_fermi_lattice.adoption_table(layout[1].size, 4.4, 4.4, 1.0, 1.0 / 0.3)
    rng = np.random.default_rng(side)
    start = rng.integers(0, 2, side * side).astype(np.int8)
    for seed in (kernels_random.draw_seed(rng) for _ in range(3)):
        fused, arrays = start.copy(), start.copy()
        counts_f = kernels_fermi_lattice.lattice_counts(fused, *layout, 0)
        counts_a = counts_f.copy()
        n_f = kernels_fermi_lattice.lattice_mcs_seeded(
            fused, counts_f, layout[0], rows, cols, table, 0, low, high, seed
        )
        picks, uniforms = kernels_fermi_lattice.seeded_picks(low, high, high - low, seed)
        assert picks.min() >= low and picks.max() < high
        n_a = kernels_fermi_lattice.lattice_mcs(
            arrays, counts_a, layout[0], rows, cols, table, 0, picks, uniforms
        )
        np.testing.assert_array_equal(fused, arrays)
        np.testing.assert_array_equal(counts_f, counts_a)
        np.testing.assert_array_equal(
            counts_f, kernels_fermi_lattice.lattice_counts(fused, *layout, 0)
        )
        assert n_f == n_a > 0


@pytest.mark.parametrize("side", [7, 260])
def test_seeded_synchronous_kernel_equals_the_array_kernel(side):
    top = make_game("spatial_public_goods", {"side": side}).topology
    layout = kernels_fermi_lattice.lattice_offsets(top.indptr, top.indices)
    rng = np.random.default_rng(4)
    start = rng.integers(0, 2, side * side).astype(np.int8)
    payoffs, seed = rng.normal(size=side * side), kernels_random.draw_seed(rng)
    fused, arrays = start.copy(), start.copy()
    n_f = kernels_fermi_lattice.lattice_synchronous_seeded(fused, payoffs, *layout, 2.0, seed)
    uniforms = kernels_random.uniforms(seed, 0, side * side)
    n_a = kernels_fermi_lattice.lattice_synchronous_step(arrays, payoffs, *layout, 2.0, uniforms)
    np.testing.assert_array_equal(fused, arrays)
    assert n_f == n_a > 0


def test_serial_and_threaded_variants_have_their_own_disk_cache():
    """Numba caches by qualified name: a shared name would load the other variant's code."""
    serial = kernels_fermi_lattice._synchronous_serial
    threaded = kernels_fermi_lattice._synchronous_parallel
    assert serial.py_func.__qualname__ != threaded.py_func.__qualname__
    assert threaded.targetoptions.get("parallel") and not serial.targetoptions.get("parallel")
