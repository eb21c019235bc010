"""The replay memory of the off-policy learners: one NumPy ring buffer of group steps.

:class:`Replay` stores ``capacity`` group steps under any field names (``add(**fields)``:
each field's array, ``[m, ...]`` or a scalar, is allocated zero-filled at the first call
by shape and dtype — pages are only touched as the buffer fills); when full, the oldest
step is overwritten. :meth:`Replay.sample` draws ``batch`` steps uniformly *with*
replacement from the learner's NumPy generator, so a seeded run is reproducible;
:meth:`Replay.sequences` draws runs of consecutive steps (the recurrent ``dqn``). Pickling
keeps only the filled part.

Users: ``maddpg`` through :class:`ReplayBuffer` (fixed fields ``obs``, ``actions``,
``rewards``, ``next_obs``, ``done``; floating observations kept as ``float32``, others as
``int64``; memory ``capacity · m · (2·obs size + 2)`` numbers) and ``dqn`` directly
(``learners.deep.buffers``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from incentive_lab.core.types import IntArray, Obs

Array = np.ndarray[Any, Any]
FIELDS = ("obs", "actions", "rewards", "next_obs", "done")


class Replay:
    """Ring buffer of ``capacity`` group steps (see the module docstring)."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.size = 0
        self.cursor = 0
        self.arrays: dict[str, Array] = {}

    def add(self, **fields: Any) -> None:
        """Store one step, overwriting the oldest when full."""
        if not self.arrays:
            for name, value in fields.items():
                value = np.asarray(value)
                self.arrays[name] = np.zeros((self.capacity, *value.shape), dtype=value.dtype)
        for name, value in fields.items():
            self.arrays[name][self.cursor] = value
        self.cursor = (self.cursor + 1) % self.capacity
        self.size = min(self.size + 1, self.capacity)

    def sample(self, batch: int, rng: np.random.Generator) -> dict[str, Array]:
        """``batch`` stored steps, uniformly with replacement (arrays ``[batch, ...]``)."""
        index = rng.integers(self.size, size=batch)
        return {name: array[index] for name, array in self.arrays.items()}

    def sequences(self, batch: int, length: int, rng: np.random.Generator) -> Array:
        """``int64[batch, length]``: slots of ``batch`` runs of ``length`` consecutive steps.

        A run's first step is drawn uniformly with replacement among those whose run is
        stored whole and in order (it never crosses the write cursor); runs may cross
        episode boundaries (the learner resets its hidden state at recorded episode starts).
        """
        oldest = (self.cursor - self.size) % self.capacity
        first = rng.integers(self.size - length + 1, size=batch)
        out: Array = (oldest + first[:, None] + np.arange(length)[None, :]) % self.capacity
        return out

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["arrays"] = {name: array[: self.size].copy() for name, array in self.arrays.items()}
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        arrays = state.pop("arrays")
        self.__dict__.update(state)
        self.arrays = {}
        for name, filled in arrays.items():
            full = np.zeros((self.capacity, *filled.shape[1:]), dtype=filled.dtype)
            full[: filled.shape[0]] = filled
            self.arrays[name] = full


def _stored(obs: Obs) -> Array:
    raw = np.asarray(obs)
    return raw.astype(np.float32) if raw.dtype.kind == "f" else raw.astype(np.int64)


class ReplayBuffer(Replay):
    """:class:`Replay` with ``maddpg``'s fixed fields and dtypes (module docstring)."""

    def add(  # type: ignore[override]
        self, obs: Obs, actions: IntArray, rewards: Any, next_obs: Obs, done: bool
    ) -> None:
        """Store one step (overwriting the oldest when full)."""
        raw = _stored(obs)
        super().add(
            obs=raw,
            actions=np.asarray(actions, dtype=np.int64),
            rewards=np.asarray(rewards, dtype=np.float32),
            next_obs=np.asarray(next_obs).astype(raw.dtype),
            done=np.float32(done),
        )
