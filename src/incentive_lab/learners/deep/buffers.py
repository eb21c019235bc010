"""NumPy storage of the deep learners: PPO's rollout buffer and DQN's replay memory.

:class:`Rollout` holds ``n_steps`` consecutive group steps (arrays ``[T, m, ...]``): raw
observations (and global states for a centralised critic), actions, the behaviour policy's
log-probabilities and values, shaped rewards, episode starts and ends, and the bootstrap
values ``V̂`` written at episode ends and at the last step (``learners.deep._losses.gae``).
Observations are stored by :func:`compact`: the game's dtype (a ``uint8`` view stays one
byte per cell), ``float64`` as ``float32`` (what the networks read anyway).

:class:`Replay` is a ring buffer of ``capacity`` group steps (each ``[m, ...]``); a batch is
``batch`` stored steps drawn uniformly *with* replacement from the learner's NumPy generator,
each with all ``m`` agents (with separate networks every agent gets ``batch`` transitions of
its own; with shared parameters the rows are pooled). ``done`` is the ``terminated`` flag
only: a truncated step still bootstraps. :meth:`Replay.sequences` draws runs of consecutive
stored steps for the recurrent DQN. Pickling keeps only the filled part.
"""

from __future__ import annotations

from typing import Any

import numpy as np

Array = np.ndarray[Any, Any]


def compact(obs: Any) -> Array:
    """Raw observations as stored: ``float64`` becomes ``float32``, other dtypes are kept."""
    array = np.asarray(obs)
    return array.astype(np.float32) if array.dtype == np.float64 else array


class Rollout:
    """``steps`` group steps of ``m`` agents (see the module docstring)."""

    def __init__(self, steps: int) -> None:
        self.steps = steps
        self.t = 0
        self.arrays: dict[str, Array] = {}

    def add(self, **fields: Any) -> None:
        """Store one step's fields (allocated at the first call, by shape and dtype)."""
        if not self.arrays:
            for name, value in fields.items():
                value = np.asarray(value)
                self.arrays[name] = np.zeros((self.steps, *value.shape), dtype=value.dtype)
        for name, value in fields.items():
            self.arrays[name][self.t] = value
        self.t += 1

    @property
    def full(self) -> bool:
        """Whether ``steps`` steps are stored."""
        return self.t >= self.steps

    def next_values(self, bootstrap: Array) -> Array:
        """``V̂[T, m]``: the next step's value inside an episode, else ``bootstrap[t]``."""
        values, ends = self.arrays["values"], self.arrays["ends"]
        out = np.array(bootstrap, dtype=np.float64)
        inside = ~ends[:-1].astype(bool)
        out[:-1][inside] = values[1:][inside]
        return out

    def clear(self) -> None:
        """Forget the stored steps (buffers are reused)."""
        self.t = 0


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
        state["arrays"] = {k: v[: self.size].copy() for k, v in self.arrays.items()}
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        arrays = state.pop("arrays")
        self.__dict__.update(state)
        self.arrays = {}
        for name, filled in arrays.items():
            full = np.zeros((self.capacity, *filled.shape[1:]), dtype=filled.dtype)
            full[: filled.shape[0]] = filled
            self.arrays[name] = full
