"""Gradient play on differentiable games (needs the ``torch`` extra when a group is built).

Registers ``simul_ind``, ``simul_co``, ``cga``, ``sga``, ``lola`` and ``aga``
(:mod:`.gradient_play`): each player descends a direction built from the game's losses —
simultaneous or collective gradient (:mod:`.simultaneous`), consensus optimisation
(:mod:`.consensus`), symplectic gradient adjustment (:mod:`.sga`), first-order LOLA
(:mod:`.lola`), altruistic gradient adjustment (:mod:`.aga`) — all from the gradients and
Hessian-vector products of :mod:`.hvp`. Importing this package does not import torch.
"""

from incentive_lab.learners.gradient_play import gradient_play

__all__ = ["gradient_play"]
