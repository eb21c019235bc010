"""Numba phases of a step that fire beams: the zap (tagging / penalty) beam and the cleaning beam.

Geometry (as the reference implementation of Hughes et al. 2018, ``update_map_fire`` of
sequential_social_dilemma_games: three parallel rays; Melting Pot's ``beamRadius = 1``)
    A beam of length ``L`` and radius ``ρ`` fired by an agent at ``p`` facing ``o`` is
    ``2ρ + 1`` parallel rays, one per lateral offset ``l ∈ [−ρ, ρ]``, each visiting the cells
    ``p + d·forward + l·right`` for ``d = 1..L``. A ray stops at a wall or at the map's edge
    (unless the map wraps), and at the first thing it acts on:

    * zap: the first agent on the map other than the firer — that agent is hit;
    * clean: the first waste cell — the waste is removed.

Zap consequences (applied after every beam of the step is fired, so simultaneous zaps all
land): each hit adds ``ZAP_PENALTY`` to the hit agent's reward (Hughes et al.: −50 per
beam); firing adds ``ZAP_COST`` to the firer's (Hughes et al.: −1); with ``TAG_TIMEOUT > 0``
a hit agent is removed from the map for that many steps (Perolat et al. 2017: 25).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from incentive_lab.games.gridworld._moves import offset
from incentive_lab.games.gridworld.maps import NONE, WALL, WASTE
from incentive_lab.games.gridworld.rules import (
    BEAM_RADIUS,
    CLEAN,
    CLEAN_COST,
    CLEAN_LENGTH,
    CLEANED,
    CLEANS,
    HITS,
    TAG_TIMEOUT,
    WRAP,
    ZAP,
    ZAP_COST,
    ZAP_LENGTH,
    ZAP_PENALTY,
    ZAPS,
)


@njit(cache=True)
def _agent_at(
    r: int, c: int, shooter: int, timeout: np.ndarray, row: np.ndarray, col: np.ndarray
) -> int:
    """The player on the map at ``(r, c)`` other than ``shooter``, or ``-1``."""
    for j in range(row.shape[0]):
        if j != shooter and timeout[j] == 0 and row[j] == r and col[j] == c:
            return j
    return -1


@njit(cache=True)
def zap_beams(
    actions: np.ndarray,
    acts: np.ndarray,
    terrain: np.ndarray,
    count: np.ndarray,
    row: np.ndarray,
    col: np.ndarray,
    orient: np.ndarray,
    timeout: np.ndarray,
    irules: np.ndarray,
    frules: np.ndarray,
    rewards: np.ndarray,
    events: np.ndarray,
    hits: np.ndarray,
) -> None:
    """Fire every acting agent's zap beam, then apply penalties, costs and time-outs.

    ``hits: int64[N]`` is scratch space for the beams that hit each agent.
    """
    n = row.shape[0]
    height, width = terrain.shape
    wrap = irules[WRAP] == 1
    radius, length = irules[BEAM_RADIUS], irules[ZAP_LENGTH]
    for i in range(n):
        hits[i] = 0
    for i in range(n):
        if not acts[i] or actions[i] != ZAP:
            continue
        rewards[i] += frules[ZAP_COST]
        events[i, ZAPS] += 1
        for lateral in range(-radius, radius + 1):
            for d in range(1, length + 1):
                inside, r, c = offset(row[i], col[i], orient[i], d, lateral, height, width, wrap)
                if not inside or terrain[r, c] == WALL:
                    break
                if count[r, c] > 0:
                    j = _agent_at(r, c, i, timeout, row, col)
                    if j >= 0:
                        hits[j] += 1
                        break
    for j in range(n):
        if hits[j] == 0:
            continue
        rewards[j] += hits[j] * frules[ZAP_PENALTY]
        events[j, HITS] += hits[j]
        if irules[TAG_TIMEOUT] > 0 and timeout[j] == 0:
            timeout[j] = irules[TAG_TIMEOUT]
            count[row[j], col[j]] -= 1
            acts[j] = False


@njit(cache=True)
def clean_beams(
    actions: np.ndarray,
    acts: np.ndarray,
    terrain: np.ndarray,
    items: np.ndarray,
    row: np.ndarray,
    col: np.ndarray,
    orient: np.ndarray,
    irules: np.ndarray,
    frules: np.ndarray,
    rewards: np.ndarray,
    events: np.ndarray,
) -> None:
    """Fire every acting agent's cleaning beam; each ray removes the first waste it meets."""
    height, width = terrain.shape
    wrap = irules[WRAP] == 1
    radius, length = irules[BEAM_RADIUS], irules[CLEAN_LENGTH]
    for i in range(row.shape[0]):
        if not acts[i] or actions[i] != CLEAN:
            continue
        rewards[i] += frules[CLEAN_COST]
        events[i, CLEANS] += 1
        for lateral in range(-radius, radius + 1):
            for d in range(1, length + 1):
                inside, r, c = offset(row[i], col[i], orient[i], d, lateral, height, width, wrap)
                if not inside or terrain[r, c] == WALL:
                    break
                if items[r, c] == WASTE:
                    items[r, c] = NONE
                    events[i, CLEANED] += 1
                    break


@njit(cache=True)
def beam_hits_waste(
    r0: int,
    c0: int,
    o: int,
    terrain: np.ndarray,
    items: np.ndarray,
    radius: int,
    length: int,
    wrap: bool,
) -> int:
    """Waste cells a cleaning beam fired from ``(r0, c0)`` facing ``o`` would remove."""
    height, width = terrain.shape
    total = 0
    for lateral in range(-radius, radius + 1):
        for d in range(1, length + 1):
            inside, r, c = offset(r0, c0, o, d, lateral, height, width, wrap)
            if not inside or terrain[r, c] == WALL:
                break
            if items[r, c] == WASTE:
                total += 1
                break
    return total
