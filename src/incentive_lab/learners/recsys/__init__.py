"""Learning recommenders: agents that choose item slates for the users they serve.

They need a game offering ``slate_choice`` (``core.slate_choice``; the ``recommender``
game with ``agents_choose: items``). Registers ``recsys_bpr`` (online BPR matrix
factorisation, :mod:`.bpr`), ``recsys_linucb`` (per-user LinUCB over item features,
:mod:`.linucb`), ``recsys_two_tower`` (two towers trained by the logQ-corrected in-batch
softmax, :mod:`.two_tower`), ``recsys_sasrec`` (causal self-attention over recent clicks,
:mod:`.sasrec`; these two need the ``torch`` extra, imported only when one is built),
``recsys_slateq`` (SlateQ's item-wise SARSA for long-term clicks, :mod:`.slateq`) and
``recsys_llm`` (a chat model ranks retrieved candidates from the user's
history as item titles, :mod:`.llm_ranker`; its prompt and parser in
:mod:`.ranking_prompt`). What they share (the channel, exploration, top-``k``) is in
:mod:`._base`.
"""

from incentive_lab.learners.recsys import bpr, linucb, llm_ranker, sasrec, slateq, two_tower

__all__ = ["bpr", "linucb", "llm_ranker", "sasrec", "slateq", "two_tower"]
