"""The Coin Game's step in one Numba kernel: dynamics, views and episode totals per copy.

Issue #17 (throughput): the generic step (``_kernels.step_copy``) serves the three games and
calls one compiled function per phase with a dozen arrays of the copy, which for a 3×3
torus with two players costs far more than the rules themselves (reference counting of the
per-copy array views and call overhead, ~0.6 µs a copy). For ``coins`` (``rules.COINS``)
:func:`coins_step_serial` does, per copy and in one pass while the copy is in cache,

1. the step of ``_kernels.step_copy`` restricted to what the Coin Game uses — time-outs
   (never set in this game, but honoured through ``_moves.timeouts``), turns, moves in the
   step's random order, coin picking and re-placement (``_dynamics.pick_coins`` and
   ``place_coin``), the per-copy stats — with the same rules, the same random numbers
   (``_rng``: the same purpose indices) and the same order of floating-point additions;
2. every player's view, read from the map through a table of view cells
   (:func:`view_cells`) with ``_observe._cell``'s codes, so the same bytes as
   ``_observe.observe_serial``;
3. the episode totals of ``base.GridworldGame._accumulate`` (same operations per element)
   and the rewards already in the game's row order (player-major).

Results are bit-for-bit those of the generic kernels (``tests/games/gridworld/
test_reference.py``); the pre-step snapshot stays a NumPy copy before the kernel (cheaper
than copying per copy inside it, measured), and the counterfactual queries still use the
generic kernels on it. :func:`coins_step_parallel`: the same kernel over chunks of copies
on threads.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from incentive_lab.games.gridworld._compile import compiled
from incentive_lab.games.gridworld._moves import timeouts
from incentive_lab.games.gridworld._observe import (
    AGENT_F,
    APPLE_F,
    CHUNKS,
    OTHER_COIN_F,
    OWN_COIN_F,
    REMOVED_CODE,
    RIVER_F,
    WALL_BIT,
    WASTE_F,
)
from incentive_lab.games.gridworld._rng import COINS as COIN_DRAWS
from incentive_lab.games.gridworld._rng import ORDER, step_seed, uniform
from incentive_lab.games.gridworld.maps import APPLE, COIN, NONE, RIVER, STREAM, WALL, WASTE
from incentive_lab.games.gridworld.rules import (
    BLOCKING,
    CLEANS,
    COIN_PENALTY,
    COIN_REWARD,
    DC,
    DR,
    EVENTS,
    MOVE_TURN,
    OTHER_COINS,
    OWN_COINS,
    SINGLE_COIN,
    TAGGED,
    TURN_LEFT,
    TURN_RIGHT,
    WRAP,
)


def view_cells(height: int, width: int, size: int, wrap: bool) -> np.ndarray:
    """``int64[4, H·W, V·V]``: the flat map cell ``y·W + x`` of each view cell, ``-1`` off-map.

    Entry ``[o, r0·W + c0, a·V + b]``: view cell ``(a, b)`` of an agent on ``(r0, c0)`` facing
    ``o`` — the cell ``h − a`` ahead and ``b − h`` to the right (``h = V // 2``), as
    ``_observe._direct_walk``; on a torus wrapped, else ``-1`` outside the map (drawn as wall).
    """
    half = size // 2
    a, b = np.divmod(np.arange(size * size), size)
    ahead, right = (half - a)[None, :], (b - half)[None, :]
    r0, c0 = np.divmod(np.arange(height * width), width)
    table = np.empty((4, height * width, size * size), dtype=np.int64)
    for o in range(4):
        o_right = (o + 1) % 4
        rr = r0[:, None] + ahead * DR[o] + right * DR[o_right]
        cc = c0[:, None] + ahead * DC[o] + right * DC[o_right]
        if wrap:
            table[o] = (rr % height) * width + cc % width
        else:
            inside = (rr >= 0) & (rr < height) & (cc >= 0) & (cc < width)
            table[o] = np.where(inside, rr * width + cc, -1)
    return table


@njit(cache=True, inline="always")
def _code(terrain: np.ndarray, items: np.ndarray, count: np.ndarray, cell: int, player: int,
          own: int) -> np.uint8:  # fmt: skip
    """``_observe._cell`` on flat indices: map cell ``cell`` seen by ``player`` on ``own``."""
    if cell < 0:
        return WALL_BIT
    ground = terrain[cell]
    if ground == WALL:
        return WALL_BIT
    m = 0
    if ground == RIVER or ground == STREAM:
        m |= 1 << RIVER_F
    item = items[cell]
    if item != NONE:
        if item == APPLE:
            m |= 1 << APPLE_F
        elif item == WASTE:
            m |= 1 << WASTE_F
        elif item - COIN == player:
            m |= 1 << OWN_COIN_F
        else:
            m |= 1 << OTHER_COIN_F
    here = count[cell]
    if here > 1 or (here == 1 and cell != own):
        m |= 1 << AGENT_F
    return np.uint8(m)


@njit(cache=True, inline="always")
def _view(view: np.ndarray, cells: np.ndarray, terrain: np.ndarray, items: np.ndarray,
          count: np.ndarray, player: int, own: int, words: np.ndarray,
          n_words: int) -> None:  # fmt: skip
    """One player's view into ``view`` (words); ``cells``: its row of :func:`view_cells`."""
    q = 0
    for k in range(cells.shape[0]):
        m = _code(terrain, items, count, cells[k], player, own)
        for w in range(n_words):
            view[q + w] = words[m, w]
        q += n_words


@njit(cache=True, inline="always")
def _place(q: int, u: float, terrain: np.ndarray, items: np.ndarray, count: np.ndarray) -> None:
    """``_dynamics.place_coin`` on the copy's flat cells (same scan order, same pick)."""
    free = 0
    for k in range(terrain.shape[0]):
        free += terrain[k] != WALL and count[k] == 0 and items[k] == NONE
    if free == 0:
        return
    pick = int(u * free)
    for k in range(terrain.shape[0]):
        if terrain[k] != WALL and count[k] == 0 and items[k] == NONE:
            if pick == 0:
                items[k] = COIN + q
                return
            pick -= 1


@njit(cache=True, inline="always")
def _step(t: int, seed: np.uint64, c: int, copies: int, actions: np.ndarray,
          terrain: np.ndarray, height: int, width: int, items: np.ndarray, count: np.ndarray,
          row: np.ndarray, col: np.ndarray, orient: np.ndarray, timeout: np.ndarray,
          spawn: np.ndarray, irules: np.ndarray, frules: np.ndarray, rewards: np.ndarray,
          events: np.ndarray, acts: np.ndarray, order: np.ndarray,
          picked: np.ndarray) -> None:  # fmt: skip
    """``_kernels.step_copy`` for ``rules.COINS`` on copy ``c`` (flat ``items``/``count``)."""
    n = row.shape[0]
    s = step_seed(seed, t)
    for i in range(n):
        rewards[i] = 0.0
        for e in range(EVENTS):
            events[i, e] = 0
    removed = False
    for i in range(n):
        acts[i] = 1
        removed |= timeout[i] > 0
    if removed:  # never in this game's rules; the generic phase on the copy's arrays
        timeouts(
            s, spawn, count.reshape(height, width), row, col, orient, timeout, events, acts,
            True,
        )  # fmt: skip
    for i in range(n):  # turns (not among the Coin Game's actions, kept for the rule's sake)
        a = actions[i * copies + c]
        if acts[i]:
            if a == TURN_LEFT:
                orient[i] = (orient[i] + 3) % 4
            elif a == TURN_RIGHT:
                orient[i] = (orient[i] + 1) % 4
    for k in range(n):  # moves, as _moves.moves
        order[k] = k
    for k in range(n - 1, 0, -1):
        j = int(uniform(s, ORDER + k) * (k + 1))
        order[k], order[j] = order[j], order[k]
    blocking, wrap = irules[BLOCKING] == 1, irules[WRAP] == 1
    for k in range(n):
        i = order[k]
        turn = MOVE_TURN[actions[i * copies + c]]
        if not acts[i] or turn < 0:
            continue
        o = (orient[i] + turn) % 4
        rr, cc = row[i] + DR[o], col[i] + DC[o]
        if wrap:  # rr % height without a division: a move is one cell
            if rr < 0:
                rr += height
            elif rr >= height:
                rr -= height
            if cc < 0:
                cc += width
            elif cc >= width:
                cc -= width
        elif rr < 0 or rr >= height or cc < 0 or cc >= width:
            continue
        to = rr * width + cc
        if terrain[to] == WALL or (blocking and count[to] > 0):
            continue
        count[row[i] * width + col[i]] -= 1
        count[to] += 1
        row[i], col[i] = rr, cc
    for i in range(n):  # coins, as _dynamics.pick_coins
        picked[i] = 0
    for i in range(n):
        if not acts[i]:
            continue
        item = items[row[i] * width + col[i]]
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
        here = row[i] * width + col[i]
        if acts[i] and items[here] >= COIN:
            items[here] = NONE
    if irules[SINGLE_COIN] == 1:
        any_picked = False
        for i in range(n):
            any_picked |= picked[i] != 0
        if any_picked:
            colour = min(int(uniform(s, COIN_DRAWS + 1000) * n), n - 1)
            _place(colour, uniform(s, COIN_DRAWS), terrain, items, count)
    else:
        for q in range(n):
            if picked[q]:
                _place(q, uniform(s, COIN_DRAWS + q), terrain, items, count)


def _coins_impl(t: int, actions: np.ndarray, terrain: np.ndarray, spawn: np.ndarray,
                apples: np.ndarray, rivers: np.ndarray, irules: np.ndarray, frules: np.ndarray,
                items: np.ndarray, count: np.ndarray, row: np.ndarray, col: np.ndarray,
                orient: np.ndarray, timeout: np.ndarray, seeds: np.ndarray,
                rewards: np.ndarray, stats: np.ndarray,
                returns: np.ndarray,
                time_sums: np.ndarray, reward_steps: np.ndarray, tagged: np.ndarray,
                cleans: np.ndarray, own_coins: np.ndarray, other_coins: np.ndarray,
                depleted_at: np.ndarray, waste_sum: np.ndarray, out: np.ndarray,
                cells: np.ndarray, words: np.ndarray) -> None:  # fmt: skip
    """Step ``t`` of every copy (module docstring); the totals count it as step ``t + 1``.

    ``items``/``count``: ``int8[C, H·W]``; ``rewards: [N·C]``
    (rows); ``stats: float64[C, 2]`` as ``_kernels.step_copy``'s; ``apples``: the apple
    cells' flat indices (``_dynamics.neighbour_table`` column 0); ``out``: the views as
    words (``_observe.as_words``), ``cells``: :func:`view_cells`.
    """
    copies, players = row.shape
    height, width = terrain.shape
    flat_terrain = terrain.reshape(-1)
    n_words = words.shape[1]
    done = float(t + 1)
    chunks = min(copies, CHUNKS)
    for chunk in prange(chunks):
        acts = np.empty(players, dtype=np.int64)
        order = np.empty(players, dtype=np.int64)
        picked = np.empty(players, dtype=np.int64)
        rw = np.empty(players)
        ev = np.empty((players, EVENTS), dtype=np.int64)
        for c in range(chunk * copies // chunks, (chunk + 1) * copies // chunks):
            it, ct = items[c], count[c]
            _step(
                t, seeds[c], c, copies, actions, flat_terrain, height, width, it, ct, row[c],
                col[c], orient[c], timeout[c], spawn, irules, frules, rw, ev, acts, order,
                picked,
            )  # fmt: skip
            n_apples = 0
            for k in range(apples.shape[0]):
                n_apples += it[apples[k]] == APPLE
            stats[c, 0] = n_apples
            waste = 0
            for k in range(rivers.shape[0]):
                waste += it[rivers[k]] == WASTE
            stats[c, 1] = waste / rivers.shape[0] if rivers.shape[0] > 0 else 0.0
            for i in range(players):  # base.GridworldGame._accumulate, element by element
                r = rw[i]
                rewards[i * copies + c] = r
                returns[c, i] += r
                positive = r > 0
                time_sums[c, i] += positive * done
                reward_steps[c, i] += positive
                tagged[c, i] += ev[i, TAGGED]
                cleans[c, i] += ev[i, CLEANS]
                own_coins[c, i] += ev[i, OWN_COINS]
                other_coins[c, i] += ev[i, OTHER_COINS]
            if depleted_at[c] == 0 and stats[c, 0] == 0:
                depleted_at[c] = t + 1
            waste_sum[c] += stats[c, 1]
            for i in range(players):  # the views
                view = out[i * copies + c]
                if timeout[c, i] > 0:
                    for q in range(view.shape[0]):
                        view[q] = words[REMOVED_CODE, q % n_words]
                    continue
                own = row[c, i] * width + col[c, i]
                mine = cells[orient[c, i], own]
                if n_words == 3:  # uint8 planes (the classic views): constant loop length
                    _view(view, mine, flat_terrain, it, ct, i, own, words, 3)
                elif n_words == 1:
                    _view(view, mine, flat_terrain, it, ct, i, own, words, 1)
                else:
                    _view(view, mine, flat_terrain, it, ct, i, own, words, n_words)


coins_step_serial = compiled(_coins_impl, "coins_step_serial")
coins_step_parallel = compiled(_coins_impl, "coins_step_parallel", parallel=True)
