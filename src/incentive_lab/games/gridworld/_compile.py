"""Compile one Python function into several named Numba variants (serial, parallel).

Numba's disk cache is keyed by the qualified name, not the options, so each variant of a
kernel (e.g. ``parallel=True``) must be compiled from its own named copy of the function.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any

from numba import njit


def compiled(func: Callable[..., Any], name: str, **options: Any) -> Any:
    """``njit(cache=True, **options)`` of a copy of ``func`` renamed ``name``."""
    clone = types.FunctionType(
        func.__code__, func.__globals__, name, func.__defaults__, func.__closure__
    )
    clone.__qualname__ = name
    clone.__module__ = func.__module__
    return njit(cache=True, **options)(clone)
