"""Invariants of the mechanisms over random games, rewards, actions and copies (hypothesis).

Every property is checked against a naive reference written out per agent / per pair here,
independent of the vectorised implementation.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from incentive_lab.core.registry import make_mechanism
from incentive_lab.mechanisms.inequity_aversion import envy_and_guilt
from incentive_lab.mechanisms.mutual_welfare import mutual_welfare

FAST = settings(max_examples=60, deadline=None, derandomize=True)


@st.composite
def situations(draw, max_agents=12, max_actions=3):
    """(copies, n_actions, seed, actions): an irregular random game and a joint action."""
    n = draw(st.integers(1, max_agents))
    copies = draw(st.lists(st.integers(0, 5), min_size=n, max_size=n))
    n_actions = draw(st.integers(2, max_actions))
    actions = draw(st.lists(st.integers(0, n_actions - 1), min_size=n, max_size=n))
    seed = draw(st.integers(0, 2**16))
    return np.array(copies), n_actions, seed, np.array(actions, dtype=np.int64)


# rewards with many ties (small integers) or arbitrary floats
reward_values = st.one_of(st.integers(-3, 3).map(float), st.floats(-100, 100))


def build(random_game, situation, mechanism_id, params):
    copies, n_actions, seed, actions = situation
    game = random_game(copies, n_actions, seed)
    rewards = game.rewards_for(actions)
    mechanism = make_mechanism(mechanism_id, params, game, np.random.default_rng(seed))
    return game, actions, rewards, mechanism.adjust(game, actions, rewards, {})


def members(copies, i):
    return [j for j in range(len(copies)) if copies[j] == copies[i]]


def copy_sums(values, copies):
    return {c: values[copies == c].sum() for c in np.unique(copies)}


# -- zero parameters are the identity -----------------------------------------------------------

IDENTITY_PARAMS = [
    ("none", {}),
    ("action_tax", {"taxes": "zeros"}),
    ("action_tax", {"taxes": "zeros", "budget_balanced": True}),
    ("inequity_aversion", {"alpha": 0.0, "beta": 0.0}),
    ("svo", {"angle": 0.0}),
    ("pigouvian_tax", {"scale": 0.0}),
    ("pigouvian_tax", {"scale": 0.0, "budget_balanced": True}),
]


@FAST
@given(situation=situations(), case=st.sampled_from(IDENTITY_PARAMS))
def test_zero_parameters_are_the_identity(random_game, situation, case):
    mechanism_id, params = case
    if params.get("taxes") == "zeros":
        params = {**params, "taxes": [0.0] * situation[1]}
    _, _, rewards, out = build(random_game, situation, mechanism_id, params)
    np.testing.assert_array_equal(out.shaped_rewards, rewards)
    np.testing.assert_array_equal(out.transfers, 0.0)
    assert out.cost == 0.0


# -- payments: shaped = base + transfers, cost = Σ|t|, budget balance ---------------------------


@FAST
@given(
    situation=situations(),
    taxes=st.lists(st.floats(-10, 10), min_size=3, max_size=3),
    balanced=st.booleans(),
)
def test_action_tax_accounting(random_game, situation, taxes, balanced):
    n_actions = situation[1]
    params = {"taxes": taxes[:n_actions], "budget_balanced": balanced}
    game, actions, rewards, out = build(random_game, situation, "action_tax", params)
    raw = -np.array(taxes[:n_actions])[actions]
    if balanced:
        expected = np.array([raw[i] - raw[members(game.copies, i)].mean() for i in range(len(raw))])
        for total in copy_sums(out.transfers, game.copies).values():
            assert abs(total) < 1e-9
    else:
        expected = raw
    np.testing.assert_allclose(out.transfers, expected, atol=1e-12)
    np.testing.assert_allclose(out.shaped_rewards, rewards + out.transfers)
    assert out.cost == np.abs(out.transfers).sum()


@FAST
@given(situation=situations(), scale=st.floats(0, 5), balanced=st.booleans(), c=st.integers(0, 1))
def test_pigouvian_tax_against_naive_externality(random_game, situation, scale, balanced, c):
    params = {"scale": scale, "budget_balanced": balanced, "default_action": c}
    game, actions, rewards, out = build(random_game, situation, "pigouvian_tax", params)
    copies = game.copies
    ext = np.zeros(len(actions))
    for i in range(len(actions)):
        clamped = actions.copy()
        clamped[i] = c
        counter = game.rewards_for(clamped)
        others = [j for j in members(copies, i) if j != i]
        ext[i] = sum(rewards[j] - counter[j] for j in others)
    expected = scale * ext
    if balanced:
        expected = np.array(
            [expected[i] - expected[members(copies, i)].mean() for i in range(len(ext))]
        )
        for total in copy_sums(out.transfers, copies).values():
            assert abs(total) < 1e-9
    np.testing.assert_allclose(out.transfers, expected, atol=1e-9)
    np.testing.assert_allclose(out.shaped_rewards, rewards + out.transfers)
    assert out.cost == np.abs(out.transfers).sum()


@FAST
@given(situation=situations(), c=st.integers(0, 1))
def test_difference_rewards_against_naive_clamping(random_game, situation, c):
    game, actions, rewards, out = build(
        random_game, situation, "difference_rewards", {"default_action": c}
    )
    copies = game.copies
    for i in range(len(actions)):
        clamped = actions.copy()
        clamped[i] = c
        group = members(copies, i)
        expected = rewards[group].sum() - game.rewards_for(clamped)[group].sum()
        assert abs(out.shaped_rewards[i] - expected) < 1e-9
    np.testing.assert_array_equal(out.transfers, 0.0)
    assert out.cost == 0.0


@FAST
@given(situation=situations(), c=st.integers(0, 1))
def test_pigouvian_tax_is_difference_reward_plus_own_default_reward(random_game, situation, c):
    # R_i + ext_i = G(a) − G(a_−i, c) + R_i(a_−i, c): same incentives as difference rewards.
    game, actions, _, pigou = build(random_game, situation, "pigouvian_tax", {"default_action": c})
    *_, diff = build(random_game, situation, "difference_rewards", {"default_action": c})
    for i in range(len(actions)):
        clamped = actions.copy()
        clamped[i] = c
        gap = pigou.shaped_rewards[i] - diff.shaped_rewards[i]
        assert abs(gap - game.rewards_for(clamped)[i]) < 1e-9


# -- pure shaping ------------------------------------------------------------------------------


@FAST
@given(data=st.data(), situation=situations(), normalise=st.booleans())
def test_team_reward_is_the_copy_total(random_game, data, situation, normalise):
    copies = situation[0]
    rewards = np.array(
        data.draw(st.lists(reward_values, min_size=len(copies), max_size=len(copies)))
    )
    game = random_game(*situation[:3])
    out = make_mechanism("team_reward", {"normalise": normalise}, game, None).adjust(
        game, situation[3], rewards, {}
    )
    for i in range(len(copies)):
        group = members(copies, i)
        expected = rewards[group].mean() if normalise else rewards[group].sum()
        assert abs(out.shaped_rewards[i] - expected) < 1e-9 * max(1.0, abs(expected))
        assert np.all(out.shaped_rewards[group] == out.shaped_rewards[i])  # constant in a copy
    assert out.cost == 0.0


def naive_fehr_schmidt(rewards, copies, alpha, beta):
    out = rewards.copy()
    for i in range(len(rewards)):
        others = [j for j in members(copies, i) if j != i]
        if others:
            envy = sum(max(rewards[j] - rewards[i], 0.0) for j in others)
            guilt = sum(max(rewards[i] - rewards[j], 0.0) for j in others)
            out[i] -= (alpha * envy + beta * guilt) / len(others)
    return out


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    data=st.data(),
    copies=st.lists(st.integers(0, 6), min_size=1, max_size=30),
    alpha=st.floats(0, 3),
    beta=st.floats(0, 3),
)
def test_inequity_aversion_equals_naive_quadratic(data, copies, alpha, beta):
    copies = np.array(copies, dtype=np.int64)
    rewards = np.array(
        data.draw(st.lists(reward_values, min_size=len(copies), max_size=len(copies)))
    )
    game = _ShapeOnly(copies)
    out = make_mechanism("inequity_aversion", {"alpha": alpha, "beta": beta}, game, None).adjust(
        game, np.zeros(len(copies), dtype=np.int64), rewards, {}
    )
    np.testing.assert_allclose(
        out.shaped_rewards, naive_fehr_schmidt(rewards, copies, alpha, beta), atol=1e-9, rtol=1e-9
    )
    envy, guilt = envy_and_guilt(rewards, copies)
    assert np.all(envy >= 0) and np.all(guilt >= 0)
    # every copy's total envy equals its total guilt (each unequal pair counted once each way)
    for c in np.unique(copies):
        assert abs(envy[copies == c].sum() - guilt[copies == c].sum()) < 1e-7


@FAST
@given(
    data=st.data(),
    copies=st.lists(st.integers(0, 4), min_size=1, max_size=10),
    smoothing=st.floats(0, 0.99),
    steps=st.integers(1, 4),
)
def test_smoothed_inequity_aversion_against_naive_traces(data, copies, smoothing, steps):
    copies = np.array(copies, dtype=np.int64)
    game = _ShapeOnly(copies)
    params = {"alpha": 1.3, "beta": 0.4, "smoothing": smoothing}
    mechanism = make_mechanism("inequity_aversion", params, game, None)
    trace = np.zeros(len(copies))
    for _ in range(steps):
        rewards = np.array(
            data.draw(st.lists(reward_values, min_size=len(copies), max_size=len(copies)))
        )
        trace = smoothing * trace + rewards
        out = mechanism.adjust(game, copies * 0, rewards, {})
        # utilities of the rewards, inequity measured on the traces
        expected = rewards + naive_fehr_schmidt(trace, copies, 1.3, 0.4) - trace
        np.testing.assert_allclose(out.shaped_rewards, expected, atol=1e-8, rtol=1e-9)


@FAST
@given(
    data=st.data(),
    copies=st.lists(st.integers(0, 4), min_size=1, max_size=15),
    angle=st.floats(-180, 180),
)
def test_svo_against_naive(data, copies, angle):
    copies = np.array(copies, dtype=np.int64)
    rewards = np.array(
        data.draw(st.lists(reward_values, min_size=len(copies), max_size=len(copies)))
    )
    game = _ShapeOnly(copies)
    out = make_mechanism("svo", {"angle": angle}, game, None).adjust(game, copies * 0, rewards, {})
    theta = np.deg2rad(angle)
    for i in range(len(copies)):
        others = [j for j in members(copies, i) if j != i]
        mean_others = rewards[others].mean() if others else 0.0
        expected = np.cos(theta) * rewards[i] + np.sin(theta) * mean_others
        assert abs(out.shaped_rewards[i] - expected) < 1e-9


@FAST
@given(
    data=st.data(),
    copies=st.lists(st.integers(0, 4), min_size=1, max_size=15),
    d=st.floats(-5, 5),
    kind=st.sampled_from(["cobb_douglas", "nash_product"]),
)
def test_mutual_welfare_zero_iff_someone_at_or_below_d(data, copies, d, kind):
    copies = np.array(copies, dtype=np.int64)
    rewards = np.array(
        data.draw(st.lists(st.floats(-10, 10), min_size=len(copies), max_size=len(copies)))
    )
    welfare = mutual_welfare(rewards, copies, kind, d)
    for i in range(len(copies)):
        group = members(copies, i)
        gains = rewards[group] - d
        if np.any(gains <= 0):
            assert welfare[i] == 0.0
        else:
            power = 1.0 / len(group) if kind == "cobb_douglas" else 1.0
            expected = np.prod(gains**power)
            assert welfare[i] > 0
            assert abs(welfare[i] - expected) <= 1e-9 * expected
    assert np.all(welfare >= 0)


@FAST
@given(
    gains=st.lists(st.floats(0.01, 10), min_size=2, max_size=2),
    other=st.lists(st.floats(0.01, 10), min_size=2, max_size=2),
    weight=st.floats(0, 1),
)
def test_cobb_douglas_is_concave(gains, other, weight):
    # two-player geometric mean sqrt(U·L): W(mix) >= mix of W (concavity on the gains)
    copies = np.array([0, 0])
    x, y = np.array(gains), np.array(other)
    mixed = mutual_welfare(weight * x + (1 - weight) * y, copies)[0]
    assert (
        mixed
        >= weight * mutual_welfare(x, copies)[0]
        + (1 - weight) * mutual_welfare(y, copies)[0]
        - 1e-9
    )


class _ShapeOnly:
    """The minimum a shaping mechanism reads from a game: ``copies`` and ``n_actions``."""

    n_actions = 2

    def __init__(self, copies):
        self.copies = copies
        self.n_agents = len(copies)
