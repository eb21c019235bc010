"""Polynomial edge latencies ``ℓ_e(x) = Σ_k c_{e,k} x^k`` and the costs built from them.

Each edge of a routing network has a latency ``ℓ_e(x_e)`` of its flow ``x_e ≥ 0``, given by
its polynomial coefficients ``[c_0, c_1, …]``: ``[b, a]`` is the linear ``a·x + b``;
``[t_0, 0, 0, 0, t_0·α/c⁴]`` is the BPR function ``t_0·(1 + α·(x/c)⁴)``. Coefficients must
be finite and non-negative, so every latency is non-decreasing on ``x ≥ 0`` (a decreasing
latency breaks the existence and uniqueness of Wardrop equilibria and is rejected).

A network's coefficients are one matrix ``C`` of shape ``[m, K]`` (edges × degree + 1,
zero-padded). For edge flows ``x`` of shape ``[..., m]`` (any leading batch shape):

* ``latency``    ``ℓ_e(x_e) = Σ_k c_k x^k``;
* ``marginal``   ``x_e·ℓ_e'(x_e) = Σ_k k·c_k x^k`` — the marginal-cost (Pigouvian) toll;
* ``total_cost`` ``Σ_e x_e·ℓ_e(x_e)`` — total latency, the social cost;
* ``potential``  ``Σ_e ∫_0^{x_e} ℓ_e = Σ_e Σ_k c_k x^{k+1}/(k+1)`` — Beckmann's potential,
  minimised by the Wardrop (selfish) flow.

Reference: Roughgarden, *Selfish Routing and the Price of Anarchy* (2005), ch. 2.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from incentive_lab.core.errors import ConfigError
from incentive_lab.core.types import FloatArray

DECREASING = (
    "non-negative polynomial coefficients [c0, c1, ...] of l(x) = sum c_k x^k "
    "(a latency must not decrease with flow)"
)
"""What is allowed for a latency (the message of the error for a bad one)."""


def check_coefficients(coefficients: Sequence[float], field: str) -> FloatArray:
    """Validated coefficients ``float64[K]`` (else :class:`ConfigError` naming ``field``)."""
    array = np.asarray(coefficients, dtype=np.float64)
    if array.ndim != 1 or array.size == 0 or not np.all(np.isfinite(array)):
        raise ConfigError(field, list(coefficients), DECREASING)
    if np.any(array < 0):
        raise ConfigError(field, list(coefficients), DECREASING)
    return array


def coefficient_matrix(latencies: Sequence[Sequence[float]]) -> FloatArray:
    """Stack per-edge coefficient lists into a zero-padded ``[m, K]`` matrix."""
    degree = max(len(c) for c in latencies)
    matrix = np.zeros((len(latencies), degree))
    for e, coefficients in enumerate(latencies):
        matrix[e, : len(coefficients)] = coefficients
    return matrix


def _powers(x: FloatArray, degree: int) -> FloatArray:
    """``x[..., m, None] ** arange(degree)``."""
    powers: FloatArray = np.asarray(x, dtype=np.float64)[..., None] ** np.arange(degree)
    return powers


def latency(coefficients: FloatArray, x: FloatArray) -> FloatArray:
    """``ℓ_e(x_e)`` for edge flows ``x: [..., m]``."""
    result: FloatArray = (_powers(x, coefficients.shape[1]) * coefficients).sum(axis=-1)
    return result


def marginal(coefficients: FloatArray, x: FloatArray) -> FloatArray:
    """``x_e·ℓ_e'(x_e)`` for edge flows ``x: [..., m]`` (the marginal-cost toll)."""
    k = np.arange(coefficients.shape[1])
    result: FloatArray = (_powers(x, coefficients.shape[1]) * (k * coefficients)).sum(axis=-1)
    return result


def total_cost(coefficients: FloatArray, x: FloatArray) -> FloatArray:
    """``Σ_e x_e·ℓ_e(x_e)`` over the last axis of ``x: [..., m]``."""
    result: FloatArray = (np.asarray(x) * latency(coefficients, x)).sum(axis=-1)
    return result


def potential(coefficients: FloatArray, x: FloatArray) -> FloatArray:
    """Beckmann's potential ``Σ_e ∫_0^{x_e} ℓ_e`` over the last axis of ``x: [..., m]``."""
    k = np.arange(coefficients.shape[1])
    powers = _powers(x, coefficients.shape[1]) * np.asarray(x, dtype=np.float64)[..., None]
    result: FloatArray = (powers * (coefficients / (k + 1))).sum(axis=(-2, -1))
    return result
