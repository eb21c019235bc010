"""Learning recommenders: agents that choose item slates for the users they serve.

They need a game offering ``slate_choice`` (``core.slate_choice``; the ``recommender``
game with ``agents_choose: items``). Registers ``recsys_bpr`` (online BPR matrix
factorisation, :mod:`.bpr`) and ``recsys_linucb`` (per-user LinUCB over item features,
:mod:`.linucb`). What they share (the channel, exploration, top-``k``) is in
:mod:`._base`.
"""

from incentive_lab.learners.recsys import bpr, linucb

__all__ = ["bpr", "linucb"]
