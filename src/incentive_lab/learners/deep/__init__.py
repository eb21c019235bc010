"""Deep multi-agent RL learners (torch): ``ppo`` (IPPO / MAPPO) and ``dqn``.

Both take image (``[h, w, c]``: CNN) or flat observations, share one network across the
agents of a group by default (``share: false``: one network per agent, still one batched
forward) and learn from the shaped rewards the loop hands every learner, so every mechanism
reaches them unchanged. Modules: :mod:`.ppo` (clipped PPO, GAE, optional GRU, centralised
critic on the game's ``global_state``), :mod:`.dqn` (DQN, replay, target network, double
DQN), :mod:`.encoders` (observation preparation and network shapes), :mod:`.base` (shared
parameters and the group layout), :mod:`.buffers` (rollout and replay storage) and the
private ``_losses`` (GAE, PPO loss, DQN targets) and ``_modules`` (torch layers). Importing
this package does not import torch; building a learner does.
"""

from incentive_lab.learners.deep import dqn, ppo

__all__ = ["dqn", "ppo"]
