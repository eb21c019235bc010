"""NumPy storage of the deep learners: PPO's rollout buffer and DQN's replay memory.

:class:`Rollout` holds ``n_steps`` consecutive group steps (arrays ``[T, m, ...]``): raw
observations (and global states for a centralised critic), actions, the behaviour policy's
log-probabilities and values, shaped rewards, episode starts and ends, and the bootstrap
values ``V̂`` written at episode ends and at the last step (``learners.deep._losses.gae``).
Observations are stored by :func:`compact`: the game's dtype (a ``uint8`` view stays one
byte per cell), ``float64`` as ``float32`` (what the networks read anyway).

:class:`Replay` is the library's one replay memory (``learners.neural.replay``, shared with
``maddpg``): a ring buffer of ``capacity`` group steps (each ``[m, ...]``). ``dqn`` draws a
batch of ``batch`` stored steps uniformly *with* replacement from the learner's NumPy
generator, each with all ``m`` agents (with separate networks every agent gets ``batch``
transitions of its own; with shared parameters the rows are pooled), or runs of
consecutive steps (:meth:`Replay.sequences`, the recurrent DQN). ``done`` is the
``terminated`` flag only: a truncated step still bootstraps.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from incentive_lab.learners.neural.replay import Replay

__all__ = ["Replay", "Rollout", "compact"]

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
