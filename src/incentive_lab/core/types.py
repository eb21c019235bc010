"""Array vocabulary shared by every layer.

A population of ``n`` agents is always described by arrays indexed ``0..n-1``:

* ``Actions``  — ``int64[n]``: one discrete action per agent.
* ``Rewards``  — ``float64[n]``: one scalar reward per agent.
* ``Obs``      — ``int64[n]`` for discrete observations (a state index per agent, the
  common case for tabular learners) or ``float64[n, d]`` for vector observations.
* ``Probs``    — ``float64[n, n_actions]``: a mixed strategy per agent, rows sum to one.

Dicts keyed by agent name exist only at the PettingZoo boundary (``incentive_lab.interop``).
"""

from __future__ import annotations

from typing import TypeAlias

import numpy as np
import numpy.typing as npt

Actions: TypeAlias = npt.NDArray[np.int64]
Rewards: TypeAlias = npt.NDArray[np.float64]
Obs: TypeAlias = npt.NDArray[np.int64] | npt.NDArray[np.float64]
Probs: TypeAlias = npt.NDArray[np.float64]
FloatArray: TypeAlias = npt.NDArray[np.float64]
IntArray: TypeAlias = npt.NDArray[np.int64]
BoolArray: TypeAlias = npt.NDArray[np.bool_]
