"""Abandon the worse (``repel``): hand cases, the kernels, and the large-population limit.

The mean-field expectations (module docstrings of ``proportional_imitation`` and
``fermi_imitation``) are checked at ``N = 10⁵`` exactly, finite-``N`` terms included: from a
state with ``n_0`` players of strategy 0, payoffs ``f_s + ε`` with i.i.d. Gaussian noise
(``η = ε_i − ε_j ~ N(0, 2σ²)``) and a uniform *other* member as role model::

    E[Δn_0] = −n_0·(n_1·p(0→1) + (n_0 − 1)·a)/(N − 1) + n_1·(n_0·p(1→0) + (n_1 − 1)·a)/(N − 1)

``p`` the imitation probability of a model of the other strategy, ``a`` the probability of
moving away from a same-strategy model (both averaged over ``η`` by quadrature).
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest
from gymnasium import spaces
from scipy.integrate import quad

from incentive_lab.core import ConfigError, LearnerContext, Topology, Transition, make_game
from incentive_lab.core import make_learner as build
from incentive_lab.learners.imitation import _kernels_fermi as kernels
from incentive_lab.learners.imitation.fermi_imitation import FermiImitationParams
from incentive_lab.learners.imitation.proportional_imitation import (
    ProportionalImitationParams,
    away_from,
)

N, X0, F0, F1, SIGMA = 100_000, 0.3, 1.0, 0.6, 0.3
REPLICATES = 12


def context(m: int, n_actions: int = 2, topology: Topology | None = None) -> LearnerContext:
    return LearnerContext(
        agents=np.arange(m, dtype=np.int64),
        n_actions=n_actions,
        observation_space=spaces.Discrete(1),
        population_size=m,
        topology=topology,
    )


def noise_mean(g) -> float:
    """``E[g(η)]`` for ``η ~ N(0, 2σ²)`` by quadrature."""
    s = SIGMA * math.sqrt(2.0)
    density = lambda e: math.exp(-0.5 * (e / s) ** 2) / (s * math.sqrt(2.0 * math.pi))  # noqa: E731
    return quad(lambda e: g(e) * density(e), -12 * s, 12 * s, limit=200, points=[0.0])[0]


def expected_share_change(p01: float, p10: float, a: float) -> float:
    n0 = round(X0 * N)
    n1 = N - n0
    loss = n0 * (n1 * p01 + (n0 - 1) * a) / (N - 1)
    gain = n1 * (n0 * p10 + (n1 - 1) * a) / (N - 1)
    return (gain - loss) / N


def simulated_share_change(learner_id: str, params: dict) -> tuple[float, float]:
    """Mean and standard error of ``Δx`` over independent one-step replicates."""
    changes = []
    for seed in range(REPLICATES):
        rng = np.random.default_rng(seed)
        actions = np.ones(N, dtype=np.int64)
        actions[rng.permutation(N)[: round(X0 * N)]] = 0
        payoffs = np.where(actions == 0, F0, F1) + rng.normal(0.0, SIGMA, N)
        learner = build(learner_id, params, context(N), np.random.default_rng(1000 + seed))
        obs = np.zeros(N, dtype=np.int64)
        if learner_id == "proportional_imitation":
            learner.strategies = actions.copy()
            transition = Transition(obs, actions, payoffs, obs)
        else:
            transition = Transition(obs, actions, payoffs, obs, False, False, actions, payoffs)
        learner.update(transition)
        after = learner.act(obs)
        changes.append(np.mean(after == 0) - X0)
    return float(np.mean(changes)), float(np.std(changes, ddof=1) / math.sqrt(REPLICATES))


DELTA, PROP_REPEL = 4.0, 2.0


def proportional_terms(repel: float) -> tuple[float, float, float]:
    def h(d: float) -> float:
        return noise_mean(lambda e: min(max(d + e, 0.0), DELTA) / DELTA)

    a = noise_mean(lambda e: min(repel * max(e, 0.0) / DELTA, 1.0))
    return h(F1 - F0), h(F0 - F1), a


def test_proportional_mean_field_at_large_n():
    params = {"delta_max": DELTA, "role_model": "population", "repel": PROP_REPEL}
    mean, se = simulated_share_change("proportional_imitation", params)
    expected = expected_share_change(*proportional_terms(PROP_REPEL))
    plain = expected_share_change(*proportional_terms(0.0))
    # the repel term q·((1−x)² − x²) is far outside the interval: the test can tell them apart
    assert abs(expected - plain) > 20 * se
    assert mean == pytest.approx(expected, abs=4 * se + 1e-12)
    # large-N closed form: x(1−x)(f0 − f1)/Δmax + q(1 − 2x), q ≈ repel·E[η⁺]/Δmax
    q = PROP_REPEL * SIGMA * math.sqrt(2.0) / math.sqrt(2.0 * math.pi) / DELTA
    closed = X0 * (1 - X0) * (F0 - F1) / DELTA + q * (1 - 2 * X0)
    assert expected == pytest.approx(closed, abs=1e-4)


K, FERMI_REPEL = 0.5, 0.8


def fermi_terms(repel: float) -> tuple[float, float, float]:
    def w(d: float) -> float:  # adoption of a model whose payoff exceeds one's own by d + η
        return noise_mean(lambda e: 1.0 / (1.0 + math.exp(-(d + e) / K)))

    a = noise_mean(lambda e: min(1.0, repel * math.tanh(e / (2 * K))) if e > 0 else 0.0)
    return w(F1 - F0), w(F0 - F1), a


def test_fermi_mean_field_at_large_n():
    params = {"K": K, "update": "synchronous", "repel": FERMI_REPEL}
    mean, se = simulated_share_change("fermi_imitation", params)
    expected = expected_share_change(*fermi_terms(FERMI_REPEL))
    plain = expected_share_change(*fermi_terms(0.0))
    assert abs(expected - plain) > 20 * se
    assert mean == pytest.approx(expected, abs=4 * se + 1e-12)


@pytest.mark.parametrize(
    ("learner_id", "params"),
    [
        ("proportional_imitation", {"delta_max": 2.0, "role_model": "population"}),
        ("fermi_imitation", {"K": 0.5, "update": "synchronous"}),
    ],
)
def test_without_payoff_noise_repel_does_nothing_well_mixed(learner_id, params):
    # every player of a strategy earns the same: no lower-paid model shares one's strategy
    m = 2000
    actions = (np.arange(m) % 3 == 0).astype(np.int64)
    payoffs = np.where(actions == 0, 1.0, 0.4)
    outcomes = []
    for repel in (0.0, 3.0):
        learner = build(
            learner_id, {**params, "repel": repel}, context(m), np.random.default_rng(7)
        )
        obs = np.zeros(m, dtype=np.int64)
        if learner_id == "proportional_imitation":
            learner.strategies = actions.copy()
        transition = Transition(obs, actions, payoffs, obs, False, False, actions, payoffs)
        learner.update(transition)
        outcomes.append(learner.act(obs))
    np.testing.assert_array_equal(outcomes[0], outcomes[1])
    assert not np.array_equal(outcomes[0], actions)  # imitation itself did act


def test_fermi_away_probability_by_hand():
    # two neighbours with the same strategy; agent 0 earns 1, agent 1 earns 0 (K = 0.5):
    # agent 0 leaves w.p. 0.6·tanh(1/(2·0.5)) = 0.4570, agent 1 (the worse) never moves
    edge = Topology.from_edges(2, np.array([[0, 1]]))
    trials, moved = 4000, np.zeros(2)
    payoffs, actions = np.array([1.0, 0.0]), np.array([1, 1])
    for seed in range(0, trials, 200):
        learner = build(
            "fermi_imitation",
            {"K": 0.5, "update": "synchronous", "repel": 0.6},
            context(2, topology=edge),
            np.random.default_rng(seed),
        )
        obs = np.zeros(2, dtype=np.int64)
        for _ in range(200):
            transition = Transition(obs, actions, payoffs, obs, False, False, actions, payoffs)
            learner.update(transition)
            moved += learner.act(obs) != actions
    p = 0.6 * math.tanh(1.0)
    assert moved[1] == 0
    assert moved[0] / trials == pytest.approx(p, abs=4 * math.sqrt(p * (1 - p) / trials))


def test_proportional_away_probability_by_hand_with_three_actions():
    # agent 0 (payoff 1.5) meets agent 1 (payoff 0.5), both play action 1, Δmax = 2, repel 1.2:
    # q = min(1.2·1/2, 1) = 0.6, and the new action is 0 or 2 with probability 1/2 each
    edge = Topology.from_edges(2, np.array([[0, 1]]))
    params = {"delta_max": 2.0, "role_model": "neighbour", "repel": 1.2}
    counts = np.zeros(3)
    trials = 4000
    learner = build("proportional_imitation", params, context(2, 3, edge), np.random.default_rng(3))
    obs = np.zeros(2, dtype=np.int64)
    actions = np.array([1, 1])
    for _ in range(trials):
        learner.strategies = actions.copy()
        learner.update(Transition(obs, actions, np.array([1.5, 0.5]), obs))
        counts += np.bincount(learner.strategies[:1], minlength=3)
        assert learner.strategies[1] == 1
    assert counts[1] / trials == pytest.approx(0.4, abs=4 * math.sqrt(0.24 / trials))
    assert counts[0] / trials == pytest.approx(0.3, abs=4 * math.sqrt(0.21 / trials))


def test_away_from_redraws_each_shared_component():
    # game_selection with 3 games: action = 2·game + strategy, factors [3, 2]
    own, other = np.array([2, 2, 3, 3]), np.array([3, 3, 3, 3])  # (1, C) vs (1, D); equal
    v = np.array([0.25, 0.75, 0.25, 0.75])
    got = away_from(own, other, v, (3, 2))
    # shared game 1 → game 0 (v = .25) or game 2 (v = .75); differing strategy C is kept;
    # (1, D) vs (1, D): new game as before, strategy flipped to C
    assert got.tolist() == [0, 4, 0, 4]
    assert away_from(np.array([1]), np.array([1]), np.array([0.9]), (2,)).tolist() == [0]


def test_game_selection_factors_abandon_the_game_type():
    game = make_game("game_selection", {"n_agents": 2, "games": [[1.5, -0.5], [0.5, 0.5]]})
    edge = Topology.from_edges(2, np.array([[0, 1]]))
    ctx = LearnerContext(
        agents=np.arange(2, dtype=np.int64),
        n_actions=game.n_actions,
        observation_space=game.observation_space,
        population_size=2,
        topology=edge,
    )
    params = {"delta_max": 1.0, "repel": 5.0, "action_factors": [2, 2]}
    learner = build("proportional_imitation", params, ctx, np.random.default_rng(0))
    actions = np.array([2, 3])  # both in game 1; agent 0 cooperates, agent 1 defects
    learner.strategies = actions.copy()
    obs = np.zeros(2, dtype=np.int64)
    learner.update(Transition(obs, actions, np.array([1.0, 0.2]), obs))
    # agent 0 (richer) leaves game 1 for game 0 and keeps C; agent 1 (poorer) copies agent 0
    # with probability 0.8 or keeps its type
    assert learner.strategies[0] == 0
    assert learner.strategies[1] in (2, 3)


def literal_repel_mcs(structure, strategies, picks, uniforms, k, repel):
    """The textbook elementary updates with abandon moves, payoffs recomputed every time."""
    strategies = strategies.copy()
    for x, u in zip(picks, uniforms, strict=True):
        neighbours = structure.topology.neighbours(x)
        j = int(u * len(neighbours))
        y, f = neighbours[j], u * len(neighbours) - j
        payoffs = structure.payoffs(strategies)
        gap = payoffs[x] - payoffs[y]
        if strategies[x] != strategies[y]:
            if f < 1.0 / (1.0 + math.exp(gap / k)):
                strategies[x] = strategies[y]
        elif gap > 0 and f < min(1.0, repel * math.tanh(gap / (2 * k))):
            strategies[x] = 1 - strategies[y]
    return strategies


@pytest.mark.parametrize("case", ["lattice", "graph"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_repel_kernel_follows_the_literal_rule(case, seed):
    if case == "graph":
        graph = nx.random_regular_graph(3, 16, seed=seed)
        game = make_game("spatial_public_goods", {"graph": graph, "r": 3.5})
    else:
        game = make_game("spatial_public_goods", {"side": 4, "r": 3.5})
    structure = game.overlapping_groups()
    top = structure.topology
    rng = np.random.default_rng(seed)
    start = rng.integers(0, 2, top.n).astype(np.int8)
    picks = rng.integers(0, top.n, 5 * top.n)
    uniforms = rng.random(picks.size)
    strategies = start.copy()
    counts = kernels.group_counts(strategies, top.indptr, top.indices, 0)
    inverse = 1.0 / (top.degrees + 1.0)
    rule = (structure.r_c, structure.r_d, structure.cost, 0, 1.0 / 0.7)
    args = (top.indptr, top.indices, *rule, 0.9, 2, picks, uniforms)
    kernels.random_sequential_step(strategies, counts, inverse, *args)
    expected = literal_repel_mcs(structure, start, picks, uniforms, 0.7, 0.9)
    np.testing.assert_array_equal(strategies, expected)
    np.testing.assert_array_equal(
        counts, kernels.group_counts(strategies, top.indptr, top.indices, 0)
    )


def test_repel_zero_is_not_stored_so_old_run_ids_hold():
    assert "repel" not in FermiImitationParams().model_dump()
    assert FermiImitationParams(repel=0.5).model_dump()["repel"] == 0.5
    dumped = ProportionalImitationParams().model_dump()
    assert "repel" not in dumped and "action_factors" not in dumped


def test_bad_repel_input_is_a_config_error():
    with pytest.raises(ConfigError, match="repel"):
        build("fermi_imitation", {"repel": -0.1}, context(4), np.random.default_rng(0))
    with pytest.raises(ConfigError, match="action_factors"):
        build(
            "proportional_imitation",
            {"action_factors": [3, 2]},
            context(4, 4),
            np.random.default_rng(0),
        )


@pytest.mark.parametrize("update", ["random_sequential", "synchronous"])
def test_repel_on_a_lattice_keeps_the_group_counts_and_reproduces(update):
    from incentive_lab.core import make_mechanism
    from incentive_lab.rollout import LearnerGroup, Simulation

    def run(seed):
        game = make_game("spatial_public_goods", {"side": 12, "r": 4.5})
        rng = np.random.default_rng(seed)
        params = {"K": 0.5, "update": update, "repel": 0.3}
        learner = build("fermi_imitation", params, LearnerContext.for_game(game), rng)
        mechanism = make_mechanism("none", {}, game, rng)
        Simulation(game, [LearnerGroup(0, game.n_agents, learner)], mechanism, rng).run(20)
        return game, learner

    game, learner = run(4)
    strategies = learner.strategies
    np.testing.assert_array_equal(strategies, run(4)[1].strategies)
    if update == "random_sequential":  # the incremental counts the kernel keeps stay exact
        top = game.topology
        expected = kernels.group_counts(strategies.astype(np.int8), top.indptr, top.indices, 0)
        np.testing.assert_array_equal(learner._counts, expected)
