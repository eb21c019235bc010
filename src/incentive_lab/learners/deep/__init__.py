"""Deep multi-agent RL learners (torch): ``ppo`` (IPPO / MAPPO), ``dqn`` and ``lio_deep``.

All take image (``[h, w, c]``: CNN) or flat observations; ``ppo`` and ``dqn`` share one
network across the agents of a group by default (``share: false``: one network per agent,
still one batched forward; ``lio_deep`` never shares). They learn from the shaped rewards
the loop hands every learner, so every mechanism reaches them unchanged. Modules:
:mod:`.ppo` (clipped PPO, GAE, optional GRU, centralised critic on the game's
``global_state``), :mod:`.dqn` (DQN, replay, target network, double DQN), :mod:`.lio`
(neural LIO; its meta-gradient in :mod:`.lio_meta`), :mod:`.encoders` (observation
preparation and network shapes), :mod:`.base` (shared parameters and the group layout),
:mod:`.buffers` (rollout and replay storage) and the private ``_losses`` (GAE, PPO loss, DQN
targets) and ``_modules`` (torch layers). Importing this package does not import torch;
building a learner does.
"""

from incentive_lab.learners.deep import dqn, lio, ppo

__all__ = ["dqn", "lio", "ppo"]
