"""A NumPy ring buffer of group transitions for off-policy learners (``maddpg``).

One entry is one rollout step of the whole group: raw observations ``[m, ...]``, actions
``int64[m]``, rewards ``float32[m]``, next observations and the ``terminated`` flag. When
full, the oldest entry is overwritten. :meth:`ReplayBuffer.sample` draws ``batch`` entry
indices uniformly *with* replacement from the learner's NumPy generator, so a seeded run is
reproducible. Memory: ``capacity · m · (2·obs size + 2)`` numbers, allocated zero-filled at
the first :meth:`add` (pages are only touched as the buffer fills); pickling keeps only the
filled part.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from incentive_lab.core.types import IntArray, Obs

FIELDS = ("obs", "actions", "rewards", "next_obs", "done")


class ReplayBuffer:
    """Ring buffer of ``capacity`` group transitions (see the module docstring)."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.size = 0
        self.cursor = 0
        self.arrays: dict[str, np.ndarray[Any, Any]] = {}

    def _allocate(self, obs: np.ndarray[Any, Any], m: int) -> None:
        cap = self.capacity
        self.arrays = {
            "obs": np.zeros((cap, *obs.shape), dtype=obs.dtype),
            "actions": np.zeros((cap, m), dtype=np.int64),
            "rewards": np.zeros((cap, m), dtype=np.float32),
            "next_obs": np.zeros((cap, *obs.shape), dtype=obs.dtype),
            "done": np.zeros(cap, dtype=np.float32),
        }

    def add(self, obs: Obs, actions: IntArray, rewards: Any, next_obs: Obs, done: bool) -> None:
        """Store one step (overwriting the oldest when full)."""
        raw = np.asarray(obs)
        raw = raw.astype(np.float32) if raw.dtype.kind == "f" else raw.astype(np.int64)
        if not self.arrays:
            self._allocate(raw, int(np.asarray(actions).shape[0]))
        k = self.cursor
        self.arrays["obs"][k] = raw
        self.arrays["actions"][k] = actions
        self.arrays["rewards"][k] = rewards
        self.arrays["next_obs"][k] = next_obs
        self.arrays["done"][k] = float(done)
        self.cursor = (k + 1) % self.capacity
        self.size = min(self.size + 1, self.capacity)

    def sample(self, batch: int, rng: np.random.Generator) -> dict[str, np.ndarray[Any, Any]]:
        """``batch`` stored steps drawn uniformly with replacement (arrays ``[batch, ...]``)."""
        index = rng.integers(self.size, size=batch)
        return {name: array[index] for name, array in self.arrays.items()}

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
