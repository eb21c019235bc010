"""Deterministic population dynamics on the simplex: fields, integration, rest points.

A functional core in the habit of OpenSpiel's ``egt/dynamics.py``: every dynamic is a pure
function of a state ``x`` (a point of the simplex Δ_k, ``float64[k]``) and a *fitness*
``f(x) -> float64[k]`` (the expected payoff of each pure strategy against the population).

Fitness
    :func:`matrix_fitness` — single population, payoff matrix ``A`` (``f = A x``).
    :func:`nplayer_fitness` — N-player symmetric game given ``payoff(own, counts)``, the
    payoff of a player using ``own`` when its ``N − 1`` co-players hold ``counts[j]`` of
    strategy ``j``; ``f_i(x) = Σ_c Mult(c; N−1, x)·payoff(i, c)`` (co-players drawn i.i.d.
    from ``x``, multinomial sampling).

Fields (``ẋ`` as functions of ``x``; ``φ = x·f`` the mean fitness)
    :func:`replicator`            ``ẋ_i = x_i (f_i − φ)``  (Taylor & Jonker 1978).
    :func:`bimatrix_replicator`   two populations, ``z = (x, y)``, row payoffs ``A[i, j]``,
                                   column payoffs ``B[i, j]``: ``ẋ_i = x_i((Ay)_i − xᵀAy)``,
                                   ``ẏ_j = y_j((Bᵀx)_j − xᵀBy)``.
    :func:`selection_mutation`    ``ẋ_i = x_i (α/τ)(f_i − φ) − α x_i (ln x_i − Σ_k x_k ln x_k)``,
                                   the expected dynamics of Boltzmann / FAQ Q-learning
                                   (Tuyls et al. 2003; Kaisers & Tuyls 2010; SPEC §2). Its
                                   interior rest points are the logit (quantal response)
                                   points ``x_i ∝ exp(f_i(x)/τ)``.
    :func:`replicator_mutator`    ``ẋ_i = Σ_j x_j f_j Q_ji − x_i φ`` with a row-stochastic
                                   mutation matrix ``Q`` (Page & Nowak 2002).

Discrete step
    :func:`replicator_step` is one Euler step ``x + dt·x⊙(f − φ)`` of the replicator at a
    given fitness and mean fitness, put back on the simplex if it overshoots, followed by
    uniform mutation ``(1 − μ)x + μ/k``: the update of the ``replicator`` learner, whose
    fitness is the realised mean payoff of each action.

Integration
    :func:`integrate` wraps :func:`scipy.integrate.solve_ivp`; :func:`iterate` is a
    generator of fixed-step RK4 iterates, so the caller chooses horizon and logging
    (``itertools.islice(iterate(field, x0, dt), steps)``).

Rest points and stability (single simplex)
    :func:`rest_points` searches every face of Δ_k (vertices, edges, ..., interior) for
    zeros of the field by root finding in barycentric coordinates of the face; it is
    exhaustive for the replicator of small ``k`` (on a face the replicator's zeros are the
    solutions of ``f_i = f_j`` for ``i, j`` in the support). :func:`jacobian` is the
    central-difference Jacobian restricted to the tangent space ``{v : Σ v = 0}`` (so a
    vertex's eigenvalues are the invasion rates ``f_j − f_i``), and :func:`classify` names
    the rest point from its eigenvalues: ``stable`` (all real parts < 0), ``unstable``
    (all > 0), ``saddle`` (both signs), ``center`` (purely imaginary pair(s)), or
    ``non-hyperbolic``.

References: Hofbauer & Sigmund, *Evolutionary Games and Population Dynamics* (1998);
OpenSpiel ``open_spiel/python/egt/dynamics.py``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from math import factorial

import numpy as np

from incentive_lab.core.types import FloatArray

Fitness = Callable[[FloatArray], FloatArray]
Field = Callable[[FloatArray], FloatArray]


# -- fitness ------------------------------------------------------------------------------
def matrix_fitness(payoffs: FloatArray) -> Fitness:
    """``f(x) = A x`` for a ``[k, k]`` payoff matrix ``A`` (row strategy's payoff)."""
    a = np.asarray(payoffs, dtype=np.float64)
    return lambda x: np.asarray(a @ x, dtype=np.float64)


def compositions(total: int, parts: int) -> np.ndarray:
    """``int64[c, parts]``: every way to write ``total`` as ``parts`` non-negative counts."""
    rows = [
        np.diff(np.concatenate([[-1], bars, [total + parts - 1]])) - 1
        for bars in itertools.combinations(range(total + parts - 1), parts - 1)
    ]
    return np.array(rows, dtype=np.int64).reshape(-1, parts)


def nplayer_fitness(payoff: Callable[[int, np.ndarray], float], n_players: int, k: int) -> Fitness:
    """Expected payoff of each strategy in an ``n_players`` symmetric game (multinomial)."""
    counts = compositions(n_players - 1, k)
    coefficient = np.array(
        [factorial(n_players - 1) / np.prod([factorial(int(c)) for c in row]) for row in counts]
    )
    table = np.array([[payoff(i, row) for row in counts] for i in range(k)], dtype=np.float64)

    def fitness(x: FloatArray) -> FloatArray:
        probability = coefficient * np.prod(np.asarray(x)[None, :] ** counts, axis=1)
        return np.asarray(table @ probability, dtype=np.float64)

    return fitness


# -- fields -------------------------------------------------------------------------------
def replicator(x: FloatArray, fitness: Fitness) -> FloatArray:
    """``ẋ_i = x_i (f_i − x·f)``."""
    f = fitness(x)
    return np.asarray(x * (f - x @ f), dtype=np.float64)


def bimatrix_replicator(z: FloatArray, a: FloatArray, b: FloatArray) -> FloatArray:
    """Two-population replicator on ``z = (x, y)`` (``x``: row mixed strategy, ``[k+l]``)."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    x, y = z[: a.shape[0]], z[a.shape[0] :]
    fx, fy = a @ y, b.T @ x
    return np.concatenate([x * (fx - x @ fx), y * (fy - y @ fy)])


def _xlogx(x: FloatArray) -> FloatArray:
    safe = np.where(x > 0, x, 1.0)
    return np.asarray(np.where(x > 0, x * np.log(safe), 0.0), dtype=np.float64)


def selection_mutation(x: FloatArray, fitness: Fitness, alpha: float, tau: float) -> FloatArray:
    """``ẋ_i = x_i (α/τ)(f_i − x·f) − α x_i (ln x_i − Σ_k x_k ln x_k)`` (FAQ / Boltzmann-Q)."""
    f = fitness(x)
    entropy_term = _xlogx(x) - x * _xlogx(x).sum()
    return np.asarray(alpha / tau * x * (f - x @ f) - alpha * entropy_term, dtype=np.float64)


def replicator_mutator(x: FloatArray, fitness: Fitness, mutation: FloatArray) -> FloatArray:
    """``ẋ_i = Σ_j x_j f_j Q_ji − x_i (x·f)`` with row-stochastic ``Q`` (``[k, k]``)."""
    f = fitness(x)
    return np.asarray((x * f) @ np.asarray(mutation) - x * (x @ f), dtype=np.float64)


def replicator_step(
    x: FloatArray, fitness: FloatArray, mean: float, dt: float, mutation: float = 0.0
) -> FloatArray:
    """One Euler step of :func:`replicator` at ``fitness`` (``float64[k]``), then mutation.

    ``x ← x + dt·x⊙(f − φ)`` with ``φ = mean`` (the mean fitness, ``x·f`` when every entry
    of ``f`` is known); ``x ← max(x, 0)/Σ max(x, 0)`` (clipping only if the step overshoots
    the simplex); ``x ← (1 − μ)x + μ/k`` (uniform mutation ``μ = mutation``).
    """
    x = x + dt * x * (fitness - mean)
    if x.min() < 0.0:
        x = np.maximum(x, 0.0)
    x = x / x.sum()
    return np.asarray((1.0 - mutation) * x + mutation / x.shape[0], dtype=np.float64)


# -- integration --------------------------------------------------------------------------
def integrate(
    field: Field,
    x0: FloatArray,
    t_end: float,
    t_eval: FloatArray | None = None,
    *,
    rtol: float = 1e-10,
    atol: float = 1e-12,
    method: str = "DOP853",
) -> tuple[FloatArray, FloatArray]:
    """``(t: float64[T], x: float64[T, k])`` of ``ẋ = field(x)`` from ``x0`` by ``solve_ivp``."""
    from scipy.integrate import solve_ivp  # ~0.3 s to import: only when integrating

    solution = solve_ivp(
        lambda _t, x: field(x),
        (0.0, t_end),
        np.asarray(x0, dtype=np.float64),
        t_eval=t_eval,
        rtol=rtol,
        atol=atol,
        method=method,
    )
    if not solution.success:
        raise RuntimeError(f"integration failed: {solution.message}")
    return solution.t, solution.y.T


def iterate(field: Field, x0: FloatArray, dt: float) -> Iterator[FloatArray]:
    """Endless fixed-step RK4 iterates ``x(dt), x(2dt), ...`` of ``ẋ = field(x)``."""
    x = np.asarray(x0, dtype=np.float64).copy()
    while True:
        k1 = field(x)
        k2 = field(x + 0.5 * dt * k1)
        k3 = field(x + 0.5 * dt * k2)
        k4 = field(x + dt * k3)
        x = x + dt / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
        yield x.copy()


# -- rest points and stability ------------------------------------------------------------
def _tangent_basis(k: int) -> FloatArray:
    """``[k, k−1]`` orthonormal basis of ``{v ∈ R^k : Σ v = 0}``."""
    q, _ = np.linalg.qr(np.eye(k) - 1.0 / k)
    return np.asarray(q[:, : k - 1], dtype=np.float64)


def rest_points(
    field: Field, k: int, *, starts: int = 8, tol: float = 1e-9, seed: int = 0
) -> list[FloatArray]:
    """Zeros of ``field`` on every face of Δ_k (each support searched from ``starts`` points).

    Vertices are returned when the field vanishes there; on a face with support ``S``
    (``|S| ≥ 2``) the field restricted to ``S`` is solved by ``scipy.optimize.root`` and
    solutions in the face's relative interior are kept (deduplicated).
    """
    from scipy.optimize import root

    rng = np.random.default_rng(seed)
    found: list[FloatArray] = []

    def add(x: FloatArray) -> None:
        if np.abs(field(x)).max() < 1e-7 and not any(np.abs(x - y).max() < 1e-6 for y in found):
            found.append(x)

    for size in range(1, k + 1):
        for support in itertools.combinations(range(k), size):
            index = np.array(support)
            if size == 1:
                add(np.eye(k)[support[0]])
                continue
            basis = _tangent_basis(size)
            centre = np.full(size, 1.0 / size)

            def embed(
                u: FloatArray,
                index: np.ndarray = index,
                basis: FloatArray = basis,
                centre: FloatArray = centre,
            ) -> FloatArray:
                x = np.zeros(k)
                x[index] = centre + basis @ u
                return x

            def reduced(
                u: FloatArray, index: np.ndarray = index, basis: FloatArray = basis
            ) -> FloatArray:
                return np.asarray(basis.T @ field(embed(u))[index], dtype=np.float64)

            guesses = [np.zeros(size - 1)] + [
                basis.T @ (rng.dirichlet(np.ones(size)) - centre) for _ in range(starts - 1)
            ]
            for guess in guesses:
                solution = root(reduced, guess, tol=tol * 1e-3)
                x = embed(solution.x)
                if solution.success and x[index].min() > tol:
                    add(x / x.sum())
    return found


def jacobian(field: Field, x: FloatArray, eps: float = 1e-6) -> FloatArray:
    """``[k−1, k−1]`` Jacobian of ``field`` at ``x`` on the tangent space of the simplex."""
    x = np.asarray(x, dtype=np.float64)
    basis = _tangent_basis(x.shape[0])
    columns = [basis.T @ (field(x + eps * v) - field(x - eps * v)) / (2.0 * eps) for v in basis.T]
    return np.asarray(np.stack(columns, axis=1), dtype=np.float64)


def classify(field: Field, x: FloatArray, tol: float = 1e-6) -> str:
    """``stable`` / ``unstable`` / ``saddle`` / ``center`` / ``non-hyperbolic`` at ``x``."""
    eigenvalues = np.linalg.eigvals(jacobian(field, x))
    real = eigenvalues.real
    if np.all(real < -tol):
        return "stable"
    if np.all(real > tol):
        return "unstable"
    if real.min() < -tol and real.max() > tol:
        return "saddle"
    if np.all(np.abs(real) <= tol) and np.all(np.abs(eigenvalues.imag) > tol):
        return "center"
    return "non-hyperbolic"
