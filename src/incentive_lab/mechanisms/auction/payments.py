"""Payment rules of sealed-bid auctions, as pure functions of an ``AuctionOutcome``.

Input: the :class:`~incentive_lab.core.outcomes.AuctionOutcome` an auction game publishes
(bids ``b_i`` per unit of item weight, item weight won ``w_i``, item weights
``q_0 ≥ … ≥ q_{k−1}``, reserve ``R``, demand, copies — contiguous, equal-sized). Output:
what each bidder pays, ``float64[n] ≥ 0`` (the mechanism's transfer is ``−payment``).
Inside each copy bidders are ranked by weight won, then by bid (so winners come first, the
r-th ranked winner holding the r-th heaviest item); ``b_(r)`` is the r-th ranked bid
(``b_(r) = 0`` past the last bidder) and ``E_r = max(b_(r), R)``.

* ``first_price``:  ``p_i = b_i·w_i`` — pay your bid.
* ``second_price``: ``p_i = max(R, highest losing bid)·w_i`` — every winner pays the
  highest losing bid per unit of item weight (Vickrey; for identical items the uniform
  (k+1)-th price auction, which equals VCG; for heterogeneous items it is *not* VCG).
* ``vcg`` (Clarke pivot): ``p_i`` = the welfare (in reported values) the others would have
  without ``i`` minus the welfare they have with ``i``, counting the seller's reserve as
  phantom bidders bidding ``R``. In closed form, unit demand (assortative assignment):
  ``p_(r) = Σ_{s=r}^{k−1} (q_s − q_{s+1})·E_{s+1}`` with ``q_k = 0``; additive demand (the
  top bid takes all): ``p_(0) = E_1·Σ_j q_j``. Losers pay nothing. Payments never exceed
  the winner's bid times its weight (individually rational for truthful bidders) and are
  ≥ 0, so VCG revenue is non-negative here.

References: Vickrey (1961); Clarke (1971); Groves (1973); Edelman, Ostrovsky & Schwarz
(2007) and Varian (2007) for the position-auction (weighted items) closed form;
Krishna, *Auction Theory* (2010), ch. 2 and 12.
"""

from __future__ import annotations

import numpy as np

from incentive_lab.core.outcomes import AuctionOutcome
from incentive_lab.core.types import FloatArray, IntArray


def _grid(outcome: AuctionOutcome) -> tuple[int, int]:
    n = outcome.bids.shape[0]
    n_copies = int(outcome.copies[-1]) + 1 if n else 1
    return n_copies, n // n_copies


def ranked(outcome: AuctionOutcome) -> tuple[IntArray, FloatArray, FloatArray]:
    """``(order, bids, won)`` per copy ``[C, n_b]``: bidders by weight won, then bid (desc)."""
    shape = _grid(outcome)
    bids, won = outcome.bids.reshape(shape), outcome.won.reshape(shape)
    order = np.lexsort((-bids, -won)).astype(np.int64)
    return order, np.take_along_axis(bids, order, 1), np.take_along_axis(won, order, 1)


def _unrank(order: IntArray, sorted_payments: FloatArray) -> FloatArray:
    payments = np.empty_like(sorted_payments)
    np.put_along_axis(payments, order, sorted_payments, axis=1)
    return payments.reshape(-1)


def first_price(outcome: AuctionOutcome) -> FloatArray:
    """``p_i = b_i·w_i``."""
    payments: FloatArray = outcome.bids * outcome.won
    return payments


def highest_losing_bid(outcome: AuctionOutcome) -> FloatArray:
    """``float64[C]``: the highest bid of a bidder who won nothing, per copy (0 if none)."""
    shape = _grid(outcome)
    losing = np.where(outcome.won.reshape(shape) > 0, 0.0, outcome.bids.reshape(shape))
    result: FloatArray = losing.max(axis=1)
    return result


def second_price(outcome: AuctionOutcome) -> FloatArray:
    """``p_i = max(R, highest losing bid of i's copy)·w_i``."""
    price = np.maximum(highest_losing_bid(outcome), outcome.reserve)
    n_bidders = _grid(outcome)[1]
    payments: FloatArray = np.repeat(price, n_bidders) * outcome.won
    return payments


def vcg(outcome: AuctionOutcome) -> FloatArray:
    """Clarke-pivot payments (closed forms in the module docstring)."""
    order, bids, won = ranked(outcome)
    n_copies, n_bidders = bids.shape
    q = outcome.item_weights
    k = q.shape[0]
    padded = np.zeros((n_copies, max(n_bidders, k + 1)))
    padded[:, :n_bidders] = bids
    competing = np.maximum(padded, outcome.reserve)  # E_r
    sorted_payments = np.zeros((n_copies, n_bidders))
    if outcome.demand == "additive":
        sorted_payments[:, 0] = competing[:, 1] * q.sum()
    else:
        drops = q - np.append(q[1:], 0.0)  # q_s − q_{s+1}, s = 0..k−1
        terms = drops[None, :] * competing[:, 1 : k + 1]
        by_rank = np.cumsum(terms[:, ::-1], axis=1)[:, ::-1]  # Σ_{s ≥ r}
        width = min(k, n_bidders)
        sorted_payments[:, :width] = by_rank[:, :width]
    sorted_payments = np.where(won > 0, sorted_payments, 0.0)
    return _unrank(order, sorted_payments)
