"""Parameters every gridworld game shares (each game adds its rates and its defaults)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator
from pydantic_core import PydanticCustomError

from incentive_lab.core.params import Params

SHAPE_FIELDS = ("n_agents", "n_copies", "preset", "view_size", "format", "dtype")
"""Parameters that fix array shapes: they cannot change mid-run (``reconfigure``)."""


class GridworldParams(Params):
    """Shared parameters of ``coins``, ``harvest`` and ``cleanup``."""

    n_agents: int = Field(5, ge=1, le=16)
    """Players per copy ``N`` (the game has ``N · n_copies`` agents)."""
    n_copies: int = Field(1, ge=1, le=1 << 20)
    """Independent copies played at once; row ``i·n_copies + c`` is player ``i`` of copy ``c``."""
    preset: str = "small"
    """The map (``games.gridworld.maps.PRESETS``)."""
    episode_length: int = Field(1000, ge=1)
    """Steps per episode; then every copy is truncated and the game starts a new episode."""
    view_size: int | None = Field(None, ge=1, le=63)
    """Side of the square egocentric view (odd); ``None``: the game's default."""
    format: Literal["image", "flat"] = "image"
    """Observations as ``[n, V, V, K]`` feature planes, or flattened to ``[n, V·V·K]``."""
    dtype: Literal["float64", "float32", "uint8"] = "float64"
    """Observation dtype. Every choice is a full citizen: the observation box declares it,
    ``check_game`` and PettingZoo conformance check it, and the deep learners (which turn
    views into float32 tensors) learn the same from ``uint8`` as from ``float64`` views of
    0/1 planes. ``uint8`` is 8x smaller and the fastest for many copies; ``float64`` stays
    the default so that existing runs keep their ids."""
    parallel: bool = False
    """Step and draw the views of the copies on all cores (Numba threads) from 64 copies.
    Results are identical. Worth it for hundreds of copies on an idle machine; on a busy one
    thread synchronisation can cost more than it saves (``benchmarks/README.md``)."""

    @field_validator("view_size")
    @classmethod
    def _odd(cls, value: int | None) -> int | None:
        if value is not None and value % 2 == 0:
            raise PydanticCustomError("config", "{allowed}", {"allowed": "an odd view size"})
        return value
