"""Tabular learners: one table per agent over discrete observations, updated from its own reward.

Registers ``q_learning`` and ``boltzmann_q`` (independent tabular Q-learning, ε-greedy or
Boltzmann: :mod:`.q_learning`), ``faq`` (frequency-adjusted Q-learning: :mod:`.faq`), both
on the shared Q-table core and TD update of :mod:`.q_table`; ``cross_learning``
(Börgers–Sarin reinforcement, replicator in expectation: :mod:`.cross_learning`) and
``policy_gradient`` (tabular softmax REINFORCE with a baseline: :mod:`.policy_gradient`).

The table storage (:mod:`incentive_lab.learners.tables`), action selection
(:mod:`incentive_lab.learners.exploration`) and their Numba kernels
(:mod:`incentive_lab.learners.kernels_tabular`) live one level up because the lio and other
families use them too.
"""

from incentive_lab.learners.tabular import cross_learning, faq, policy_gradient, q_learning

__all__ = ["cross_learning", "faq", "policy_gradient", "q_learning"]
