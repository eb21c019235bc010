"""Numba phases of a step that change the world: eating, coins, apple regrowth, waste.

Eating (Harvest, Cleanup): an acting agent standing on an apple after the moves eats it,
``+APPLE_REWARD`` (1 in every source).

Coins (Lerer & Peysakhovich 2017; Foerster et al. 2018): every agent standing on a coin after
the moves picks it up: ``+COIN_REWARD`` (1) to the picker and, when the coin is another
player's colour, ``+COIN_PENALTY`` (−2) to that player. Agents sharing the cell of a coin
(non-blocking game) all pick it. A picked coin reappears at once on a uniformly random cell
holding no agent and no coin (draw ``_rng.COINS + q``) — with ``SINGLE_COIN`` (LOLA's rule)
the one coin reappears in a uniformly random player's colour (draw ``_rng.COINS + 1000``).

Harvest regrowth (Perolat et al. 2017; probabilities by density as in Melting Pot's
``DensityRegrow`` and SocialJax's ``commons_harvest``): an empty apple cell with no agent on
it regrows with probability ``p[min(k, len(p) − 1)]``, ``k`` the apples within the
neighbourhood ``offsets`` (Euclidean radius 2 by default) counted *before* this step's
regrowth (synchronous update). With ``p[0] = 0`` a cell with no apple nearby never regrows.

Cleanup (Hughes et al. 2018; constants of the reference implementation and Melting Pot
``clean_up``): the waste density ``D = waste cells / river cells`` after cleaning sets the
apple spawn probability::

    p_apple = p_max                                   if D ≤ restoration
            = p_max · (1 − (D − restoration) / (depletion − restoration))   in between
            = 0                                       if D ≥ depletion

and each empty orchard cell with no agent on it grows an apple with ``p_apple``. While
``D < depletion``, one clean river cell (uniformly chosen) becomes polluted with probability
``WASTE_PROBABILITY`` (Melting Pot's ``DirtSpawner``; the older reference implementation tries
the cells in a random order, each with that probability, so it pollutes almost one cell a
step).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from incentive_lab.games.gridworld._rng import COINS, uniform
from incentive_lab.games.gridworld._rng import WASTE as WASTE_DRAWS
from incentive_lab.games.gridworld.maps import APPLE, COIN, NONE, WALL, WASTE
from incentive_lab.games.gridworld.rules import (
    APPLE_PROBABILITY,
    APPLE_REWARD,
    APPLES,
    COIN_PENALTY,
    COIN_REWARD,
    DEPLETION,
    OTHER_COINS,
    OWN_COINS,
    RESTORATION,
    WASTE_PROBABILITY,
)


@njit(cache=True)
def eat_apples(
    acts: np.ndarray,
    items: np.ndarray,
    row: np.ndarray,
    col: np.ndarray,
    frules: np.ndarray,
    rewards: np.ndarray,
    events: np.ndarray,
) -> None:
    """Acting agents on an apple eat it."""
    for i in range(row.shape[0]):
        if acts[i] and items[row[i], col[i]] == APPLE:
            items[row[i], col[i]] = NONE
            rewards[i] += frules[APPLE_REWARD]
            events[i, APPLES] += 1


@njit(cache=True)
def pick_coins(
    seed: np.uint64,
    acts: np.ndarray,
    terrain: np.ndarray,
    items: np.ndarray,
    count: np.ndarray,
    row: np.ndarray,
    col: np.ndarray,
    frules: np.ndarray,
    rewards: np.ndarray,
    events: np.ndarray,
    single: bool,
    picked: np.ndarray,
) -> None:
    """Agents on coins pick them up (rewards above); picked coins reappear at once.

    ``picked: int64[N]`` is scratch space (whose coins were picked).
    """
    n = row.shape[0]
    for i in range(n):
        picked[i] = 0
    for i in range(n):
        if not acts[i]:
            continue
        item = items[row[i], col[i]]
        if item < COIN:
            continue
        owner = item - COIN
        picked[owner] = 1
        rewards[i] += frules[COIN_REWARD]
        if owner == i:
            events[i, OWN_COINS] += 1
        else:
            rewards[owner] += frules[COIN_PENALTY]
            events[i, OTHER_COINS] += 1
    for i in range(n):
        if acts[i] and items[row[i], col[i]] >= COIN:
            items[row[i], col[i]] = NONE
    if single:
        if picked.any():
            colour = min(int(uniform(seed, COINS + 1000) * n), n - 1)
            place_coin(colour, uniform(seed, COINS), terrain, items, count)
        return
    for q in range(n):
        if picked[q]:
            place_coin(q, uniform(seed, COINS + q), terrain, items, count)


@njit(cache=True)
def place_coin(q: int, u: float, terrain: np.ndarray, items: np.ndarray, count: np.ndarray) -> None:
    """Put coin ``q`` on the ``⌊u·m⌋``-th of the ``m`` cells with no wall, agent or item."""
    height, width = terrain.shape
    free = 0
    for r in range(height):
        for c in range(width):
            free += terrain[r, c] != WALL and count[r, c] == 0 and items[r, c] == NONE
    if free == 0:
        return
    pick = int(u * free)
    for r in range(height):
        for c in range(width):
            if terrain[r, c] != WALL and count[r, c] == 0 and items[r, c] == NONE:
                if pick == 0:
                    items[r, c] = COIN + q
                    return
                pick -= 1


@njit(cache=True)
def regrow_apples(
    seed: np.uint64,
    items: np.ndarray,
    count: np.ndarray,
    apple_cells: np.ndarray,
    offsets: np.ndarray,
    probabilities: np.ndarray,
    wrap: bool,
) -> None:
    """Harvest's density-dependent regrowth (module docstring), synchronous."""
    height, width = items.shape
    neighbours = neighbour_table(apple_cells, offsets, height, width, wrap)
    grow = np.empty(apple_cells.shape[0], dtype=np.int64)
    regrow_apples_into(seed, items, count, apple_cells, neighbours, probabilities, grow)


@njit(cache=True)
def neighbour_table(
    apple_cells: np.ndarray, offsets: np.ndarray, height: int, width: int, wrap: bool
) -> np.ndarray:
    """``int64[A, 1 + M]``: apple cell ``k``'s flat index ``r·W + c``, then its neighbours'.

    Row ``k``: the cell itself, then the cells of the neighbourhood ``offsets`` on the map
    (off-map ones dropped, or wrapped on a torus), then ``-1``. Built once per game, so the
    regrowth does no index arithmetic or bounds checks per step.
    """
    table = np.full((apple_cells.shape[0], offsets.shape[0] + 1), -1, dtype=np.int64)
    for k in range(apple_cells.shape[0]):
        table[k, 0] = apple_cells[k, 0] * width + apple_cells[k, 1]
        n = 1
        for m in range(offsets.shape[0]):
            rr, cc = apple_cells[k, 0] + offsets[m, 0], apple_cells[k, 1] + offsets[m, 1]
            if wrap:
                rr, cc = rr % height, cc % width
            elif rr < 0 or rr >= height or cc < 0 or cc >= width:
                continue
            table[k, n] = rr * width + cc
            n += 1
    return table


@njit(cache=True)
def regrow_apples_into(
    seed: np.uint64,
    items: np.ndarray,
    count: np.ndarray,
    apple_cells: np.ndarray,
    neighbours: np.ndarray,
    probabilities: np.ndarray,
    grow: np.ndarray,
) -> None:
    """:func:`regrow_apples` with its :func:`neighbour_table` and scratch ``grow: int64[A]``.

    Counting stops at ``len(p) − 1`` apples (the probability no longer changes), and no
    number is drawn when the probability is 0 or 1 (``u < p`` is then known for every
    ``u ∈ [0, 1)``): the same result as counting and drawing everywhere, for less work.
    """
    flat, agents = items.reshape(-1), count.reshape(-1)
    last = probabilities.shape[0] - 1
    cells = neighbours.shape[0]
    for k in range(cells):
        grow[k] = 0
        here = np.uint64(neighbours[k, 0])
        if flat[here] != NONE or agents[here] > 0:
            continue
        near = 0
        for m in range(1, neighbours.shape[1]):
            cell = neighbours[k, m]
            if cell < 0 or near >= last:
                break
            near += flat[np.uint64(cell)] == APPLE
        p = probabilities[min(near, last)]
        if p >= 1.0:
            grow[k] = 1
        elif p > 0.0:
            grow[k] = uniform(seed, neighbours[k, 0]) < p
    for k in range(cells):
        if grow[k]:
            flat[np.uint64(neighbours[k, 0])] = APPLE


@njit(cache=True)
def waste_density(items: np.ndarray, river_cells: np.ndarray) -> float:
    """Polluted river cells over river cells (0 when the map has no river)."""
    if river_cells.shape[0] == 0:
        return 0.0
    waste = 0
    for k in range(river_cells.shape[0]):
        waste += items[river_cells[k, 0], river_cells[k, 1]] == WASTE
    return waste / river_cells.shape[0]


@njit(cache=True)
def apple_probability(density: float, frules: np.ndarray) -> float:
    """Cleanup's apple spawn probability at waste density ``density`` (module docstring)."""
    depletion, restoration = frules[DEPLETION], frules[RESTORATION]
    if density >= depletion:
        return 0.0
    if density <= restoration:
        return frules[APPLE_PROBABILITY]
    return frules[APPLE_PROBABILITY] * (1.0 - (density - restoration) / (depletion - restoration))


@njit(cache=True)
def cleanup_spawns(
    seed: np.uint64,
    items: np.ndarray,
    count: np.ndarray,
    apple_cells: np.ndarray,
    river_cells: np.ndarray,
    frules: np.ndarray,
) -> None:
    """Cleanup's apple growth in the orchard and waste in the river (module docstring)."""
    width = items.shape[1]
    density = waste_density(items, river_cells)
    p_apple = apple_probability(density, frules)
    if p_apple > 0.0:
        for k in range(apple_cells.shape[0]):
            r, c = apple_cells[k, 0], apple_cells[k, 1]
            if items[r, c] == NONE and count[r, c] == 0 and uniform(seed, r * width + c) < p_apple:
                items[r, c] = APPLE
    if density >= frules[DEPLETION] or uniform(seed, WASTE_DRAWS) >= frules[WASTE_PROBABILITY]:
        return
    clean = 0
    for k in range(river_cells.shape[0]):
        clean += items[river_cells[k, 0], river_cells[k, 1]] == NONE
    if clean == 0:
        return
    pick = int(uniform(seed, WASTE_DRAWS + 1) * clean)
    for k in range(river_cells.shape[0]):
        r, c = river_cells[k, 0], river_cells[k, 1]
        if items[r, c] == NONE:
            if pick == 0:
                items[r, c] = WASTE
                return
            pick -= 1


@njit(cache=True)
def cleanup_spawns_flat(
    seed: np.uint64,
    items: np.ndarray,
    count: np.ndarray,
    neighbours: np.ndarray,
    rivers: np.ndarray,
    frules: np.ndarray,
) -> int:
    """:func:`cleanup_spawns` on flat cell indices; returns the waste cells afterwards.

    ``neighbours[:, 0]``: the orchard cells (:func:`neighbour_table`); ``rivers: int64[R]``:
    the river cells, both as ``r·W + c``. Same draws and results as :func:`cleanup_spawns`.
    """
    flat, agents = items.reshape(-1), count.reshape(-1)
    n_rivers = rivers.shape[0]
    waste = 0
    for k in range(n_rivers):
        waste += flat[np.uint64(rivers[k])] == WASTE
    density = waste / n_rivers if n_rivers > 0 else 0.0
    p_apple = apple_probability(density, frules)
    if p_apple > 0.0:
        for k in range(neighbours.shape[0]):
            cell = neighbours[k, 0]
            here = np.uint64(cell)
            if flat[here] == NONE and agents[here] == 0 and uniform(seed, cell) < p_apple:
                flat[here] = APPLE
    if density >= frules[DEPLETION] or uniform(seed, WASTE_DRAWS) >= frules[WASTE_PROBABILITY]:
        return waste
    clean = 0
    for k in range(n_rivers):
        clean += flat[np.uint64(rivers[k])] == NONE
    if clean == 0:
        return waste
    pick = int(uniform(seed, WASTE_DRAWS + 1) * clean)
    for k in range(n_rivers):
        here = np.uint64(rivers[k])
        if flat[here] == NONE:
            if pick == 0:
                flat[here] = WASTE
                return waste + 1
            pick -= 1
    return waste
