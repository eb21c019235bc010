"""Generative models of global-decision problems with many local agents.

A *generative model* lets a planning learner (SUB-SAMPLE-Q, value iteration) sample a
transition from **any** state, not only from the state the episode happens to be in. The
problem class (Anand & Qu, arXiv 2403.00222) has one global agent and ``n`` homogeneous
local agents::

    r(s, a_g)  = r_g(s_g, a_g) + (1/n) Σ_i r_l(s_i, s_g)
    s_g'       ~ P_g(· | s_g, a_g)
    s_i'       ~ P_l(· | s_i, s_g)          independently for every local agent i

All state and action sets are finite and indexed ``0..size-1``. Because local agents move
independently given ``s_g``, the same kernels describe the system of any number of local
agents — in particular a sub-system of ``k`` of them, which is what SUB-SAMPLE-Q plans on.

:class:`GlobalLocalKernels` holds the four tables and samples vectorised batches.
:class:`GenerativeModel` is the protocol a game exposes to learners (through
``LearnerContext.generative``): the kernels, the live state of the episode and a way to
observe ``k`` local agents drawn uniformly without replacement.

Shapes: ``B`` = batch of states, ``k`` = local agents per state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np

from incentive_lab.core.errors import ConfigError
from incentive_lab.core.types import FloatArray, IntArray

_CHUNK = 1 << 20
"""Local draws per chunk when sampling (bounds the temporary ``[chunk, S_l]`` array)."""


@dataclass(frozen=True)
class GlobalLocalKernels:
    """The finite tables of a global/local problem.

    ``global_kernel``: ``[S_g, A_g, S_g]``, ``P_g(s_g' | s_g, a_g)``;
    ``local_kernel``: ``[S_g, S_l, S_l]``, ``P_l(s_l' | s_l, s_g)`` indexed
    ``[s_g, s_l, s_l']``; ``global_reward``: ``[S_g, A_g]``, ``r_g(s_g, a_g)``;
    ``local_reward``: ``[S_g, S_l]``, ``r_l(s_l, s_g)`` indexed ``[s_g, s_l]``.
    """

    global_kernel: FloatArray
    local_kernel: FloatArray
    global_reward: FloatArray
    local_reward: FloatArray
    _global_cdf: FloatArray = field(init=False, repr=False, compare=False)
    _local_cdf: FloatArray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        pg, pl = np.asarray(self.global_kernel, float), np.asarray(self.local_kernel, float)
        rg, rl = np.asarray(self.global_reward, float), np.asarray(self.local_reward, float)
        if pg.ndim != 3 or pg.shape[0] != pg.shape[2]:
            raise ConfigError("global_kernel", pg.shape, "shape [S_g, A_g, S_g]")
        n_g, n_a = pg.shape[:2]
        if pl.ndim != 3 or pl.shape[0] != n_g or pl.shape[1] != pl.shape[2]:
            raise ConfigError("local_kernel", pl.shape, f"shape [{n_g}, S_l, S_l]")
        if rg.shape != (n_g, n_a):
            raise ConfigError("global_reward", rg.shape, f"shape ({n_g}, {n_a})")
        if rl.shape != (n_g, pl.shape[1]):
            raise ConfigError("local_reward", rl.shape, f"shape ({n_g}, {pl.shape[1]})")
        for name, kernel in (("global_kernel", pg), ("local_kernel", pl)):
            if np.any(kernel < 0) or not np.allclose(kernel.sum(axis=-1), 1.0, atol=1e-9):
                raise ConfigError(name, "rows", "non-negative rows that sum to one")
        if not (np.all(np.isfinite(rg)) and np.all(np.isfinite(rl))):
            raise ConfigError("rewards", "non-finite", "finite reward tables")
        for name, value in (("global_kernel", pg), ("local_kernel", pl)):
            value.flags.writeable = False
            object.__setattr__(self, name, value)
        rg.flags.writeable = rl.flags.writeable = False
        object.__setattr__(self, "global_reward", rg)
        object.__setattr__(self, "local_reward", rl)
        object.__setattr__(self, "_global_cdf", np.cumsum(pg, axis=-1))
        object.__setattr__(self, "_local_cdf", np.cumsum(pl, axis=-1))

    @property
    def n_global_states(self) -> int:
        """``|S_g|``."""
        return int(self.global_kernel.shape[0])

    @property
    def n_global_actions(self) -> int:
        """``|A_g|``."""
        return int(self.global_kernel.shape[1])

    @property
    def n_local_states(self) -> int:
        """``|S_l|``."""
        return int(self.local_kernel.shape[1])

    def reward(self, s_g: IntArray, s_l: IntArray, a_g: IntArray) -> FloatArray:
        """``float64[B]``: ``r_g(s_g, a_g) + mean_i r_l(s_l[:, i], s_g)`` (``s_l``: ``[B, k]``)."""
        s_g = np.asarray(s_g, dtype=np.int64)
        local = self.local_reward[s_g[:, None], s_l].mean(axis=1)
        result: FloatArray = self.global_reward[s_g, a_g] + local
        return result

    def next_global(self, s_g: IntArray, a_g: IntArray, rng: np.random.Generator) -> IntArray:
        """``int64[B]``: one draw of ``s_g' ~ P_g(· | s_g, a_g)`` per row."""
        cdf = self._global_cdf[s_g, a_g]
        u: FloatArray = rng.random(int(cdf.shape[0]))
        draws: IntArray = np.minimum((u[:, None] >= cdf).sum(axis=1), cdf.shape[1] - 1)
        return draws.astype(np.int64, copy=False)

    def next_local(self, s_g: IntArray, s_l: IntArray, rng: np.random.Generator) -> IntArray:
        """``int64[B, k]``: ``s_i' ~ P_l(· | s_i, s_g)`` independently for every entry."""
        s_l = np.asarray(s_l, dtype=np.int64)
        rows = np.broadcast_to(np.asarray(s_g, dtype=np.int64)[:, None], s_l.shape).ravel()
        flat = s_l.ravel()
        u: FloatArray = rng.random(int(flat.shape[0]))
        out = np.empty(flat.shape[0], dtype=np.int64)
        last = self.n_local_states - 1
        for start in range(0, flat.shape[0], _CHUNK):
            part = slice(start, start + _CHUNK)
            cdf = self._local_cdf[rows[part], flat[part]]
            out[part] = np.minimum((u[part, None] >= cdf).sum(axis=1), last)
        return out.reshape(s_l.shape)

    def sample(
        self, s_g: IntArray, s_l: IntArray, a_g: IntArray, rng: np.random.Generator
    ) -> tuple[IntArray, IntArray, FloatArray]:
        """One transition from each of ``B`` states: ``(s_g' [B], s_l' [B, k], r [B])``.

        ``r`` is the reward of the *current* state and action; the local agents move with
        the current ``s_g``. Draws: first the ``B`` global uniforms, then the ``B·k`` local
        ones (row-major), so a seeded ``rng`` gives a fixed result.
        """
        s_g = np.asarray(s_g, dtype=np.int64)
        a_g = np.asarray(a_g, dtype=np.int64)
        reward = self.reward(s_g, s_l, a_g)
        return self.next_global(s_g, a_g, rng), self.next_local(s_g, s_l, rng), reward


@runtime_checkable
class GenerativeModel(Protocol):
    """What a global/local game exposes to planning learners.

    ``kernels``: the problem's tables (sample from any state with ``kernels.sample``);
    ``n_locals``: the number ``n`` of local agents in the live episode.
    ``global_state()`` / ``local_states()``: the live episode's ``s_g`` and ``int64[n]``
    local states (read-only); ``observe_locals(k, rng)``: the states of ``k`` local agents
    drawn uniformly without replacement (``int64[k]``) — what a sub-sampling policy sees.
    """

    kernels: GlobalLocalKernels
    n_locals: int

    def global_state(self) -> int:
        """The live global state ``s_g``."""
        ...

    def local_states(self) -> IntArray:
        """``int64[n]``: the live local states."""
        ...

    def observe_locals(self, k: int, rng: np.random.Generator) -> IntArray:
        """``int64[k]``: states of ``k`` local agents drawn without replacement."""
        ...
