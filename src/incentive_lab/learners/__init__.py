"""Learners: groups of agents that learn the same way, vectorised over the group.

Importing this package registers the built-in learners under kind ``"learner"``:

* ``fixed`` — a fixed pure or mixed strategy (:mod:`.fixed`);
* ``q_learning``, ``boltzmann_q`` — independent tabular Q-learning (:mod:`.q_learning`);
* ``faq`` — frequency-adjusted Q-learning (:mod:`.faq`);
* ``cross_learning`` — Börgers–Sarin reinforcement, replicator in expectation
  (:mod:`.cross_learning`);
* ``policy_gradient`` — tabular softmax REINFORCE with a baseline (:mod:`.policy_gradient`);
* ``fermi_imitation`` — pairwise Fermi imitation of neighbours (:mod:`.fermi_imitation`);
* ``replicator`` — shared mixed strategy, discrete replicator(-mutator) steps
  (:mod:`.replicator`; ODE fields, integration and rest points in :mod:`.dynamics`);
* ``proportional_imitation`` — synchronous proportional imitation (:mod:`.proportional_imitation`);
* ``moran`` — Moran birth–death / death–birth process (:mod:`.moran`);
* ``simul_ind``, ``simul_co``, ``cga``, ``sga``, ``lola``, ``aga`` — gradient play on
  differentiable games (:mod:`.gradient_play`; needs the ``torch`` extra);
* ``subsample_q`` — SUB-SAMPLE-Q global agent on ``k`` sub-sampled local agents
  (:mod:`.subsample_q`); ``mean_field_vi``, ``myopic`` — its baselines (:mod:`.mean_field_vi`);
* ``actor_critic`` — neural advantage actor-critic (:mod:`.actor_critic`), ``maddpg`` —
  MADDPG with centralised critics (:mod:`.maddpg`); both need the ``torch`` extra;
* ``lio`` — Learning to Incentivize Others, exact or sampled giver gradient (:mod:`.lio`);
  ``lio_torch`` — its sampled meta-gradient by torch autograd (:mod:`.lio_torch`).
"""

from incentive_lab.learners import (
    actor_critic,
    bandit,
    cross_learning,
    faq,
    fermi_imitation,
    fixed,
    gradient_play,
    lio,
    lio_torch,
    llm,
    maddpg,
    mean_field_vi,
    moran,
    policy_gradient,
    proportional_imitation,
    q_learning,
    replicator,
    subsample_q,
)

__all__ = [
    "actor_critic",
    "bandit",
    "cross_learning",
    "faq",
    "fermi_imitation",
    "fixed",
    "gradient_play",
    "lio",
    "lio_torch",
    "llm",
    "maddpg",
    "mean_field_vi",
    "moran",
    "policy_gradient",
    "proportional_imitation",
    "q_learning",
    "replicator",
    "subsample_q",
]
