"""Lattice snapshots: the final strategy field of a run on a square lattice, stored compactly.

Population games on an ``L × L`` lattice (``spatial_public_goods`` with ``side``) are shown
in the report as an image of the strategy field at the end of a run. The runner stores one
snapshot per run in ``RunResult.extra["snapshot"]`` (the store keeps ``extra`` as JSON in
the ``runs`` table), so no schema change is needed:

``{"kind": "lattice", "shape": [h, w], "stride": s, "side": L, "bits": "<base64>"}``

* the field is the agents' next actions (their strategies after the last update) reshaped
  to ``L × L`` (agent ``i`` at row ``i // L``, column ``i % L``), **downsampled** by taking
  every ``s``-th row and column with ``s = ⌈L / MAX_SIDE⌉`` (so ``h, w ≤ 200``: striding
  keeps the sharp cluster boundaries that averaging would blur);
* values are the binary actions (0 = cooperate, 1 = defect in ``spatial_public_goods``),
  packed 8 per byte (``numpy.packbits``, row-major) and base64-encoded: a 200 × 200 field
  costs about 6.7 kB of JSON.

:func:`lattice_snapshot` encodes (``None`` when the game is not a binary-action square
lattice); :func:`decode_snapshot` returns ``int64[h, w]``.
"""

from __future__ import annotations

import base64
import math
from typing import Any

import numpy as np

from incentive_lab.core.types import IntArray

MAX_SIDE = 200
"""Largest stored side; bigger lattices are strided down to at most this."""


def lattice_side(game: Any) -> int | None:
    """``L`` when ``game`` is a binary-action ``L × L`` lattice game, else ``None``."""
    side = getattr(getattr(game, "params", None), "side", None)
    if not isinstance(side, int) or side < 1:
        return None
    if getattr(game, "n_agents", None) != side * side or getattr(game, "n_actions", 0) != 2:
        return None
    return side


def encode_field(field: IntArray, side: int, stride: int) -> dict[str, Any]:
    """The snapshot record of a binary ``field: int[h, w]`` (see the module)."""
    bits = np.packbits(np.asarray(field, dtype=np.uint8).reshape(-1) & 1)
    return {
        "kind": "lattice",
        "shape": [int(field.shape[0]), int(field.shape[1])],
        "stride": int(stride),
        "side": int(side),
        "bits": base64.b64encode(bits.tobytes()).decode("ascii"),
    }


def lattice_snapshot(game: Any, actions: IntArray) -> dict[str, Any] | None:
    """The stored snapshot of ``actions`` on ``game``'s lattice (``None``: not a lattice)."""
    side = lattice_side(game)
    if side is None:
        return None
    stride = max(1, math.ceil(side / MAX_SIDE))
    field = np.asarray(actions, dtype=np.int64).reshape(side, side)[::stride, ::stride]
    return encode_field(field, side, stride)


def decode_snapshot(record: dict[str, Any]) -> IntArray:
    """``int64[h, w]``: the field stored by :func:`lattice_snapshot`."""
    h, w = (int(v) for v in record["shape"])
    raw = np.frombuffer(base64.b64decode(record["bits"]), dtype=np.uint8)
    bits = np.unpackbits(raw)[: h * w]
    return bits.astype(np.int64).reshape(h, w)
