"""Auction payment rules: who pays what in a sealed-bid auction.

Registers ``first_price``, ``second_price`` and ``vcg`` (:mod:`.rules`: the rules as
mechanisms on an ``auction`` game's outcome), computed by the pure payment functions of
:mod:`.payments`. A reserve price is the ``auction`` game's ``reserve`` parameter, honoured
by every rule.
"""

from incentive_lab.mechanisms.auction import rules

__all__ = ["rules"]
