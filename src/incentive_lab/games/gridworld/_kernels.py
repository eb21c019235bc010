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
Copies run in parallel (``prange`` over chunks of copies, each with its own scratch space)
in the ``parallel`` variants; results do not depend on the number of threads.

The game's step calls :func:`step_all_serial` then ``_observe.observe_serial``, or with threads
the fused :func:`step_observe_parallel` (step and views of each copy in one pass: one
parallel region per step, issue #17); ``rewards_for`` calls the step without the views.
The regrowth neighbourhood arrives as ``_dynamics.neighbour_table`` (``neighbours``, whose
column 0 lists the apple cells' flat indices ``r·W + c``) and the river cells as flat indices
(``rivers: int64[R]``), both built once per game.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from incentive_lab.games.gridworld._beams import clean_beams, zap_beams
from incentive_lab.games.gridworld._compile import compiled
from incentive_lab.games.gridworld._dynamics import (
    cleanup_spawns_flat,
    eat_apples,
    pick_coins,
    regrow_apples_into,
)
from incentive_lab.games.gridworld._moves import moves, timeouts, turns
from incentive_lab.games.gridworld._observe import CHUNKS, draw_copy
from incentive_lab.games.gridworld._rng import step_seed
from incentive_lab.games.gridworld.maps import APPLE, WASTE
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


@njit(cache=True, inline="always")
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
    rivers: np.ndarray,
    neighbours: np.ndarray,
    regrowth: np.ndarray,
    irules: np.ndarray,
    frules: np.ndarray,
    rewards: np.ndarray,
    events: np.ndarray,
    stats: np.ndarray,
    work: np.ndarray,
) -> None:
    """Step ``t`` of one copy in place (module docstring); ``rewards``/``events`` start at 0.

    ``stats: float64[2]`` receives the apples on the map and the waste density after the step;
    ``work``: scratch space, ``int64[4N + A]`` (``A`` apple cells), overwritten.
    """
    n = row.shape[0]
    acts, order, hits = work[:n], work[n : 2 * n], work[2 * n : 3 * n]
    picked, grow = work[3 * n : 4 * n], work[4 * n :]
    s = step_seed(seed, t)
    kind = irules[KIND]
    wrap = irules[WRAP] == 1
    timeouts(s, spawn, count, row, col, orient, timeout, events, acts, kind == COINS)
    turns(actions, acts, orient)
    moves(s, actions, acts, terrain, count, row, col, orient, irules[BLOCKING] == 1, wrap, order)
    if kind == COINS:
        pick_coins(
            s, acts, terrain, items, count, row, col, frules, rewards, events,
            irules[SINGLE_COIN] == 1, picked,
        )  # fmt: skip
    else:
        eat_apples(acts, items, row, col, frules, rewards, events)
        zap_beams(
            actions, acts, terrain, count, row, col, orient, timeout, irules, frules, rewards,
            events, hits,
        )  # fmt: skip
    if kind == CLEANUP:
        clean_beams(
            actions, acts, terrain, items, row, col, orient, irules, frules, rewards, events
        )
        waste = cleanup_spawns_flat(s, items, count, neighbours, rivers, frules)
    elif kind == HARVEST:
        regrow_apples_into(s, items, count, apple_cells, neighbours, regrowth, grow)
    apples = 0
    flat = items.reshape(-1)
    for k in range(neighbours.shape[0]):  # column 0: the apple cells' flat indices
        apples += flat[np.uint64(neighbours[k, 0])] == APPLE
    stats[0] = apples
    if kind != CLEANUP:
        waste = 0
        for k in range(rivers.shape[0]):
            waste += flat[np.uint64(rivers[k])] == WASTE
    stats[1] = waste / rivers.shape[0] if rivers.shape[0] > 0 else 0.0


@njit(cache=True, inline="always")
def _step_one(
    c: int,
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
    rivers: np.ndarray,
    neighbours: np.ndarray,
    regrowth: np.ndarray,
    irules: np.ndarray,
    frules: np.ndarray,
    rewards: np.ndarray,
    events: np.ndarray,
    stats: np.ndarray,
    local: np.ndarray,
    work: np.ndarray,
) -> None:
    """Step copy ``c`` of the stacked arrays (its actions gathered into ``local``)."""
    copies, players = row.shape
    for i in range(players):
        local[i] = actions[i * copies + c]
    for i in range(players):
        rewards[c, i] = 0.0
        for e in range(EVENTS):
            events[c, i, e] = 0
    step_copy(
        t, seeds[c], local, terrain, items[c], count[c], row[c], col[c], orient[c], timeout[c],
        spawn, apple_cells, rivers, neighbours, regrowth, irules, frules, rewards[c],
        events[c], stats[c], work,
    )  # fmt: skip


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
    rivers: np.ndarray,
    neighbours: np.ndarray,
    regrowth: np.ndarray,
    irules: np.ndarray,
    frules: np.ndarray,
    rewards: np.ndarray,
    events: np.ndarray,
    stats: np.ndarray,
) -> None:
    """:func:`step_copy` on every copy; ``actions: int64[N·C]`` player-major rows."""
    copies, players = row.shape
    chunks = min(copies, CHUNKS)
    for chunk in prange(chunks):
        local = np.empty(players, dtype=np.int64)
        work = np.empty(4 * players + apple_cells.shape[0], dtype=np.int64)
        for c in range(chunk * copies // chunks, (chunk + 1) * copies // chunks):
            _step_one(
                c, t, seeds, actions, terrain, items, count, row, col, orient, timeout, spawn,
                apple_cells, rivers, neighbours, regrowth, irules, frules, rewards, events,
                stats, local, work,
            )  # fmt: skip


step_all_serial = compiled(_step_all_impl, "step_all_serial")
step_all_parallel = compiled(_step_all_impl, "step_all_parallel", parallel=True)


def _step_observe_impl(
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
    rivers: np.ndarray,
    neighbours: np.ndarray,
    regrowth: np.ndarray,
    irules: np.ndarray,
    frules: np.ndarray,
    rewards: np.ndarray,
    events: np.ndarray,
    stats: np.ndarray,
    out: np.ndarray,
    size: int,
    per_player: bool,
    words: np.ndarray,
    blank: np.ndarray,
) -> None:
    """:func:`step_all_serial` and ``_observe.observe_serial`` fused, with the same results.

    Each copy is stepped, then its players' views are drawn into ``out`` (``_observe.draw_copy``;
    ``out``, ``words``, ``blank`` as ``_observe.observe_serial``), in one parallel region.
    """
    copies, players = row.shape
    wrap = irules[WRAP] == 1
    chunks = min(copies, CHUNKS)
    for chunk in prange(chunks):
        local = np.empty(players, dtype=np.int64)
        work = np.empty(4 * players + apple_cells.shape[0], dtype=np.int64)
        codes = blank.copy()
        for c in range(chunk * copies // chunks, (chunk + 1) * copies // chunks):
            _step_one(
                c, t, seeds, actions, terrain, items, count, row, col, orient, timeout, spawn,
                apple_cells, rivers, neighbours, regrowth, irules, frules, rewards, events,
                stats, local, work,
            )  # fmt: skip
            draw_copy(
                out, c, copies, codes, terrain, items[c], count[c], row[c], col[c], orient[c],
                timeout[c], size, wrap, per_player, words,
            )  # fmt: skip


step_observe_parallel = compiled(_step_observe_impl, "step_observe_parallel", parallel=True)


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
    rivers: np.ndarray,
    neighbours: np.ndarray,
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
    local = np.empty(players, dtype=np.int64)
    rewards = np.empty(players)
    events = np.empty((players, EVENTS), dtype=np.int64)
    stats = np.empty(2)
    work = np.empty(4 * players + apple_cells.shape[0], dtype=np.int64)
    for j in range(players * copies):
        i, c = j // copies, j % copies
        for k in range(players):
            local[k] = actions[k * copies + c]
        local[i] = alternative[j]
        rewards[:] = 0.0
        events[:, :] = 0
        step_copy(
            t, seeds[c], local, terrain, items[c].copy(), count[c].copy(), row[c].copy(),
            col[c].copy(), orient[c].copy(), timeout[c].copy(), spawn, apple_cells, rivers,
            neighbours, regrowth, irules, frules, rewards, events, stats, work,
        )  # fmt: skip
        own[j] = rewards[i]
        welfare[j] = rewards.sum()
