"""Egocentric views in Numba: every agent's ``V × V`` window as binary feature planes.

Row ``i·C + c`` of ``out: [N·C, V, V, K]`` (any dtype) is player ``i`` of copy ``c``. The
window is centred on the agent and rotated so that the agent faces up: view cell ``(a, b)``
is the map cell ``h − a`` ahead and ``b − h`` to the right of the agent (``h = V // 2``).
Outside a non-wrapping map reads as wall.

Features (``features[k]`` is the feature of plane ``k``; a game shows a subset):
``WALL``, ``APPLE``, ``WASTE``, ``RIVER`` (river and stream), ``AGENT`` (another agent on
the cell), ``REMOVED`` (the whole window is 1 while the agent is tagged out; every other
plane is then 0), ``OWN_COIN`` / ``OTHER_COIN`` (a coin of the agent's colour / another
player's colour, so both players of the Coin Game see the game from their own side).

How the views are drawn (issue #17: throughput)
    Per copy, each cell's features are packed into one byte, bit ``f`` for feature ``f``
    (:func:`fill_codes`), in a buffer padded by ``h`` cells of wall on every side (on a torus
    the padding holds the wrapped cells), so a view is a strided walk over that buffer with no
    bounds checks; each byte is expanded into the ``K`` planes through the table
    :func:`plane_table` (in the output's dtype). Every element of ``out`` is written, so it
    need not be zeroed. Cell codes are built once per copy and the agent's own cell is
    patched for each player (it shows ``AGENT`` only when another agent shares it); on a torus
    or in a game with coins (own/other depends on the player; the Coin Game's maps are small)
    each view reads its cells' codes straight from the map instead (:func:`_draw_direct`).
    :func:`draw_copy` is also called by the fused step (``_kernels.step_observe_*``) right
    after a copy is stepped, while its arrays are in cache.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from incentive_lab.games.gridworld._compile import compiled
from incentive_lab.games.gridworld.maps import APPLE, COIN, NONE, RIVER, STREAM, WALL, WASTE
from incentive_lab.games.gridworld.rules import DC, DR

WALL_F, APPLE_F, WASTE_F, RIVER_F, AGENT_F, REMOVED_F, OWN_COIN_F, OTHER_COIN_F = range(8)
FEATURES = ("wall", "apple", "waste", "river", "agent", "removed", "own_coin", "other_coin")

WALL_BIT = np.uint8(1 << WALL_F)
NOT_AGENT = np.uint8(0xFF ^ (1 << AGENT_F))
REMOVED_CODE = 1 << REMOVED_F
"""The code of every cell of a removed agent's view: only the ``REMOVED`` plane is 1."""
CHUNKS = 64
"""Copies are split into at most this many chunks, each with its own code buffer."""


def plane_table(features: tuple[int, ...], dtype: np.dtype | str) -> np.ndarray:
    """``dtype[256, K]``: the planes of a cell whose code is ``m`` (bit ``f``: feature ``f``)."""
    codes = np.arange(256, dtype=np.int64)[:, None]
    return ((codes >> np.asarray(features, dtype=np.int64)[None, :]) & 1).astype(dtype)


def as_words(array: np.ndarray) -> np.ndarray:
    """``array [n, …]`` seen as ``[n, m]`` machine words (a cell's planes in a few stores).

    The word is the widest of 8, 4, 2, 1 bytes that divides a cell (``K`` values).
    """
    rows, cell = array.shape[0], array.shape[-1] * array.itemsize
    flat = array.reshape(rows, -1)
    for size in (8, 4, 2, 1):
        if cell % size == 0 and flat.ctypes.data % size == 0:
            return flat.view(np.dtype(f"u{size}"))
    raise AssertionError("unreachable: 1 divides every size")


def needs_player_codes(features: tuple[int, ...], wrap: bool) -> bool:
    """Whether cell codes depend on the player (coins shown) or the map wraps (``draw_copy``)."""
    return wrap or OWN_COIN_F in features or OTHER_COIN_F in features


def code_buffer(terrain: np.ndarray, size: int) -> np.ndarray:
    """``uint8[(H + 2h)·(W + 2h)]`` of wall codes, a scratch buffer for :func:`draw_copy`."""
    height, width = terrain.shape
    half = size // 2
    return np.full((height + 2 * half) * (width + 2 * half), WALL_BIT, dtype=np.uint8)


@njit(cache=True, inline="always")
def _cell(
    terrain: np.ndarray,
    items: np.ndarray,
    count: np.ndarray,
    y: int,
    x: int,
    player: int,
    r0: int,
    c0: int,
) -> np.uint8:
    """The code of map cell ``(y, x)`` seen by ``player`` standing on ``(r0, c0)``.

    ``AGENT``: another agent is on the cell (the player's own cell needs two). ``player =
    -1``, ``r0 = c0 = -1``: coins count as other players' and every agent counts.
    """
    ground = terrain[y, x]
    if ground == WALL:
        return WALL_BIT
    m = 0
    if ground == RIVER or ground == STREAM:
        m |= 1 << RIVER_F
    item = items[y, x]
    if item != NONE:
        if item == APPLE:
            m |= 1 << APPLE_F
        elif item == WASTE:
            m |= 1 << WASTE_F
        elif item - COIN == player:
            m |= 1 << OWN_COIN_F
        else:
            m |= 1 << OTHER_COIN_F
    here = count[y, x]
    if here > 1 or (here == 1 and (y != r0 or x != c0)):
        m |= 1 << AGENT_F
    return np.uint8(m)


@njit(cache=True)
def fill_codes(
    codes: np.ndarray,
    terrain: np.ndarray,
    items: np.ndarray,
    count: np.ndarray,
    half: int,
    wrap: bool,
    player: int,
    r0: int,
    c0: int,
) -> None:
    """Write the cell codes of one copy into the padded buffer ``codes`` (module docstring).

    Non-wrapping maps: only the interior is written (the padding keeps the wall codes of
    :func:`code_buffer`). ``player``, ``(r0, c0)``: as :func:`_cell`.
    """
    height, width = terrain.shape
    padded = width + 2 * half
    if wrap:  # the wrapped column advances by one, without a modulo per cell
        first = (-half) % width
        y = (-half) % height
        for py in range(height + 2 * half):
            line = codes[py * padded : (py + 1) * padded]
            x = first
            for px in range(padded):
                line[px] = _cell(terrain, items, count, y, x, player, r0, c0)
                x += 1
                if x == width:
                    x = 0
            y += 1
            if y == height:
                y = 0
    else:
        for y in range(height):
            base = (y + half) * padded + half
            line = codes[base : base + width]  # indices ≥ 0: no negative-index checks
            for x in range(width):
                line[x] = _cell(terrain, items, count, y, x, player, r0, c0)


@njit(cache=True, inline="always")
def _walk(
    view: np.ndarray,
    codes: np.ndarray,
    start: int,
    step_a: int,
    step_b: int,
    size: int,
    words: np.ndarray,
    width: int,
) -> None:
    """Copy the words of the codes along the view's rows (``width``: words per cell).

    Positions are ``uint64`` (negative steps wrap modulo 2⁶⁴) so that Numba emits no
    negative-index check: that alone halves the cost of the walk.
    """
    q = np.uint64(0)
    w = np.uint64(width)
    row_start, da, db = np.uint64(start), np.uint64(step_a), np.uint64(step_b)
    for _ in range(size):
        p = row_start
        for _ in range(size):
            m = codes[p]
            for k in range(width):
                view[q + np.uint64(k)] = words[m, k]
            q += w
            p += db
        row_start += da


@njit(cache=True, inline="always")
def _draw(
    out: np.ndarray,
    j: int,
    codes: np.ndarray,
    padded: int,
    size: int,
    r0: int,
    c0: int,
    o: int,
    words: np.ndarray,
) -> None:
    """Player row ``j``'s view from the padded codes into row ``j`` of ``out`` (words)."""
    half = size // 2
    fr, fc = DR[o], DC[o]
    rr, rc = DR[(o + 1) % 4], DC[(o + 1) % 4]
    step_b = rr * padded + rc
    step_a = -(fr * padded + fc)
    start = (r0 + half + half * (fr - rr)) * padded + c0 + half + half * (fc - rc)
    view = out[j]
    # constant widths (inlined, so the copy loop is unrolled): the games' default dtypes
    width = words.shape[1]
    if width == 1:
        _walk(view, codes, start, step_a, step_b, size, words, 1)
    elif width == 2:
        _walk(view, codes, start, step_a, step_b, size, words, 2)
    elif width == 3:
        _walk(view, codes, start, step_a, step_b, size, words, 3)
    elif width == 4:
        _walk(view, codes, start, step_a, step_b, size, words, 4)
    elif width == 6:
        _walk(view, codes, start, step_a, step_b, size, words, 6)
    else:
        _walk(view, codes, start, step_a, step_b, size, words, width)


@njit(cache=True, inline="always")
def _direct_walk(
    view: np.ndarray,
    terrain: np.ndarray,
    items: np.ndarray,
    count: np.ndarray,
    size: int,
    wrap: bool,
    player: int,
    r0: int,
    c0: int,
    o: int,
    words: np.ndarray,
    n_words: int,
) -> None:
    """:func:`_draw_direct`'s loop (``n_words``: words per cell, a constant where inlined)."""
    height, width = terrain.shape
    half = size // 2
    fr, fc = DR[o], DC[o]
    rr, rc = DR[(o + 1) % 4], DC[(o + 1) % 4]
    q = 0
    for a in range(size):
        ahead = half - a
        r = r0 + ahead * fr - half * rr
        cc = c0 + ahead * fc - half * rc
        for _ in range(size):
            if wrap:  # r % height without a division: r is within a few maps of the map
                y, x = r, cc
                while y < 0:
                    y += height
                while y >= height:
                    y -= height
                while x < 0:
                    x += width
                while x >= width:
                    x -= width
                m = _cell(terrain, items, count, y, x, player, r0, c0)
            elif r < 0 or r >= height or cc < 0 or cc >= width:
                m = WALL_BIT
            else:
                m = _cell(terrain, items, count, r, cc, player, r0, c0)
            for k in range(n_words):
                view[q + k] = words[m, k]
            q += n_words
            r += rr
            cc += rc


@njit(cache=True, inline="always")
def _draw_direct(
    out: np.ndarray,
    j: int,
    terrain: np.ndarray,
    items: np.ndarray,
    count: np.ndarray,
    size: int,
    wrap: bool,
    player: int,
    r0: int,
    c0: int,
    o: int,
    words: np.ndarray,
) -> None:
    """Player ``player``'s view (row ``j``) read cell by cell from the map, no code buffer.

    For codes that depend on the player (coins) on small maps, where filling a padded buffer
    per player would cost more than the view itself.
    """
    view, n_words = out[j], words.shape[1]
    if n_words == 1:
        _direct_walk(view, terrain, items, count, size, wrap, player, r0, c0, o, words, 1)
    elif n_words == 2:
        _direct_walk(view, terrain, items, count, size, wrap, player, r0, c0, o, words, 2)
    elif n_words == 3:
        _direct_walk(view, terrain, items, count, size, wrap, player, r0, c0, o, words, 3)
    elif n_words == 4:
        _direct_walk(view, terrain, items, count, size, wrap, player, r0, c0, o, words, 4)
    else:
        _direct_walk(view, terrain, items, count, size, wrap, player, r0, c0, o, words, n_words)


@njit(cache=True, inline="always")
def draw_copy(
    out: np.ndarray,
    c: int,
    copies: int,
    codes: np.ndarray,
    terrain: np.ndarray,
    items: np.ndarray,
    count: np.ndarray,
    row: np.ndarray,
    col: np.ndarray,
    orient: np.ndarray,
    timeout: np.ndarray,
    size: int,
    wrap: bool,
    per_player: bool,
    words: np.ndarray,
) -> None:
    """Every player's view of copy ``c`` (arrays of that copy) into rows ``i·copies + c``.

    ``out: [N·C, V·V·w]`` and ``words: [256, w]`` are the views and :func:`plane_table` seen
    as machine words (:func:`as_words`).
    """
    players = row.shape[0]
    half = size // 2
    padded = terrain.shape[1] + 2 * half
    width = words.shape[1]
    if not per_player:
        fill_codes(codes, terrain, items, count, half, wrap, -1, -1, -1)
    for i in range(players):
        j = i * copies + c
        if timeout[i] > 0:
            view = out[j]
            for q in range(size * size):
                for k in range(width):
                    view[q * width + k] = words[REMOVED_CODE, k]
            continue
        r0, c0 = row[i], col[i]
        if per_player:
            _draw_direct(out, j, terrain, items, count, size, wrap, i, r0, c0, orient[i], words)
            continue
        own = (r0 + half) * padded + c0 + half
        saved = codes[own]
        if count[r0, c0] == 1:
            codes[own] = saved & NOT_AGENT
        _draw(out, j, codes, padded, size, r0, c0, orient[i], words)
        codes[own] = saved


def _observe_impl(
    out: np.ndarray,
    terrain: np.ndarray,
    items: np.ndarray,
    count: np.ndarray,
    row: np.ndarray,
    col: np.ndarray,
    orient: np.ndarray,
    timeout: np.ndarray,
    size: int,
    wrap: bool,
    per_player: bool,
    words: np.ndarray,
    blank: np.ndarray,
) -> None:
    """Every agent's view into ``out`` (words, :func:`as_words`); ``blank``: :func:`code_buffer`."""
    copies = row.shape[0]
    chunks = min(copies, CHUNKS)
    for chunk in prange(chunks):
        codes = blank.copy()
        for c in range(chunk * copies // chunks, (chunk + 1) * copies // chunks):
            draw_copy(
                out, c, copies, codes, terrain, items[c], count[c], row[c], col[c], orient[c],
                timeout[c], size, wrap, per_player, words,
            )  # fmt: skip


observe_serial = compiled(_observe_impl, "observe_serial")
observe_parallel = compiled(_observe_impl, "observe_parallel", parallel=True)
