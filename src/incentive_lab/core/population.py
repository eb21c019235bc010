"""Local payoff structures that population games share with imitation learners.

Random-sequential imitation (Szabó & Fáth 2007, §6) needs the *current* payoff of any agent
after any single strategy change inside a Monte Carlo step, long before the game plays its
next round. Learners may not import games, so a game that supports it describes its payoff
rule here, in ``core``, and the learner evaluates it itself (with its own fast kernel).

:class:`OverlappingGroups` — the Szabó–Hauert spatial public goods game
    Every agent ``g`` of an undirected graph (a :class:`~incentive_lab.core.topology.Topology`)
    is the centre of one group ``{g} ∪ N(g)`` of size ``G_g = k_g + 1``. In a group with
    ``n_c`` cooperators the pot ``c·n_c·r`` is shared equally among its ``G_g`` members
    and each cooperator pays ``c``. A cooperator's share is computed with ``r_c`` and a
    defector's with ``r_d`` (SPEC §1.2/§1.3), so in group ``g``::

        cooperator: c·(n_c(g)·r_c / G_g − 1)        defector: c·n_c(g)·r_d / G_g

    The payoff of agent ``i`` is the sum over the ``k_i + 1`` groups it belongs to (those
    centred on itself and on each neighbour). With ``σ_i = Σ_{g ∋ i} n_c(g)/G_g``::

        π_i = c·(r_c·σ_i − (k_i + 1))  if i cooperates,      π_i = c·r_d·σ_i  otherwise.

A game exposes its structure as a zero-argument method ``overlapping_groups()`` (the values
in force for the next round, e.g. a multiplier moved by a feedback law);
:meth:`LearnerContext.for_game <incentive_lab.core.learner.LearnerContext.for_game>` passes
that method to learners as ``context.overlapping_groups``.

Reference: Szabó & Hauert, "Phase transitions and volunteering in spatial public goods
games", Phys. Rev. Lett. 89, 118101 (2002); Szolnoki, Perc & Szabó, "Topology-independent
impact of noise on cooperation in spatial public goods games", Phys. Rev. E 80, 056109
(2009) (square lattice, G = 5, K = 0.5: cooperators vanish below r ≈ 3.74, defectors above
r ≈ 5.49).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from incentive_lab.core.topology import Topology
from incentive_lab.core.types import Actions, FloatArray, IntArray


@dataclass(frozen=True, eq=False)
class OverlappingGroups:
    """Overlapping-group public goods payoffs on ``topology`` (see the module docstring).

    ``cooperative_action`` is the action that contributes; every other action defects.
    """

    topology: Topology
    r_c: float
    r_d: float
    cost: float
    cooperative_action: int = 0

    @property
    def group_sizes(self) -> IntArray:
        """``int64[n]``: ``G_g = k_g + 1`` of the group centred on each agent."""
        return self.topology.degrees + 1

    def neighbourhood_sum(self, values: FloatArray) -> FloatArray:
        """``float64[n]``: ``values_i + Σ_{j ∈ N(i)} values_j`` (vectorised reference)."""
        topology = self.topology
        source = np.repeat(np.arange(topology.n, dtype=np.int64), topology.degrees)
        sums = np.bincount(source, weights=values[topology.indices], minlength=topology.n)
        result: FloatArray = values + sums
        return result

    def payoffs(self, actions: Actions) -> FloatArray:
        """``float64[n]``: every agent's total payoff of the joint action ``actions``.

        A plain NumPy reference, O(n·G); games and learners use faster kernels that must
        agree with it.
        """
        cooperating = (np.asarray(actions) == self.cooperative_action).astype(np.float64)
        counts = self.neighbourhood_sum(cooperating)
        sigma = self.neighbourhood_sum(counts / self.group_sizes)
        pi_c = self.cost * (self.r_c * sigma - self.group_sizes)
        pi_d = self.cost * self.r_d * sigma
        result: FloatArray = np.where(cooperating > 0, pi_c, pi_d)
        return result
