"""Bandit learners: every agent runs its own multi-armed (or contextual) bandit.

Registers ``bandit`` (ε-greedy, UCB1, Gaussian Thompson sampling or LinUCB per agent:
:mod:`.bandit`; the disjoint-model LinUCB state in :mod:`.linucb`).
"""

from incentive_lab.learners.bandits import bandit

__all__ = ["bandit"]
