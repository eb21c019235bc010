"""The data shaping behind the game-specific figures: fits, references, fields, snapshots."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incentive_lab.core import make_game, make_rng
from incentive_lab.evaluation.figures.allocation import (
    bucket_table,
    expected_revenue,
    first_price_equilibrium,
)
from incentive_lab.evaluation.figures.subsample import fit_c, paired_gaps, reference_curve
from incentive_lab.evaluation.game_series import _column_labels
from incentive_lab.evaluation.snapshots import (
    MAX_SIDE,
    decode_snapshot,
    encode_field,
    lattice_snapshot,
)

# -- SUB-SAMPLE-Q -----------------------------------------------------------------------


def test_reference_curve_is_one_at_k_1_and_one_over_n_at_k_n() -> None:
    assert reference_curve(np.array([1.0]), 8)[0] == pytest.approx(1.0)
    assert reference_curve(np.array([8.0]), 8)[0] == pytest.approx(1 / 8)
    assert np.all(np.diff(reference_curve(np.arange(1, 9), 8)) < 0)


def test_fit_c_recovers_the_constant_and_is_least_squares() -> None:
    k = np.arange(1, 9, dtype=float)
    assert fit_c(k, 0.7 * reference_curve(k, 8), 8) == pytest.approx(0.7)
    noisy = 0.7 * reference_curve(k, 8) + make_rng(3).normal(0, 0.02, k.size)
    f = reference_curve(k, 8)[:, None]
    expected = np.linalg.lstsq(f, noisy, rcond=None)[0][0]
    assert fit_c(k, noisy, 8) == pytest.approx(expected)


def test_paired_gaps_are_per_seed_differences_to_the_largest_k() -> None:
    table = pd.DataFrame(
        {1: [1.0, 2.0, 5.0], 4: [3.0, 3.5, np.nan], 2: [2.0, 3.0, 6.0]}, index=[0, 1, 2]
    )
    ks, gaps = paired_gaps(table)
    assert ks.tolist() == [1.0, 2.0, 4.0]
    assert gaps.tolist() == [[2.0, 1.0, 0.0], [1.5, 0.5, 0.0]]  # seed 2 lacks k = 4


# -- auctions ---------------------------------------------------------------------------


def test_first_price_equilibrium_and_revenue_equivalence() -> None:
    v = np.array([0.0, 0.5, 1.0])
    assert first_price_equilibrium(v, 2).tolist() == [0.0, 0.25, 0.5]
    assert first_price_equilibrium(np.array([3.0]), 4, low=1.0)[0] == pytest.approx(2.5)
    draws = np.sort(make_rng(0).uniform(0, 1, (200_000, 3)), axis=1)[:, -2]
    assert expected_revenue(3) == pytest.approx(draws.mean(), abs=0.003)  # = 1/2
    assert expected_revenue(2, 1.0, 3.0) == pytest.approx(1 + 2 / 3)


def test_bucket_table_turns_fractions_into_bids_at_bucket_midpoints() -> None:
    stats = pd.DataFrame(
        {
            "series": ["fp", "fp", "fp"],
            "metric": ["bid_fraction_bucket_4", "bid_fraction_bucket_0", "efficiency"],
            "mean": [0.5, 0.8, 0.9],
            "ci_low": [0.4, 0.8, 0.9],
            "ci_high": [0.6, 0.8, 0.9],
        }
    )
    table = bucket_table(stats, 0.0, 1.0, 5)
    assert table["bucket"].tolist() == [0, 4]
    assert table["value"].tolist() == pytest.approx([0.1, 0.9])
    assert table["bid"].tolist() == pytest.approx([0.08, 0.45])
    assert table["bid_low"].tolist() == pytest.approx([0.08, 0.36])


def test_auction_bucket_metric_is_the_mean_fraction_per_value_bucket() -> None:
    game = make_game("auction", {"n_bidders": 4, "n_copies": 50, "n_value_buckets": 3})
    game.reset(make_rng(1))
    values = game.values
    actions = make_rng(2).integers(0, game.n_actions, game.n_agents)
    metrics = game.step(actions).info["metrics"]
    buckets = np.minimum((values * 3).astype(int), 2)
    for b in range(3):
        expected = game.fractions[actions[buckets == b]].mean()
        assert metrics[f"bid_fraction_bucket_{b}"] == pytest.approx(expected)
    many = make_game("auction", {"n_value_buckets": 50})
    many.reset(make_rng(1))
    assert not any(
        k.startswith("bid_fraction_bucket") for k in many.step(np.zeros(2, int)).info["metrics"]
    )


# -- differentiable games: the individual-gradient field ---------------------------------


def test_pgg_field_points_to_the_nash_equilibrium() -> None:
    pytest.importorskip("torch")
    from incentive_lab.evaluation.figures.dynamics import gradient_field

    xs = np.linspace(0.05, 0.95, 5)
    flow = gradient_field("differentiable_pgg", {"n_players": 2, "p": 1.5}, xs, xs)
    assert flow is not None
    points, velocity = flow
    assert points == pytest.approx(np.column_stack([a.ravel() for a in np.meshgrid(xs, xs)]))
    # da_i/dt = σ'(θ)·σ'(θ)·(p/2 − 1) = (a(1 − a))²·(−0.25)
    expected = (points * (1 - points)) ** 2 * (1.5 / 2 - 1)
    assert velocity == pytest.approx(expected, rel=1e-3)


def test_toy_field_is_the_analytic_individual_gradient() -> None:
    pytest.importorskip("torch")
    from incentive_lab.evaluation.figures.dynamics import gradient_field

    xs = np.array([-0.5, 0.3])
    flow = gradient_field("differentiable_toy", {}, xs, xs)
    assert flow is not None
    (a1, a2), (u, v) = flow[0].T, flow[1].T
    assert u == pytest.approx(np.cos(a1 * a2 + a2**2) * a2, rel=1e-3, abs=1e-6)
    inner = 1 + a1 - (1 + a2) ** 2 + a1 * a2**2  # r_2 = cos(inner)
    assert v == pytest.approx(-np.sin(inner) * (-2 * (1 + a2) + 2 * a1 * a2), rel=1e-3, abs=1e-6)


def test_matrix_field_in_the_prisoners_dilemma_leaves_cooperation() -> None:
    pytest.importorskip("torch")
    from incentive_lab.evaluation.figures.dynamics import gradient_field

    xs = np.linspace(0.1, 0.9, 4)
    flow = gradient_field("matrix_mixed", {"preset": "prisoners_dilemma"}, xs, xs)
    assert flow is not None
    assert np.all(flow[1] < 0)  # defection strictly dominates
    assert gradient_field("differentiable_pgg", {"n_players": 3}, xs, xs) is None


# -- series labels ----------------------------------------------------------------------


def test_series_labels_are_short_unless_ids_collide() -> None:
    labels = _column_labels(["aga(lam=0.1,lr=1.0)", "simul_co(lr=1.0)"], "learners")
    assert sorted(labels.values()) == ["aga", "simul_co"]
    clash = _column_labels(["aga(lam=0.1)", "aga(lam=1.0)"], "learners")
    assert sorted(clash.values()) == ["aga(lam=0.1)", "aga(lam=1.0)"]
    assert set(_column_labels([3.0, 5.5], "game.params.r").values()) == {"r=3", "r=5.5"}


# -- lattice snapshots ------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 40), st.integers(1, 40), st.integers(0, 2**32 - 1))
def test_snapshot_round_trips(h: int, w: int, seed: int) -> None:
    field = make_rng(seed).integers(0, 2, (h, w))
    assert np.array_equal(decode_snapshot(encode_field(field, max(h, w), 1)), field)


def test_large_lattices_are_strided_to_at_most_max_side() -> None:
    game = make_game("spatial_public_goods", {"side": 450})
    actions = make_rng(0).integers(0, 2, game.n_agents)
    record = lattice_snapshot(game, actions)
    assert record is not None and record["stride"] == 3
    field = decode_snapshot(record)
    assert field.shape == (150, 150) and max(field.shape) <= MAX_SIDE
    assert np.array_equal(field, actions.reshape(450, 450)[::3, ::3])
    assert len(record["bits"]) < 4000  # 150² bits, base64
    assert (
        lattice_snapshot(make_game("congestion", {"preset": "pigou"}), np.zeros(100, int)) is None
    )
