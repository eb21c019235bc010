"""Neural learners (torch): per-agent networks trained on the group's rollouts.

Registers ``actor_critic`` (neural advantage actor-critic: :mod:`.actor_critic`) and
``maddpg`` (MADDPG with centralised critics: :mod:`.maddpg`, critic inputs in
:mod:`.maddpg_critic`, transitions in the NumPy ring buffer of :mod:`.replay`). Both build
their batched per-agent networks from :mod:`.torch_nets` and need the ``torch`` extra when a
group is built; importing this package does not import torch.
"""

from incentive_lab.learners.neural import actor_critic, maddpg

__all__ = ["actor_critic", "maddpg"]
