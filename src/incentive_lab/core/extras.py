"""Optional extras and how to install them.

incentive-lab is installed from a source checkout until it is published, so an install hint
names the editable install of the extra (``pip install -e ".[ray]"``), which resolves; a
hint naming the bare project (``pip install incentive-lab[ray]``) would not.
"""

from __future__ import annotations

EXTRAS = ("torch", "ray", "design", "parquet", "tensorboard", "bench", "docs", "dev")
"""The optional extras declared in ``pyproject.toml``."""


def install_hint(extra: str) -> str:
    """``pip install -e ".[extra]"`` (run in the source checkout)."""
    if extra not in EXTRAS:
        raise ValueError(f"unknown extra {extra!r}; declared: {', '.join(EXTRAS)}")
    return f'pip install -e ".[{extra}]" (in the incentive-lab checkout)'
