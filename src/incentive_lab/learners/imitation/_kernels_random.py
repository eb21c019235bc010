"""Counter-based uniforms for Numba kernels (SplitMix64), seeded from an owned Generator.

Drawing every random number of a Monte Carlo step as NumPy arrays costs as much as the step
itself on small lattices and streams ``16·N`` bytes through memory on large ones. Instead a
kernel receives one 64-bit ``seed`` (drawn from the learner's own ``numpy`` Generator, so
runs stay seeded and reproducible) and computes the ``i``-th uniform of the stream as::

    z = seed + (i + 1)·γ  (mod 2⁶⁴),   γ = 0x9E3779B97F4A7C15
    z = (z ⊕ z≫30)·0xBF58476D1CE4E5B9;  z = (z ⊕ z≫27)·0x94D049BB133111EB;  z = z ⊕ z≫31
    u_i = (z ≫ 11)·2⁻⁵³  ∈ [0, 1)

This is exactly the output sequence of the SplitMix64 generator started at ``seed``
(Steele, Lea & Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014; the
seeding generator of xoshiro, passes BigCrush). Being counter-based, any entry can be
computed on its own: threads can share one stream without changing a single number, and
:func:`uniforms` reproduces a kernel's draws as an array (for tests against the array
kernels).
"""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any

import numpy as np
from numba import njit

GAMMA = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S11, _S27, _S30, _S31 = np.uint64(11), np.uint64(27), np.uint64(30), np.uint64(31)
_SCALE = 1.0 / 9007199254740992.0  # 2⁻⁵³


@njit(cache=True, inline="always")
def uniform(seed: np.uint64, i: int) -> float:
    """The ``i``-th uniform on ``[0, 1)`` of the SplitMix64 stream started at ``seed``."""
    z = seed + np.uint64(i + 1) * GAMMA
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    z = z ^ (z >> _S31)
    return np.float64(np.int64(z >> _S11)) * _SCALE  # < 2⁵³: exact signed conversion


@njit(cache=True)
def uniforms(seed: np.uint64, start: int, count: int) -> np.ndarray:
    """``float64[count]``: entries ``start .. start + count − 1`` of the stream."""
    out = np.empty(count)
    for i in range(count):
        out[i] = uniform(seed, start + i)
    return out


def draw_seed(rng: np.random.Generator) -> np.uint64:
    """One 64-bit stream seed from an owned Generator."""
    return np.uint64(rng.integers(0, np.iinfo(np.uint64).max, dtype=np.uint64, endpoint=True))


def compiled(func: Callable[..., Any], name: str, **options: Any) -> Any:
    """``njit(cache=True, **options)`` of a copy of ``func`` named ``name``.

    Numba's on-disk cache is keyed by the function's qualified name and line, not by its
    options: a serial and a ``parallel=True`` dispatcher of the same function would load
    each other's machine code. Each variant therefore compiles its own named copy.
    """
    clone = types.FunctionType(
        func.__code__, func.__globals__, name, func.__defaults__, func.__closure__
    )
    clone.__qualname__ = name
    clone.__module__ = func.__module__
    return njit(cache=True, **options)(clone)
