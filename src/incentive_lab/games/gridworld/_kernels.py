"""The gridworld step in Numba: one copy (:func:`step_copy`) and all copies at once.

State of ``C`` copies of ``N`` players (``GridState`` in ``base.py``): ``items``, ``count``:
``int8[C, H, W]``; ``row``, ``col``, ``orient``, ``timeout``: ``int64[C, N]``; ``seeds``:
``uint64[C]``. Per step and copy the kernel also fills ``rewards: float64[C, N]`` and
``events: int64[C, N, EVENTS]`` (``rules``). Joint actions arrive as the game's rows,
player-major: row ``i·C + c`` is player ``i`` of copy ``c``.

One step of one copy, top to bottom (each phase in its module):

1. time-outs count down, finished ones respawn (``_moves.timeouts``);
2. turns, then moves in a random order (``_moves``);
3. eating apples / picking coins (``_dynamics``);
4. zap and cleaning beams (``_beams``);
5. the world: apple regrowth (Harvest), apples and waste (Cleanup).

Every random number comes from the copy's counter-based stream (``_rng``), so a step is a
pure function of the state and the actions: the counterfactual queries re-run it from a
saved state with other actions (``rewards_for`` through the step itself, ``deviation``
through :func:`deviations`).
Copies run in parallel (``prange``) in the ``parallel`` variants; results do not depend on
the number of threads.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from incentive_lab.games.gridworld._beams import clean_beams, zap_beams
from incentive_lab.games.gridworld._compile import compiled
from incentive_lab.games.gridworld._dynamics import (
    cleanup_spawns,
    eat_apples,
    pick_coins,
    regrow_apples,
    waste_density,
)
from incentive_lab.games.gridworld._moves import moves, timeouts, turns
from incentive_lab.games.gridworld._rng import step_seed
from incentive_lab.games.gridworld.maps import APPLE
from incentive_lab.games.gridworld.rules import (
    BLOCKING,
    CLEANUP,
    COINS,
    EVENTS,
    HARVEST,
    KIND,
    SINGLE_COIN,
    WRAP,
)


@njit(cache=True)
def step_copy(
    t: int,
    seed: np.uint64,
    actions: np.ndarray,
    terrain: np.ndarray,
    items: np.ndarray,
    count: np.ndarray,
    row: np.ndarray,
    col: np.ndarray,
    orient: np.ndarray,
    timeout: np.ndarray,
    spawn: np.ndarray,
    apple_cells: np.ndarray,
    river_cells: np.ndarray,
    offsets: np.ndarray,
    regrowth: np.ndarray,
    irules: np.ndarray,
    frules: np.ndarray,
    rewards: np.ndarray,
    events: np.ndarray,
    stats: np.ndarray,
) -> None:
    """Step ``t`` of one copy in place (module docstring); ``rewards``/``events`` start at 0.

    ``stats: float64[2]`` receives the apples on the map and the waste density after the step.
    """
    s = step_seed(seed, t)
    kind = irules[KIND]
    wrap = irules[WRAP] == 1
    acts = np.empty(row.shape[0], dtype=np.bool_)
    timeouts(s, spawn, count, row, col, orient, timeout, events, acts, kind == COINS)
    turns(actions, acts, orient)
    moves(s, actions, acts, terrain, count, row, col, orient, irules[BLOCKING] == 1, wrap)
    if kind == COINS:
        pick_coins(
            s,
            acts,
            terrain,
            items,
            count,
            row,
            col,
            frules,
            rewards,
            events,
            irules[SINGLE_COIN] == 1,
        )
    else:
        eat_apples(acts, items, row, col, frules, rewards, events)
        zap_beams(
            actions,
            acts,
            terrain,
            count,
            row,
            col,
            orient,
            timeout,
            irules,
            frules,
            rewards,
            events,
        )
    if kind == CLEANUP:
        clean_beams(
            actions, acts, terrain, items, row, col, orient, irules, frules, rewards, events
        )
        cleanup_spawns(s, items, count, apple_cells, river_cells, frules)
    elif kind == HARVEST:
        regrow_apples(s, items, count, apple_cells, offsets, regrowth, wrap)
    apples = 0
    for k in range(apple_cells.shape[0]):
        apples += items[apple_cells[k, 0], apple_cells[k, 1]] == APPLE
    stats[0] = apples
    stats[1] = waste_density(items, river_cells)


def _step_all_impl(
    t: int,
    seeds: np.ndarray,
    actions: np.ndarray,
    terrain: np.ndarray,
    items: np.ndarray,
    count: np.ndarray,
    row: np.ndarray,
    col: np.ndarray,
    orient: np.ndarray,
    timeout: np.ndarray,
    spawn: np.ndarray,
    apple_cells: np.ndarray,
    river_cells: np.ndarray,
    offsets: np.ndarray,
    regrowth: np.ndarray,
    irules: np.ndarray,
    frules: np.ndarray,
    rewards: np.ndarray,
    events: np.ndarray,
    stats: np.ndarray,
) -> None:
    """:func:`step_copy` on every copy; ``actions: int64[N·C]`` player-major rows."""
    copies, players = row.shape
    for c in prange(copies):
        local = np.empty(players, dtype=np.int64)
        for i in range(players):
            local[i] = actions[i * copies + c]
        rewards[c, :] = 0.0
        events[c, :, :] = 0
        step_copy(
            t,
            seeds[c],
            local,
            terrain,
            items[c],
            count[c],
            row[c],
            col[c],
            orient[c],
            timeout[c],
            spawn,
            apple_cells,
            river_cells,
            offsets,
            regrowth,
            irules,
            frules,
            rewards[c],
            events[c],
            stats[c],
        )


step_all_serial = compiled(_step_all_impl, "step_all_serial")
step_all_parallel = compiled(_step_all_impl, "step_all_parallel", parallel=True)


@njit(cache=True)
def deviations(
    t: int,
    seeds: np.ndarray,
    actions: np.ndarray,
    alternative: np.ndarray,
    terrain: np.ndarray,
    items: np.ndarray,
    count: np.ndarray,
    row: np.ndarray,
    col: np.ndarray,
    orient: np.ndarray,
    timeout: np.ndarray,
    spawn: np.ndarray,
    apple_cells: np.ndarray,
    river_cells: np.ndarray,
    offsets: np.ndarray,
    regrowth: np.ndarray,
    irules: np.ndarray,
    frules: np.ndarray,
    own: np.ndarray,
    welfare: np.ndarray,
) -> None:
    """For every row ``j``: replay its copy with row ``j`` playing ``alternative[j]``.

    The state arrays hold the state *before* the step (left unchanged); ``own[j]`` receives
    row ``j``'s reward and ``welfare[j]`` its copy's total reward.
    """
    copies, players = row.shape
    for j in range(players * copies):
        i, c = j // copies, j % copies
        local = np.empty(players, dtype=np.int64)
        for k in range(players):
            local[k] = actions[k * copies + c]
        local[i] = alternative[j]
        rewards = np.zeros(players)
        events = np.zeros((players, EVENTS), dtype=np.int64)
        step_copy(
            t,
            seeds[c],
            local,
            terrain,
            items[c].copy(),
            count[c].copy(),
            row[c].copy(),
            col[c].copy(),
            orient[c].copy(),
            timeout[c].copy(),
            spawn,
            apple_cells,
            river_cells,
            offsets,
            regrowth,
            irules,
            frules,
            rewards,
            events,
            np.zeros(2),
        )
        own[j] = rewards[i]
        welfare[j] = rewards.sum()
