"""Counter-based uniforms for the gridworld kernels (SplitMix64), one stream per copy and step.

Every copy owns a 64-bit seed, drawn at ``reset`` from the game's own ``numpy`` Generator.
The random numbers of step ``t`` of copy ``c`` come from the SplitMix64 stream started at
``step_seed(seed_c, t)``, and each draw has a fixed *purpose index* (the cell index for
apple regrowth, the player index for the move order and respawns, ...) rather than a running
counter. Hence:

* a step is a pure function of (state, actions): re-running it from a saved state with other
  actions (``rewards_for``, ``deviation``) reuses the very same random numbers wherever the
  two runs ask the same question (common random numbers);
* copies are independent and may run on any thread in any order.

SplitMix64 (Steele, Lea & Flood, OOPSLA 2014): ``z = s + (i+1)·γ``;
``z = (z ⊕ z≫30)·0xBF58476D1CE4E5B9``; ``z = (z ⊕ z≫27)·0x94D049BB133111EB``;
``z ⊕ z≫31``; the uniform is the top 53 bits times ``2⁻⁵³``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

GAMMA = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S11, _S27, _S30, _S31 = np.uint64(11), np.uint64(27), np.uint64(30), np.uint64(31)
_SCALE = 1.0 / 9007199254740992.0  # 2⁻⁵³

# purpose offsets of the draws of one step (cells use their index r·W + c)
ORDER = 1 << 40
"""Draws ``ORDER + i``: the random move order."""
RESPAWN = 2 << 40
"""Draws ``RESPAWN + 2i, + 2i + 1``: spawn point and orientation of player ``i``."""
WASTE = 3 << 40
"""Draws ``WASTE``, ``WASTE + 1``: whether and where waste appears."""
COINS = 4 << 40
"""Draws ``COINS + q``: where coin ``q`` reappears."""


@njit(cache=True, inline="always")
def _mix(z: np.uint64) -> np.uint64:
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@njit(cache=True, inline="always")
def step_seed(seed: np.uint64, t: int) -> np.uint64:
    """The stream seed of step ``t`` of a copy whose seed is ``seed``."""
    return _mix(seed + np.uint64(t + 1) * GAMMA)


@njit(cache=True, inline="always")
def uniform(seed: np.uint64, i: int) -> float:
    """Entry ``i`` of the SplitMix64 stream started at ``seed``, a uniform on ``[0, 1)``."""
    z = _mix(seed + np.uint64(i + 1) * GAMMA)
    return np.float64(np.int64(z >> _S11)) * _SCALE


def draw_seeds(rng: np.random.Generator, n: int) -> np.ndarray:
    """``uint64[n]`` copy seeds from an owned Generator."""
    return rng.integers(0, np.iinfo(np.uint64).max, size=n, dtype=np.uint64, endpoint=True)
