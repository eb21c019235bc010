"""Auction payment rules: hand-computed cases and VCG = externality by brute force.

The brute force enumerates every assignment of items to bidders (unit demand: at most one
item each; unsold items are kept by the seller at the reserve), so the Clarke pivot
``p_i = W_{-i} − (W − b_i·w_i)`` is computed from its definition and compared with the
closed form of ``mechanisms.auction.payments``.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from incentive_lab.core import ConfigError, make_game, make_mechanism, make_rng
from incentive_lab.core.outcomes import AuctionOutcome
from incentive_lab.mechanisms.auction import payments as auction_payments


def outcome(bids, won, weights, reserve=0.0, demand="unit") -> AuctionOutcome:
    n = len(bids)
    return AuctionOutcome(
        bids=np.asarray(bids, dtype=float),
        won=np.asarray(won, dtype=float),
        item_weights=np.asarray(weights, dtype=float),
        reserve=reserve,
        demand=demand,
        copies=np.zeros(n, dtype=np.int64),
    )


def best_welfare(bids, weights, reserve, excluded=None) -> float:
    """Max over unit-demand assignments of reported welfare (+ reserve for unsold items)."""
    bidders = [i for i in range(len(bids)) if i != excluded]
    best = -np.inf
    # each item goes to a distinct bidder or to the seller (None)
    for owners in itertools.product([None, *bidders], repeat=len(weights)):
        taken = [o for o in owners if o is not None]
        if len(taken) != len(set(taken)):
            continue
        value = sum(
            reserve * q if o is None else bids[o] * q for o, q in zip(owners, weights, strict=True)
        )
        best = max(best, value)
    return float(best)


def test_single_item_hand_values() -> None:
    case = outcome([0.9, 0.5, 0.7], [1, 0, 0], [1.0])
    np.testing.assert_allclose(auction_payments.first_price(case), [0.9, 0, 0])
    np.testing.assert_allclose(auction_payments.second_price(case), [0.7, 0, 0])
    np.testing.assert_allclose(auction_payments.vcg(case), [0.7, 0, 0])


def test_two_identical_items_pay_the_third_bid() -> None:
    # bids 0.9, 0.6, 0.8, 0.3: winners 0 and 2; each displaces bidder 1 (0.6)
    case = outcome([0.9, 0.6, 0.8, 0.3], [1, 0, 1, 0], [1.0, 1.0])
    np.testing.assert_allclose(auction_payments.vcg(case), [0.6, 0, 0.6, 0])
    np.testing.assert_allclose(auction_payments.second_price(case), [0.6, 0, 0.6, 0])


def test_weighted_items_hand_values() -> None:
    # items 2 and 1; bids 0.9 (gets 2), 0.8 (gets 1), 0.5 (loses)
    # without 0: 0.8·2 + 0.5·1 = 2.1, others now 0.8 → pays 1.3 (= (2−1)·0.8 + 1·0.5)
    # without 1: 0.9·2 + 0.5 = 2.3, others now 1.8 → pays 0.5
    case = outcome([0.9, 0.8, 0.5], [2, 1, 0], [2.0, 1.0])
    np.testing.assert_allclose(auction_payments.vcg(case), [1.3, 0.5, 0.0])
    np.testing.assert_allclose(auction_payments.second_price(case), [1.0, 0.5, 0.0])


def test_reserve_acts_as_phantom_bidders() -> None:
    # one item, reserve 0.4: the lone eligible bidder pays the reserve
    case = outcome([0.9, 0.2], [1, 0], [1.0], reserve=0.4)
    np.testing.assert_allclose(auction_payments.vcg(case), [0.4, 0.0])
    np.testing.assert_allclose(auction_payments.second_price(case), [0.4, 0.0])


def test_additive_winner_pays_second_bid_for_every_item() -> None:
    case = outcome([0.3, 0.9, 0.6], [0, 3, 0], [2.0, 1.0], demand="additive")
    np.testing.assert_allclose(auction_payments.vcg(case), [0, 1.8, 0])


@pytest.mark.parametrize("seed", range(25))
def test_vcg_equals_externality_by_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_bidders = int(rng.integers(2, 5))
    n_items = int(rng.integers(1, n_bidders + 1))
    weights = rng.uniform(0.2, 2.0, size=n_items).round(2).tolist()
    reserve = float(rng.choice([0.0, 0.3]))
    game = make_game(
        "auction",
        {
            "n_bidders": n_bidders,
            "n_items": n_items,
            "item_weights": weights,
            "reserve": reserve,
            "bid_levels": 21,
        },
    )
    game.reset(make_rng(seed))
    result = game.step(rng.integers(0, 21, size=n_bidders))
    case: AuctionOutcome = result.info["auction"]
    bids, won, q = case.bids, case.won, case.item_weights
    unsold = q.sum() - won.sum()
    realised = float(bids @ won + reserve * unsold)
    # the game's allocation is efficient in the reported values
    assert realised == pytest.approx(best_welfare(bids, q, reserve), abs=1e-12)
    payments = auction_payments.vcg(case)
    for i in range(n_bidders):
        others_with_i = realised - bids[i] * won[i]
        expected = best_welfare(bids, q, reserve, excluded=i) - others_with_i
        assert payments[i] == pytest.approx(expected, abs=1e-12)
    assert np.all(payments >= -1e-12)  # budget feasible: revenue ≥ 0
    assert np.all(payments <= bids * won + 1e-12)  # never more than the bid


def test_mechanisms_charge_payments_and_report_revenue() -> None:
    game = make_game("auction", {"n_bidders": 3, "n_copies": 4})
    game.reset(make_rng(0))
    actions = np.full(game.n_agents, 10, dtype=np.int64)
    result = game.step(actions)
    for rule in ("first_price", "second_price", "vcg"):
        mechanism = make_mechanism(rule, {}, game, make_rng(1))
        adjustment = mechanism.adjust(game, actions, result.rewards, result.info)
        assert np.all(adjustment.transfers <= 0)
        np.testing.assert_allclose(adjustment.shaped_rewards, result.rewards + adjustment.transfers)
        stats = mechanism.update(game, actions, result.rewards, adjustment)
        assert stats["revenue"] == pytest.approx(-adjustment.transfers.sum() / 4)
    # truthful bids: second price = VCG for one item
    sp = make_mechanism("second_price", {}, game, make_rng(1))
    vcg = make_mechanism("vcg", {}, game, make_rng(1))
    np.testing.assert_allclose(
        sp.adjust(game, actions, result.rewards, result.info).transfers,
        vcg.adjust(game, actions, result.rewards, result.info).transfers,
    )


def test_rules_reject_games_they_do_not_fit() -> None:
    full = make_game("auction", {"n_bidders": 2, "n_items": 2})
    with pytest.raises(ConfigError, match=r"game\.params\.n_items.*fewer than n_bidders=2"):
        make_mechanism("second_price", {}, full, make_rng(0))
    make_mechanism("vcg", {}, full, make_rng(0))  # VCG is defined: nobody is displaced
    with pytest.raises(ConfigError, match=r"mechanism\.id.*auction game"):
        make_mechanism("vcg", {}, make_game("prisoners_dilemma"), make_rng(0))
