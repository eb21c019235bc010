"""Numba kernels of random-sequential Fermi imitation on a periodic square lattice.

The same rule as :func:`._kernels_fermi.random_sequential_step`, specialised to the
``L × L`` lattice of :meth:`Topology.lattice <incentive_lab.core.topology.Topology.lattice>`:
neighbours are computed from row and column (offsets ``drow`` / ``dcol`` in the
topology's order, so the ``j``-th neighbour — and hence every random outcome — is the same
as on the CSR arrays), every group has the same size ``G = k + 1`` and the cooperator
counts are ``int8``. A Monte Carlo step touches only two byte arrays of ``N`` entries,
instead of the ``8·N·(k+1)``-byte CSR arrays, and the Fermi probabilities come from a
table over the few possible payoff pairs: this is what makes 10⁶-agent lattices fast.

Speed (the hot loop :func:`_mcs`): no integer division (a site's row is a float product
corrected by one), ``side × k`` wrap tables, the Fermi table built once per rule by the
learner, and — in :func:`lattice_mcs_seeded` / :func:`lattice_synchronous_seeded` — the
uniforms computed in the loop from one SplitMix64 seed (:mod:`._kernels_random`) instead
of ``16·N`` bytes of NumPy draws. The synchronous kernel finds the sites whose role model
differs in a branch-free pass, evaluates the Fermi test only there, and runs rows on
Numba threads from :data:`PARALLEL_FROM` sites (deterministic: each site reads the old
field and its own uniform). The array kernels stay as the reference the seeded ones are
tested against.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from incentive_lab.learners.imitation._kernels_random import compiled, uniform


@njit(cache=True)
def lattice_counts(
    strategies: np.ndarray, side: int, drow: np.ndarray, dcol: np.ndarray, cooperative: int
) -> np.ndarray:
    """``int8[n]``: cooperators in the group centred on each site."""
    rows, cols = wrap_tables(side, drow, dcol)
    counts = np.empty(side * side, dtype=np.int8)
    for row in range(side):
        for col in range(side):
            count = 1 if strategies[row * side + col] == cooperative else 0
            for j in range(drow.shape[0]):
                if strategies[rows[row, j] * side + cols[col, j]] == cooperative:
                    count += 1
            counts[row * side + col] = count
    return counts


@njit(cache=True)
def _adoption_table(k: int, r_c: float, r_d: float, cost: float, inverse_k: float) -> np.ndarray:
    """``W[c_x, c_y, a, b]``: Fermi probability for cooperator flags and count sums.

    With ``G = k + 1`` every group has size ``G``, so ``π = c·(r_c·a/G − G)`` (cooperator)
    or ``c·r_d·a/G`` (defector) depends only on ``a = Σ_{g ∋ x} n_c(g) <= G²``: one
    ``exp`` per table entry per Monte Carlo step instead of one per elementary update.
    """
    size = k + 1
    top = size * size + 1
    payoff = np.empty((2, top))  # [0]: defector, [1]: cooperator
    for a in range(top):
        sigma = a / (size * 1.0)
        payoff[0, a] = cost * r_d * sigma
        payoff[1, a] = cost * (r_c * sigma - size)
    table = np.empty((2, 2, top, top))
    for cx in range(2):
        for cy in range(2):
            for a in range(top):
                for b in range(top):
                    z = (payoff[cx, a] - payoff[cy, b]) * inverse_k
                    table[cx, cy, a, b] = 1.0 / (1.0 + math.exp(z))
    return table


@njit(cache=True)
def wrap_tables(side: int, drow: np.ndarray, dcol: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``side × k`` tables of the wrapped row and column of each neighbour slot."""
    k = drow.shape[0]
    rows = np.empty((side, k), dtype=np.int64)
    cols = np.empty((side, k), dtype=np.int64)
    for a in range(side):
        for j in range(k):
            rows[a, j] = (a + drow[j]) % side
            cols[a, j] = (a + dcol[j]) % side
    return rows, cols


def adoption_table(k: int, r_c: float, r_d: float, cost: float, inverse_k: float) -> np.ndarray:
    """``float64[4·(G²+1)²]``: :func:`_adoption_table` flattened (index ``cx, cy, a, b``)."""
    table: np.ndarray = _adoption_table(k, r_c, r_d, cost, inverse_k).ravel()
    return table


@njit(cache=True, inline="always")
def _group_sum(
    row: np.int64, col: np.int64, counts: np.ndarray, side: int, rows: np.ndarray, cols: np.ndarray
) -> np.int64:
    """``Σ_{g ∋ x} n_c(g)`` of the site ``x = row·side + col``."""
    total = np.int64(counts[row * side + col])
    for j in range(rows.shape[1]):
        total += counts[rows[row, j] * side + cols[col, j]]
    return total


@njit(cache=True)
def _mcs(
    strategies: np.ndarray,
    counts: np.ndarray,
    side: int,
    rows: np.ndarray,
    cols: np.ndarray,
    table: np.ndarray,
    cooperative: int,
    picks: np.ndarray,
    uniforms: np.ndarray,
    low: int,
    high: int,
    seed: np.uint64,
) -> int:
    """The hot loop: ``picks`` / ``uniforms``, or (empty arrays) draws from stream ``seed``."""
    k = rows.shape[1]
    top = (k + 1) * (k + 1) + 1
    inverse_side = 1.0 / side
    drawn = picks.shape[0] == 0
    updates = high - low if drawn else picks.shape[0]
    span = high - low
    adopted = 0
    for t in range(updates):
        if drawn:
            x = low + np.int64(uniform(seed, 2 * t) * span)
            u = uniform(seed, 2 * t + 1) * k
        else:
            x = picks[t]
            u = uniforms[t] * k
        row = np.int64(x * inverse_side)  # no integer division: a float product, corrected
        col = x - row * side
        if col < 0:
            row -= 1
            col += side
        elif col >= side:
            row += 1
            col -= side
        j = np.int64(u)
        yrow = rows[row, j]
        ycol = cols[col, j]
        sx = strategies[x]
        sy = strategies[yrow * side + ycol]
        if sx == sy:
            continue
        cx = 1 if sx == cooperative else 0
        cy = 1 if sy == cooperative else 0
        a = _group_sum(row, col, counts, side, rows, cols)
        b = _group_sum(yrow, ycol, counts, side, rows, cols)
        if u - j < table[((cx * 2 + cy) * top + a) * top + b]:
            strategies[x] = sy
            adopted += 1
            change = cy - cx
            if change != 0:
                counts[x] += change
                for i in range(k):
                    counts[rows[row, i] * side + cols[col, i]] += change
    return adopted


def lattice_mcs(
    strategies: np.ndarray,
    counts: np.ndarray,
    side: int,
    rows: np.ndarray,
    cols: np.ndarray,
    table: np.ndarray,
    cooperative: int,
    picks: np.ndarray,
    uniforms: np.ndarray,
) -> int:
    """Elementary updates on precomputed tables (:func:`wrap_tables`, :func:`adoption_table`).

    The fused hot loop of :func:`lattice_random_sequential_step`, with the same outcomes:
    no integer division (the row of a pick comes from a float product, corrected by one),
    neighbours from the wrap tables, and the Fermi probability from ``table``.
    """
    if picks.shape[0] == 0:
        return 0
    adopted: int = _mcs(
        strategies, counts, side, rows, cols, table, cooperative, picks, uniforms, 0, 0, _NO_SEED
    )
    return adopted


def lattice_mcs_seeded(
    strategies: np.ndarray,
    counts: np.ndarray,
    side: int,
    rows: np.ndarray,
    cols: np.ndarray,
    table: np.ndarray,
    cooperative: int,
    low: int,
    high: int,
    seed: np.uint64,
) -> int:
    """``high − low`` updates of :func:`lattice_mcs` drawing from the SplitMix64 stream ``seed``.

    Update ``t`` picks ``x = low + ⌊v·(high − low)⌋`` with ``v`` the stream's entry ``2t``
    and uses entry ``2t + 1`` as ``u`` (:mod:`._kernels_random`): no arrays of random
    numbers, and exactly :func:`lattice_mcs` on the arrays :func:`seeded_picks` returns.
    """
    adopted: int = _mcs(
        strategies,
        counts,
        side,
        rows,
        cols,
        table,
        cooperative,
        _NO_PICKS,
        _NO_DRAWS,
        low,
        high,
        seed,
    )
    return adopted


_NO_PICKS = np.empty(0, dtype=np.int64)
_NO_DRAWS = np.empty(0)
_NO_SEED = np.uint64(0)


@njit(cache=True)
def seeded_picks(
    low: int, high: int, updates: int, seed: np.uint64
) -> tuple[np.ndarray, np.ndarray]:
    """``(picks, uniforms)`` that :func:`lattice_mcs_seeded` draws for these arguments."""
    picks = np.empty(updates, dtype=np.int64)
    draws = np.empty(updates)
    for t in range(updates):
        picks[t] = low + np.int64(uniform(seed, 2 * t) * (high - low))
        draws[t] = uniform(seed, 2 * t + 1)
    return picks, draws


def lattice_random_sequential_step(
    strategies: np.ndarray,
    counts: np.ndarray,
    side: int,
    drow: np.ndarray,
    dcol: np.ndarray,
    r_c: float,
    r_d: float,
    cost: float,
    cooperative: int,
    inverse_k: float,
    picks: np.ndarray,
    uniforms: np.ndarray,
) -> int:
    """Run ``len(picks)`` elementary updates in place; return the number of adoptions.

    Builds the tables and calls :func:`lattice_mcs` (a learner keeps the tables between
    Monte Carlo steps).
    """
    rows, cols = wrap_tables(side, drow, dcol)
    table = adoption_table(drow.shape[0], r_c, r_d, cost, inverse_k)
    adopted: int = lattice_mcs(
        strategies, counts, side, rows, cols, table, cooperative, picks, uniforms
    )
    return adopted


def lattice_offsets(
    indptr: np.ndarray, indices: np.ndarray
) -> tuple[int, np.ndarray, np.ndarray] | None:
    """``(side, drow, dcol)`` if the CSR graph is a periodic square lattice, else ``None``.

    The offsets are read from one site and then verified for every site and neighbour slot
    (``O(n·k)``, once per topology), so a graph is only treated as a lattice if it is one
    with the same neighbour order.
    """
    n = indptr.shape[0] - 1
    side = math.isqrt(n)
    degrees = np.diff(indptr)
    if side < 3 or side * side != n or degrees.min() != degrees.max() or degrees[0] == 0:
        return None
    k = int(degrees[0])
    table = indices.reshape(n, k)
    rows, cols = np.divmod(np.arange(n, dtype=np.int64), side)
    nrow, ncol = np.divmod(table[0], side)
    drow = ((nrow + 1) % side - 1).astype(np.int64)
    dcol = ((ncol + 1) % side - 1).astype(np.int64)
    expected = ((rows[:, None] + drow) % side) * side + (cols[:, None] + dcol) % side
    return (side, drow, dcol) if np.array_equal(expected, table) else None


def _synchronous_impl(
    strategies: np.ndarray,
    payoffs: np.ndarray,
    side: int,
    rows: np.ndarray,
    cols: np.ndarray,
    inverse_k: float,
    uniforms: np.ndarray,
    seed: np.uint64,
) -> int:
    k = rows.shape[1]
    drawn = uniforms.shape[0] == 0  # no array: entry x of the SplitMix64 stream ``seed``
    old = strategies.copy()
    changed = 0
    for row in prange(side):  # rows are independent given the old field: deterministic
        base = row * side
        # pass 1 (branch-free): the columns whose role model plays another strategy
        differ = np.empty(side, dtype=np.int64)
        m = 0
        for col in range(side):
            x = base + col
            j = np.int64((uniform(seed, x) if drawn else uniforms[x]) * k)
            differ[m] = col
            m += old[rows[row, j] * side + cols[col, j]] != old[x]
        # pass 2: the Fermi test only where it can change something
        local = 0
        for t in range(m):
            col = differ[t]
            x = base + col
            u = (uniform(seed, x) if drawn else uniforms[x]) * k
            j = np.int64(u)
            y = rows[row, j] * side + cols[col, j]
            if u - j < 1.0 / (1.0 + math.exp((payoffs[x] - payoffs[y]) * inverse_k)):
                strategies[x] = old[y]
                local += 1
        changed += local
    return changed


_synchronous_serial = compiled(_synchronous_impl, "_synchronous_serial")
_synchronous_parallel = compiled(_synchronous_impl, "_synchronous_parallel", parallel=True)
PARALLEL_FROM = 1 << 16
"""Lattices of at least this many sites use the multithreaded synchronous kernel."""


def lattice_synchronous_step(
    strategies: np.ndarray,
    payoffs: np.ndarray,
    side: int,
    drow: np.ndarray,
    dcol: np.ndarray,
    inverse_k: float,
    uniforms: np.ndarray,
) -> int:
    """Synchronous Fermi comparisons of every site, in place; return the number of changes.

    Same outcomes as :func:`._kernels_fermi.synchronous_step` over the whole lattice, for
    any number of threads (each site reads only the old field and its own uniform); rows
    run in parallel from :data:`PARALLEL_FROM` sites.
    """
    rows, cols = wrap_tables(side, drow, dcol)
    kernel = _synchronous_parallel if side * side >= PARALLEL_FROM else _synchronous_serial
    changed: int = kernel(strategies, payoffs, side, rows, cols, inverse_k, uniforms, _NO_SEED)
    return changed


def lattice_synchronous_seeded(
    strategies: np.ndarray,
    payoffs: np.ndarray,
    side: int,
    drow: np.ndarray,
    dcol: np.ndarray,
    inverse_k: float,
    seed: np.uint64,
) -> int:
    """:func:`lattice_synchronous_step` with site ``x`` drawing entry ``x`` of stream ``seed``.

    The same outcome as :func:`lattice_synchronous_step` with
    ``uniforms = _kernels_random.uniforms(seed, 0, side²)``, without that array.
    """
    rows, cols = wrap_tables(side, drow, dcol)
    kernel = _synchronous_parallel if side * side >= PARALLEL_FROM else _synchronous_serial
    changed: int = kernel(strategies, payoffs, side, rows, cols, inverse_k, _NO_DRAWS, seed)
    return changed
