"""Planning learners for global/local games: plan on the game's generative model.

Registers ``subsample_q`` (the SUB-SAMPLE-Q global agent planning on ``k`` sub-sampled
local agents: :mod:`.subsample_q`) and its baselines ``mean_field_vi`` and ``myopic``
(:mod:`.mean_field_vi`); :mod:`.multisets` counts, ranks and enumerates the multisets of
local states their tables are indexed by.
"""

from incentive_lab.learners.planning import mean_field_vi, subsample_q

__all__ = ["mean_field_vi", "subsample_q"]
