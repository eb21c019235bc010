"""Learning recommenders: agents that choose item slates for the users they serve.

They need a game offering ``slate_choice`` (``core.slate_choice``; the ``recommender``
game with ``agents_choose: items``). Registers ``recsys_bpr`` (online BPR matrix
factorisation, :mod:`.bpr`), ``recsys_linucb`` (per-user LinUCB over item features,
:mod:`.linucb`) and ``recsys_llm`` (a chat model ranks retrieved candidates from the user's
history as item titles, :mod:`.llm_ranker`; its prompt and parser in
:mod:`.ranking_prompt`). What they share (the channel, exploration, top-``k``) is in
:mod:`._base`.
"""

from incentive_lab.learners.recsys import bpr, linucb, llm_ranker

__all__ = ["bpr", "linucb", "llm_ranker"]
