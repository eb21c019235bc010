"""Learners: groups of agents that learn the same way, vectorised over the group.

Importing this package registers the built-in learners under kind ``"learner"``, one family
subpackage at a time:

* :mod:`.tabular` — per-agent tables over discrete observations: ``q_learning``,
  ``boltzmann_q`` (independent tabular Q-learning), ``faq`` (frequency-adjusted
  Q-learning), ``cross_learning`` (Börgers–Sarin reinforcement, replicator in expectation),
  ``policy_gradient`` (tabular softmax REINFORCE with a baseline);
* :mod:`.imitation` — population dynamics and imitation: ``replicator`` (shared mixed
  strategy, discrete replicator(-mutator) steps; ODE fields, integration and rest points in
  :mod:`.imitation.dynamics`), ``proportional_imitation``, ``moran`` (birth–death /
  death–birth) and ``fermi_imitation`` (pairwise Fermi imitation of neighbours, Numba);
* :mod:`.gradient_play` — ``simul_ind``, ``simul_co``, ``cga``, ``sga``, ``lola``, ``aga``:
  gradient play on differentiable games (needs the ``torch`` extra);
* :mod:`.neural` — ``actor_critic`` (neural advantage actor-critic) and ``maddpg`` (MADDPG
  with centralised critics); both need the ``torch`` extra;
* :mod:`.deep` — ``ppo`` (IPPO / MAPPO: clipped PPO, GAE, shared or separate networks, CNN
  or MLP encoders, optional GRU, centralised critic on ``global_state``) and ``dqn``
  (independent DQN, replay, target network, double DQN); both need the ``torch`` extra;
* :mod:`.lio` — ``lio`` (Learning to Incentivize Others, exact or sampled giver gradient)
  and ``lio_torch`` (its sampled meta-gradient by torch autograd);
* :mod:`.planning` — ``subsample_q`` (SUB-SAMPLE-Q global agent on ``k`` sub-sampled local
  agents) and its baselines ``mean_field_vi``, ``myopic``;
* :mod:`.bandits` — ``bandit`` (ε-greedy, UCB, Thompson and LinUCB arm choice);
* :mod:`.recsys` — learning recommenders that choose item slates for each user through the
  capability ``slate_choice``: ``recsys_bpr`` (online BPR matrix factorisation) and
  ``recsys_linucb`` (per-user LinUCB over item features);
* :mod:`.llm` — ``llm`` (a chat model chooses each agent's actions).

What several families share stays at this level: :mod:`.exploration` (softmax, ε-greedy and
inverse-CDF sampling, used by the tabular, imitation, neural, lio and bandit learners),
:mod:`.tables` (per-agent tables over discrete observations, used by the tabular and lio
learners) and the Numba kernels behind both, :mod:`.kernels_tabular` (with its private
pair-layout specialisations ``_kernels_tabular_pairs``). ``fixed`` — a fixed pure or mixed
strategy (:mod:`.fixed`) — is its own module here rather than in a family: it never learns,
keeps no table and works with any observation space, so it belongs to none of them; nor does
``scripted`` (:mod:`.scripted`), which plays a game's named bots (capability
``scripted_policy``).
"""

from incentive_lab.learners import (
    bandits,
    deep,
    fixed,
    gradient_play,
    imitation,
    lio,
    llm,
    neural,
    planning,
    recsys,
    scripted,
    tabular,
)

__all__ = [
    "bandits",
    "deep",
    "fixed",
    "gradient_play",
    "imitation",
    "lio",
    "llm",
    "neural",
    "planning",
    "recsys",
    "scripted",
    "tabular",
]
