"""Memory checks made before a run allocates anything.

A run's population is refused when its lower-bound estimate (:data:`BYTES_PER_AGENT` per
agent) exceeds the memory available, so a config asking for 10¹² agents exits 2 with the
estimate instead of dying of ``MemoryError`` (or of the kernel's OOM killer) later. Two
checks use it: :func:`check_population` before a game is built, from the size its params
declare (``Params.population``: a 20,000 × 20,000 lattice is refused without building its
4·10⁸-node topology), and :func:`check_memory` on every resolved run.
"""

from __future__ import annotations

import os

from incentive_lab.core.errors import ConfigError
from incentive_lab.core.params import Params
from incentive_lab.experiments.config.resolved import ResolvedRun

BYTES_PER_AGENT = 64
"""Lower bound of a run's memory per agent (actions, base and shaped rewards, transfers,
observations, learner state: eight 8-byte arrays); units with tables need more."""


def available_memory() -> int:
    """Bytes of memory available to a new run (``MemAvailable``; else physical memory)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (OSError, ValueError, AttributeError):
        return 2**62


def check_memory(run: ResolvedRun) -> None:
    """Refuse a run whose population alone (estimated) exceeds the available memory."""
    check_agents(max((group.stop for group in run.learners), default=0))


def check_population(params: Params, field: str = "game.params") -> None:
    """Refuse game ``params`` whose declared population cannot fit (before building)."""
    declared = params.population()
    if declared is not None:
        check_agents(int(declared), field)


def check_agents(n_agents: int, field: str = "game.params") -> None:
    """Refuse ``n_agents`` agents when their estimated memory exceeds what is available."""
    estimate = n_agents * BYTES_PER_AGENT
    available = available_memory()
    if estimate > available:
        raise ConfigError(
            field,
            f"{n_agents} agents",
            f"a population whose memory (at least {estimate / 2**30:.1f} GiB estimated) fits "
            f"in the {available / 2**30:.1f} GiB available",
        )
