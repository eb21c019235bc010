"""Owned randomness: seeds become ``numpy.random.Generator`` objects in one place.

Nothing in the library touches the global NumPy or ``random`` state. A run owns one
``SeedSequence``; every consumer (game, each learner group, the mechanism) receives its own
child generator spawned in a fixed order, so adding a consumer never shifts another's
stream and the same seed index gives the same streams at every sweep point.
"""

from __future__ import annotations

import numpy as np

SeedLike = int | np.random.SeedSequence | np.random.Generator | None


def seed_sequence(seed: int | np.random.SeedSequence | None) -> np.random.SeedSequence:
    """Return ``seed`` as a ``SeedSequence`` (``None`` draws fresh OS entropy)."""
    if isinstance(seed, np.random.SeedSequence):
        return seed
    return np.random.SeedSequence(seed)


def make_rng(seed: SeedLike) -> np.random.Generator:
    """Return a PCG64 generator owned by the caller."""
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.Generator(np.random.PCG64(seed_sequence(seed)))


def spawn_rngs(seed: int | np.random.SeedSequence | None, n: int) -> list[np.random.Generator]:
    """Spawn ``n`` independent child generators from ``seed`` in a fixed order."""
    return [np.random.Generator(np.random.PCG64(s)) for s in seed_sequence(seed).spawn(n)]


def run_seed(experiment_seed: int, seed_index: int) -> np.random.SeedSequence:
    """The seed of replicate ``seed_index`` of an experiment.

    It depends on nothing else (not on the sweep point), which gives common random numbers
    across mechanisms and parameters: paired runs share their random streams.
    """
    return np.random.SeedSequence(entropy=experiment_seed, spawn_key=(seed_index,))
