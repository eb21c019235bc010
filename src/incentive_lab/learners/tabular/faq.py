"""Frequency-adjusted Q-learning (`faq`), Kaisers & Tuyls (2010).

Boltzmann Q-learning whose step size compensates for how often an action is played: after
agent ``i`` plays ``a`` (with probability ``x_{i,a}`` under its Boltzmann policy
``x ∝ exp(Q/τ)`` *before* the update), only ``Q_i[s, a]`` changes, with rate::

    η_i = α · min(β / x_{i,a}, 1)

so that every action's value moves at the same expected speed ``αβ`` (for ``x_a ≥ β``). In
the limit of small steps the policy follows the selection–mutation dynamics::

    ẋ_i = x_i (α/τ) [f_i − x·f]  −  α x_i [ln x_i − Σ_k x_k ln x_k]

(the first term is the replicator field of the expected payoffs ``f``, the second an entropy
"mutation" towards uniform), whose rest points are the logit fixed points
``x = softmax(f(x) / τ)``. Plain Boltzmann Q-learning has the same rest points but moves
rarely played actions' values more slowly, which biases its path (not its destination).

Parameters: ``alpha`` (α ∈ (0, 1]), ``beta`` (β ∈ (0, 1]), ``tau`` (τ > 0), ``gamma``
(γ ∈ [0, 1), default 0: stateless), ``initial_q``.

Acting and learning run as one fused Numba pass each (softmax of the row, inverse-CDF draw;
softmax of the played row, rate, TD update: :mod:`incentive_lab.learners.kernels_tabular`);
:meth:`FAQ.probs` and :meth:`FAQ.step_sizes` are the NumPy reference they equal.

Reference: M. Kaisers & K. Tuyls (2010), *Frequency adjusted multi-agent Q-learning*, AAMAS.
"""

from __future__ import annotations

import numpy as np
from pydantic import Field

from incentive_lab.core.registry import register
from incentive_lab.core.types import Actions, FloatArray, IntArray, Probs
from incentive_lab.learners.exploration import softmax
from incentive_lab.learners.tabular.q_table import QParams, TabularQ


class FAQParams(QParams):
    """Parameters of ``faq``."""

    beta: float = Field(0.1, gt=0.0, le=1.0)
    """Frequency-adjustment constant β ∈ (0, 1]: the rate is ``α·min(β/x_a, 1)``."""
    tau: float = Field(1.0, gt=0.0)
    """Temperature τ > 0 of the Boltzmann policy ``x_j ∝ exp(Q_j/τ)``."""


@register(
    "learner",
    "faq",
    params=FAQParams,
    description="Frequency-adjusted Q-learning (Kaisers & Tuyls 2010), Boltzmann policy",
    tabular=True,
    stochastic=True,
    has_policy=True,
)
class FAQ(TabularQ[FAQParams]):
    """A group of independent frequency-adjusted Q-learners."""

    learner_id = "faq"

    def kernel_policy(self) -> tuple[str, float] | None:
        """The Boltzmann policy at temperature τ (fused act kernel)."""
        return ("softmax", self.params.tau)

    def kernel_beta(self) -> float | None:
        """β of the frequency-adjusted rate (fused update kernel)."""
        return self.params.beta

    def probs(self, q: FloatArray) -> Probs:
        """``softmax(q / τ)`` per agent."""
        return softmax(q, self.params.tau)

    def step_sizes(self, s: IntArray, a: Actions) -> FloatArray:
        """``α · min(β / x_a, 1)`` with ``x_a`` the played action's current probability."""
        x = self.probs(self.q[self._index, s])[self._index, a]
        ratio = self.params.beta / np.maximum(x, np.finfo(np.float64).tiny)
        rate: FloatArray = self.params.alpha * np.minimum(ratio, 1.0)
        return rate
