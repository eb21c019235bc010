"""Learning to Incentivize Others (LIO): tabular learners that also learn to pay each other.

Registers ``lio`` (exact or sampled giver gradient: :mod:`.lio`, its gradients in
:mod:`.lio_gradients` and the exact value gradient of a joint tabular softmax policy on a
known small game in :mod:`.joint_policy_dp`) and ``lio_torch`` (the sampled meta-gradient
by torch autograd: :mod:`.lio_torch`; needs the ``torch`` extra).
"""

from incentive_lab.learners.lio import lio, lio_torch

__all__ = ["lio", "lio_torch"]
